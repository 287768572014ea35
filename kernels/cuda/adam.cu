// adam.cu: one fused Adam update (Kingma & Ba, PyTorch's formulation, no weight decay).
//
// Math:  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr (m / bc1) / (sqrt(v / bc2) + eps)
//        with bc1 = 1 - b1^t, bc2 = 1 - b2^t. t is read from step[0] on the device (the optimiser counts it there),
//        so a training step recorded as a CUDA graph replays with the current t; thread 0 of each block computes
//        the two corrections in double (as the CPU backend does) and shares lr / bc1 and 1 / bc2 as floats.
// Layout: flat; p, m, v, g all of length n; step is one float.
// Launch: 1-d grid-stride, 256 threads, one thread per parameter; reads g, p, m, v once and writes p, m, v once.
// Versions: v1 took bc1, bc2 as arguments from the host; v2 (this) reads t from step.
#include <cstdint>

extern "C" __global__ void adam_fwd(float* p, float* m, float* v, const float* g, int n, double lr, double beta1,
                                    double beta2, float eps, const float* step) {
    __shared__ float stepScale, invBc2;
    if (threadIdx.x == 0) {
        double t = step[0];
        stepScale = (float)(lr / (1.0 - pow(beta1, t)));
        invBc2 = (float)(1.0 / (1.0 - pow(beta2, t)));
    }
    __syncthreads();
    const float b1 = (float)beta1, c1 = (float)(1.0 - beta1), b2 = (float)beta2, c2 = (float)(1.0 - beta2);
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)blockDim.x * gridDim.x) {
        float gi = g[i];
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= stepScale * mi / (sqrtf(vi * invBc2) + eps);
    }
}
