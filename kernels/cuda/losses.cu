// losses.cu: fused losses, each a mean over the batch written to a length-1 storage; the upstream gradient
// dloss is a device scalar read inside the backward kernels (no host round trip).
//
// Math:
//   bce_logits_fwd     loss = (1/n) sum max(z,0) - z t + log(1 + e^{-|z|})        (finite for any z)
//   bce_logits_bwd     dz += dloss (sigmoid(z) - t) / n                           (stable sigmoid)
//   softmax_xent_fwd   per row r of z (b x classes): mx = max z_r, lse = mx + log sum e^{z - mx};
//                      probs_r = e^{z_r - lse}; loss = (1/b) sum_r (lse - z_r[label_r])
//                      (labels hold class indices as floats; finite for logits of +-400 and beyond)
//   softmax_xent_bwd   dz[r, j] += dloss (probs[r, j] - [j == label_r]) / b
//   gauss_nll_fwd      loss = (1/b) sum_{r,i} ls + 0.5 ln(2 pi) + 0.5 ((x - mu) e^{-ls})^2,  ls = logSigma
//                      (the square is taken after scaling, so ls = -30 gives ~1e26 (x-mu)^2, no overflow)
//   gauss_nll_bwd      dmu += dloss/b (mu - x) e^{-2 ls};  dls += dloss/b (1 - ((x - mu) e^{-ls})^2);
//                      either output may be a null pointer.
// Layout: row-major (b, classes) and (b, d); flat for BCE.
// Launch: the *_fwd reductions run as exactly one block (the launcher enforces grid = 1): bce and gauss use 1024
//         threads over the flat index; softmax uses 256 threads = 8 warps, one warp per row (strided over rows),
//         lanes strided over classes with shuffle max/sum. Then a shared-memory tree; deterministic, no atomics.
//         The *_bwd kernels are 1-d grid-stride loops, 256 threads, one thread per element.
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

__device__ __forceinline__ float sigmoidf_stable(float x) {
    if (x >= 0.f) return 1.f / (1.f + expf(-x));
    float e = expf(x);
    return e / (1.f + e);
}

#define GRID_STRIDE(i, n) for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (int64_t)(n); \
                               i += (int64_t)blockDim.x * gridDim.x)

extern "C" __global__ void bce_logits_fwd(float* loss, const float* z, const float* t, int n) {
    float s = 0.f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        float v = z[i];
        s += fmaxf(v, 0.f) - v * t[i] + log1pf(expf(-fabsf(v)));
    }
    s = block_sum(s);
    if (threadIdx.x == 0) loss[0] = s / (float)n;
}

extern "C" __global__ void bce_logits_bwd(float* dz, const float* dloss, const float* z, const float* t, int n) {
    const float g = dloss[0] / (float)n;
    GRID_STRIDE(i, n) dz[i] += g * (sigmoidf_stable(z[i]) - t[i]);
}

extern "C" __global__ void softmax_xent_fwd(float* loss, float* probs, const float* z, const float* labels, int b,
                                            int classes) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = blockDim.x >> 5;
    float rowLoss = 0.f;                                   // summed in lane 0 of each warp
    for (int r = warp; r < b; r += nw) {
        const float* zr = z + (int64_t)r * classes;
        float mx = -INFINITY;
        for (int j = lane; j < classes; j += 32) mx = fmaxf(mx, zr[j]);
        for (int o = 16; o > 0; o >>= 1) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, o));
        float se = 0.f;
        for (int j = lane; j < classes; j += 32) se += expf(zr[j] - mx);
        for (int o = 16; o > 0; o >>= 1) se += __shfl_xor_sync(0xffffffffu, se, o);
        const float lse = mx + logf(se);
        float* pr = probs + (int64_t)r * classes;
        for (int j = lane; j < classes; j += 32) pr[j] = expf(zr[j] - lse);
        if (lane == 0) rowLoss += lse - zr[(int)labels[r]];
    }
    float s = block_sum(lane == 0 ? rowLoss : 0.f);
    if (threadIdx.x == 0) loss[0] = s / (float)b;
}

extern "C" __global__ void softmax_xent_bwd(float* dz, const float* dloss, const float* probs, const float* labels,
                                            int b, int classes) {
    const float g = dloss[0] / (float)b;
    const int64_t total = (int64_t)b * classes;
    GRID_STRIDE(i, total) {
        int64_t r = i / classes;
        int j = (int)(i - r * classes);
        float onehot = j == (int)labels[r] ? 1.f : 0.f;
        dz[i] += g * (probs[i] - onehot);
    }
}

extern "C" __global__ void gauss_nll_fwd(float* loss, const float* x, const float* mu, const float* ls, int b, int d) {
    const float halfLog2Pi = 0.91893853320467274f;
    const int64_t total = (int64_t)b * d;
    float s = 0.f;
    for (int64_t i = threadIdx.x; i < total; i += blockDim.x) {
        float r = (x[i] - mu[i]) * expf(-ls[i]);
        s += ls[i] + halfLog2Pi + 0.5f * r * r;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) loss[0] = s / (float)b;
}

extern "C" __global__ void gauss_nll_bwd(float* dmu, float* dls, const float* dloss, const float* x, const float* mu,
                                         const float* ls, int b, int d) {
    const float g = dloss[0] / (float)b;
    const int64_t total = (int64_t)b * d;
    GRID_STRIDE(i, total) {
        float e = expf(-ls[i]);
        float diff = x[i] - mu[i];
        float r = diff * e;
        if (dmu) dmu[i] += g * (-diff * e) * e;
        if (dls) dls[i] += g * (1.f - r * r);
    }
}
