// bias.cu: per-channel bias broadcast and its gradient.
//
// Math, x viewed as (outer, c, inner):
//   bias_add_fwd   y[o, j, i] = x[o, j, i] + b[j]
//   bias_grad_bwd  db[j] += sum_{o < outer, i < inner} dy[o, j, i]
// Layout: row-major (outer, c, inner); for NCHW images outer = N, c = C, inner = H*W; for a dense layer
//         outer = batch, c = features, inner = 1.
// Launch: bias_add_fwd: 1-d grid-stride, 256 threads, one thread per element (y may alias x).
//         bias_grad_bwd: one block of 256 threads per channel j (grid = c); threads stride over the outer*inner
//         values, then a warp-shuffle + shared-memory tree reduction (32 floats of shared memory). Deterministic.
// Versions: v1 only.
#include <cstdint>

extern "C" __global__ void bias_add_fwd(float* y, const float* x, const float* b, int outer, int c, int inner) {
    int64_t total = (int64_t)outer * c * inner;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)blockDim.x * gridDim.x) {
        int j = (int)((i / inner) % c);
        y[i] = x[i] + b[j];
    }
}

// Sum of v over the block; valid in every thread. blockDim.x must be a multiple of 32 (<= 1024).
__device__ float block_sum(float v) {
    __shared__ float warpSums[32];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    __syncthreads();                       // warpSums may still be read by a previous call
    if (lane == 0) warpSums[warp] = v;
    __syncthreads();
    v = lane < nw ? warpSums[lane] : 0.f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return __shfl_sync(0xffffffffu, v, 0);
}

extern "C" __global__ void bias_grad_bwd(float* db, const float* dy, int outer, int c, int inner) {
    int j = blockIdx.x;
    int64_t m = (int64_t)outer * inner;
    float s = 0.f;
    for (int64_t t = threadIdx.x; t < m; t += blockDim.x) {
        int64_t o = t / inner, i = t - o * inner;
        s += dy[(o * c + j) * inner + i];
    }
    s = block_sum(s);
    if (threadIdx.x == 0) db[j] += s;
}
