// cuda_emu.h: just enough of CUDA C++ to run our kernels (kernels/cuda/*.cu) on the CPU, for tests without a GPU.
//
// Each .cu file is compiled by g++ with this header force-included (see build.sh). Threads of a block run as
// fibers on one OS thread, blocks one after another, so:
//   __shared__            is a static variable in section emu_shared, filled with NaN bytes before every block;
//   __syncthreads()       parks the fiber until every thread of the block has arrived at the same call site;
//   __shfl_*_sync(mask)   exchanges through a per-warp slot array (PTX shfl semantics for idx/down/bfly), parked
//                         until all live lanes of the warp arrived at the same call site (twice);
//   threadIdx, blockIdx   read the running fiber's and block's indices.
// A kernel that deadlocks, reaches a barrier or shuffle at different call sites, exits while others wait at a
// barrier, or shuffles a full mask with exited lanes makes the launch fail with a message on stderr: the emulator is
// also a checker. Files without any barrier or shuffle (-DEMU_DIRECT=1) run their threads as plain calls.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

struct emu_dim3 { unsigned x = 1, y = 1, z = 1; };

namespace emu {
struct Fiber;
extern emu_dim3 blockIdx_, blockDim_, gridDim_;
const emu_dim3& thread_idx();
void syncthreads(const char* site);
/** Lane j's value (its bits) for the calling lane, or the caller's own when !valid (PTX: pval false). */
uint64_t shuffle(unsigned mask, uint64_t bits, int j, bool valid, const char* site);
int lane();
}  // namespace emu

#define EMU_STR2(x) #x
#define EMU_STR(x) EMU_STR2(x)
#define EMU_SITE __FILE__ ":" EMU_STR(__LINE__)

#define __global__
#define __device__ static
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static __attribute__((section("emu_shared")))
#define threadIdx (emu::thread_idx())
#define blockIdx (emu::blockIdx_)
#define blockDim (emu::blockDim_)
#define gridDim (emu::gridDim_)

#define __syncthreads() emu::syncthreads(EMU_SITE)

template <class T> inline uint64_t emu_bits(T v) { uint64_t b = 0; std::memcpy(&b, &v, sizeof(T)); return b; }
template <class T> inline T emu_val(uint64_t b) { T v; std::memcpy(&v, &b, sizeof(T)); return v; }

// PTX shfl.sync with c = ((32 - width) << 8) | clamp: segmask = 32 - width, minLane = lane & segmask,
// maxLane = minLane | (clamp & ~segmask); idx: j = minLane | (b & 31 & ~segmask), down: j = lane + b, bfly:
// j = lane ^ b; the source is valid when j <= maxLane (down, bfly, idx), else the caller keeps its own value.
template <class T> inline T emu_shfl_idx(const char* site, unsigned mask, T v, int srcLane, int width = 32) {
    int l = emu::lane(), seg = 32 - width, minLane = l & seg, maxLane = minLane | (31 & ~seg);
    int j = minLane | (srcLane & 31 & ~seg);
    return emu_val<T>(emu::shuffle(mask, emu_bits(v), j, j <= maxLane, site));
}
template <class T> inline T emu_shfl_down(const char* site, unsigned mask, T v, unsigned delta, int width = 32) {
    int l = emu::lane(), seg = 32 - width, maxLane = (l & seg) | (31 & ~seg), j = l + (int)delta;
    return emu_val<T>(emu::shuffle(mask, emu_bits(v), j, j <= maxLane, site));
}
template <class T> inline T emu_shfl_xor(const char* site, unsigned mask, T v, int laneMask, int width = 32) {
    int l = emu::lane(), seg = 32 - width, maxLane = (l & seg) | (31 & ~seg), j = l ^ (laneMask & 31);
    return emu_val<T>(emu::shuffle(mask, emu_bits(v), j, j <= maxLane, site));
}
#define __shfl_sync(...) emu_shfl_idx(EMU_SITE, __VA_ARGS__)
#define __shfl_down_sync(...) emu_shfl_down(EMU_SITE, __VA_ARGS__)
#define __shfl_xor_sync(...) emu_shfl_xor(EMU_SITE, __VA_ARGS__)

inline float __expf(float x) { return expf(x); }
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
