// batchnorm.cu: BatchNorm over x viewed as (outer, c, inner), statistics per channel j over m = outer*inner values.
//
// Math:
//   batchnorm_train_fwd  mean_j = (1/m) sum x;  var_j = (1/m) sum (x - mean_j)^2  (two passes, biased)
//                        invStd_j = 1 / sqrt(var_j + eps);  y = gamma_j (x - mean_j) invStd_j + beta_j
//                        runMean = (1 - momentum) runMean + momentum mean_j
//                        runVar  = (1 - momentum) runVar  + momentum var_j * m / (m - 1)   (var_j when m == 1)
//   batchnorm_eval_fwd   y = gamma_j (x - runMean_j) / sqrt(runVar_j + eps) + beta_j
//   batchnorm_bwd        xhat = (x - mean_j) invStd_j
//                        dbeta_j += sum dy;  dgamma_j += sum dy xhat
//                        dx += gamma_j invStd_j / m * (m dy - sum dy - xhat sum(dy xhat))
//                        dx, dgamma, dbeta may each be a null pointer (that gradient is skipped).
// Layout: row-major (outer, c, inner): NCHW gives outer = N, inner = H*W; a dense layer gives inner = 1.
// Launch: train_fwd and bwd: one block of 256 threads per channel (grid = c), a strided loop over the m values
//         and a warp-shuffle + shared-memory tree reduction (32 floats); deterministic, no atomics.
//         eval_fwd: 1-d grid-stride, 256 threads, one thread per element.
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

__device__ __forceinline__ int64_t bn_index(int64_t t, int j, int c, int inner) {
    int64_t o = t / inner, i = t - o * inner;
    return (o * c + j) * inner + i;
}

extern "C" __global__ void batchnorm_train_fwd(float* y, float* mean, float* invStd, const float* x,
                                               const float* gamma, const float* beta, float* runMean,
                                               float* runVar, int outer, int c, int inner, float momentum,
                                               float eps) {
    const int j = blockIdx.x;
    const int64_t m = (int64_t)outer * inner;
    float s = 0.f;
    for (int64_t t = threadIdx.x; t < m; t += blockDim.x) s += x[bn_index(t, j, c, inner)];
    const float mu = block_sum(s) / (float)m;
    float q = 0.f;
    for (int64_t t = threadIdx.x; t < m; t += blockDim.x) {
        float d = x[bn_index(t, j, c, inner)] - mu;
        q += d * d;
    }
    const float var = block_sum(q) / (float)m;
    const float is = rsqrtf(var + eps);
    const float g = gamma[j] * is, b = beta[j] - mu * g;
    for (int64_t t = threadIdx.x; t < m; t += blockDim.x) {
        int64_t o = bn_index(t, j, c, inner);
        y[o] = fmaf(x[o], g, b);
    }
    if (threadIdx.x == 0) {
        mean[j] = mu;
        invStd[j] = is;
        float unbiased = m > 1 ? var * (float)m / (float)(m - 1) : var;
        runMean[j] = (1.f - momentum) * runMean[j] + momentum * mu;
        runVar[j] = (1.f - momentum) * runVar[j] + momentum * unbiased;
    }
}

extern "C" __global__ void batchnorm_eval_fwd(float* y, const float* x, const float* gamma, const float* beta,
                                              const float* runMean, const float* runVar, int outer, int c,
                                              int inner, float eps) {
    const int64_t total = (int64_t)outer * c * inner;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)blockDim.x * gridDim.x) {
        int j = (int)((i / inner) % c);
        y[i] = gamma[j] * (x[i] - runMean[j]) * rsqrtf(runVar[j] + eps) + beta[j];
    }
}

extern "C" __global__ void batchnorm_bwd(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                                         const float* mean, const float* invStd, const float* gamma, int outer,
                                         int c, int inner) {
    const int j = blockIdx.x;
    const int64_t m = (int64_t)outer * inner;
    const float mu = mean[j], is = invStd[j];
    float sdy = 0.f, sdyx = 0.f;
    for (int64_t t = threadIdx.x; t < m; t += blockDim.x) {
        int64_t o = bn_index(t, j, c, inner);
        float g = dy[o];
        sdy += g;
        sdyx += g * (x[o] - mu) * is;
    }
    sdy = block_sum(sdy);
    sdyx = block_sum(sdyx);
    if (threadIdx.x == 0) {
        if (dbeta) dbeta[j] += sdy;
        if (dgamma) dgamma[j] += sdyx;
    }
    if (dx) {
        const float k = gamma[j] * is / (float)m;
        for (int64_t t = threadIdx.x; t < m; t += blockDim.x) {
            int64_t o = bn_index(t, j, c, inner);
            float xh = (x[o] - mu) * is;
            dx[o] += k * ((float)m * dy[o] - sdy - xh * sdyx);
        }
    }
}
