// adam.cu: one fused Adam update (Kingma & Ba, PyTorch's formulation, no weight decay).
//
// Math:  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr (m / bc1) / (sqrt(v / bc2) + eps)
//        with bc1 = 1 - b1^t, bc2 = 1 - b2^t computed on the host (double) and passed in.
// Layout: flat; p, m, v, g all of length n.
// Launch: 1-d grid-stride, 256 threads, one thread per parameter; reads g, p, m, v once and writes p, m, v once.
// Versions: v1 only.
#include <cstdint>

extern "C" __global__ void adam_fwd(float* p, float* m, float* v, const float* g, int n, float lr, float beta1,
                                    float beta2, float eps, float bc1, float bc2) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)blockDim.x * gridDim.x) {
        float gi = g[i];
        float mi = beta1 * m[i] + (1.f - beta1) * gi;
        float vi = beta2 * v[i] + (1.f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
    }
}
