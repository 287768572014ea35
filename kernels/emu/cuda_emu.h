// cuda_emu.h: just enough of CUDA C++ to run our kernels (kernels/cuda/*.cu) on the CPU, for tests without a GPU.
//
// Each .cu file is compiled by g++ with this header force-included (see build.sh). Threads of a block run as
// fibers (ucontext) on one OS thread, blocks one after another, so:
//   __shared__            is a static variable, shared by the fibers of the running block;
//   __syncthreads()       parks the fiber until every live thread of the block has arrived;
//   __shfl_*_sync(mask)   exchanges through a per-warp slot array, parked until all live lanes arrived (twice);
//   threadIdx, blockIdx   read the running fiber's and block's indices.
// A kernel that deadlocks (a barrier some threads never reach), or shuffles a full mask with exited lanes, makes
// the launch fail with a message on stderr: the emulator is also a checker. Files without any barrier or
// shuffle (-DEMU_DIRECT=1) run their threads as plain calls, without fibers.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

struct emu_dim3 { unsigned x = 1, y = 1, z = 1; };

namespace emu {
struct Fiber;
extern Fiber* cur;
extern emu_dim3 blockIdx_, blockDim_, gridDim_;
const emu_dim3& thread_idx();
void syncthreads();
uint64_t shuffle(unsigned mask, uint64_t bits, int srcLane, bool valid);
int lane();
}  // namespace emu

#define __global__
#define __device__ static
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __shared__ static
#define threadIdx (emu::thread_idx())
#define blockIdx (emu::blockIdx_)
#define blockDim (emu::blockDim_)
#define gridDim (emu::gridDim_)

#if defined(EMU_DIRECT) && EMU_DIRECT
inline void __syncthreads() { __builtin_trap(); }   // build.sh compiles files with barriers in fiber mode
#else
inline void __syncthreads() { emu::syncthreads(); }
#endif

template <class T> inline uint64_t emu_bits(T v) { uint64_t b = 0; std::memcpy(&b, &v, sizeof(T)); return b; }
template <class T> inline T emu_val(uint64_t b) { T v; std::memcpy(&v, &b, sizeof(T)); return v; }

template <class T> inline T __shfl_sync(unsigned mask, T v, int srcLane, int width = 32) {
    int l = emu::lane();
    return emu_val<T>(emu::shuffle(mask, emu_bits(v), (l / width) * width + (srcLane % width), true));
}
template <class T> inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    int l = emu::lane();
    bool valid = (l % width) + (int)delta < width;
    return emu_val<T>(emu::shuffle(mask, emu_bits(v), valid ? l + (int)delta : l, valid));
}
template <class T> inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    int l = emu::lane();
    int src = l ^ laneMask;
    bool valid = src / width == l / width;
    return emu_val<T>(emu::shuffle(mask, emu_bits(v), valid ? src : l, valid));
}

inline float __expf(float x) { return expf(x); }
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
