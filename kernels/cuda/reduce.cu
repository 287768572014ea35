// reduce.cu: full reduction to a length-1 storage and its backward.
//
// Math:
//   sum_fwd                   y[0] = alpha * sum_{i<n} x[i]
//   broadcast_scalar_acc_bwd  dx[i] += alpha * dy[0]        (dy is a device scalar, read in the kernel)
// Layout: flat.
// Launch: sum_fwd: exactly one block of 1024 threads (the launcher enforces grid = 1); each thread sums a strided
//         slice in float, then a warp-shuffle + shared-memory tree (32 floats). Deterministic, no atomics.
//         broadcast_scalar_acc_bwd: 1-d grid-stride, 256 threads, one thread per element.
// Versions: v1 only.
#include <cstdint>

__device__ float block_sum(float v) {
    __shared__ float warpSums[32];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    __syncthreads();
    if (lane == 0) warpSums[warp] = v;
    __syncthreads();
    v = lane < nw ? warpSums[lane] : 0.f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return __shfl_sync(0xffffffffu, v, 0);
}

extern "C" __global__ void sum_fwd(float* y, const float* x, int n, float alpha) {
    float s = 0.f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) s += x[i];
    s = block_sum(s);
    if (threadIdx.x == 0) y[0] = alpha * s;
}

extern "C" __global__ void broadcast_scalar_acc_bwd(float* dx, const float* dy, int n, float alpha) {
    float g = alpha * dy[0];
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)blockDim.x * gridDim.x)
        dx[i] += g;
}
