// elementwise.cu: pointwise kernels over flat float32 buffers.
//
// Math (i < n unless stated):
//   fill_fwd        y[i] = v
//   copy_fwd        y[i] = x[i]
//   copy_block_fwd  dst[dstOff + r*dstStride + j] (= or +=) src[srcOff + r*srcStride + j],  r < rows, j < cols
//   add_fwd         y[i] = a[i] + b[i]
//   axpy_fwd        y[i] += alpha * x[i]
//   scale_fwd       y[i] = alpha * x[i]
//   mul_fwd         y[i] = a[i] * b[i]
//   mul_acc_fwd     y[i] += a[i] * b[i]
//   activation_fwd  y = f(x)            code: 0 RELU, 1 LEAKY_RELU(alpha), 2 SIGMOID, 3 TANH, 4 EXP, 5 LOG (Activation.code)
//   activation_bwd  dx[i] += f'(.) * dy[i]; RELU/LEAKY_RELU read x, SIGMOID/TANH read y
// Layout: flat, row-major; copy_block sees a (rows x cols) window of each side.
// Launch: 1-d, 256 threads per block, grid = ceilDiv(work, 256) capped by the launcher; every kernel is a
//         grid-stride loop over a 64-bit index, so any grid size is correct. One thread owns one element.
// Versions: v1 only.
#include <cstdint>

#define GRID_STRIDE(i, n) for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (int64_t)(n); \
                               i += (int64_t)blockDim.x * gridDim.x)

extern "C" __global__ void fill_fwd(float* y, int n, float v) {
    GRID_STRIDE(i, n) y[i] = v;
}

extern "C" __global__ void copy_fwd(float* y, const float* x, int n) {
    GRID_STRIDE(i, n) y[i] = x[i];
}

extern "C" __global__ void copy_block_fwd(float* dst, int dstOff, int dstStride, const float* src, int srcOff,
                                          int srcStride, int rows, int cols, int accumulate) {
    int64_t total = (int64_t)rows * cols;
    GRID_STRIDE(i, total) {
        int64_t r = i / cols, j = i - r * cols;
        float v = src[srcOff + r * srcStride + j];
        int64_t o = dstOff + r * dstStride + j;
        dst[o] = accumulate ? dst[o] + v : v;
    }
}

extern "C" __global__ void add_fwd(float* y, const float* a, const float* b, int n) {
    GRID_STRIDE(i, n) y[i] = a[i] + b[i];
}

extern "C" __global__ void axpy_fwd(float* y, const float* x, int n, float alpha) {
    GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

extern "C" __global__ void scale_fwd(float* y, const float* x, int n, float alpha) {
    GRID_STRIDE(i, n) y[i] = alpha * x[i];
}

extern "C" __global__ void mul_fwd(float* y, const float* a, const float* b, int n) {
    GRID_STRIDE(i, n) y[i] = a[i] * b[i];
}

extern "C" __global__ void mul_acc_fwd(float* y, const float* a, const float* b, int n) {
    GRID_STRIDE(i, n) y[i] += a[i] * b[i];
}

// Numerically stable logistic: never exponentiates a positive number.
__device__ __forceinline__ float sigmoidf_stable(float x) {
    if (x >= 0.f) return 1.f / (1.f + __expf(-x));
    float e = __expf(x);
    return e / (1.f + e);
}

extern "C" __global__ void activation_fwd(float* y, const float* x, int n, int code, float alpha) {
    GRID_STRIDE(i, n) {
        float v = x[i], r;
        switch (code) {
            case 0:  r = v > 0.f ? v : 0.f; break;
            case 1:  r = v > 0.f ? v : alpha * v; break;
            case 2:  r = sigmoidf_stable(v); break;
            case 4:  r = expf(v); break;
            case 5:  r = logf(v); break;
            default: r = tanhf(v); break;
        }
        y[i] = r;
    }
}

extern "C" __global__ void activation_bwd(float* dx, const float* dy, const float* x, const float* y, int n,
                                          int code, float alpha) {
    GRID_STRIDE(i, n) {
        float g;
        switch (code) {
            case 0:  g = x[i] > 0.f ? 1.f : 0.f; break;
            case 1:  g = x[i] > 0.f ? 1.f : alpha; break;
            case 2:  { float s = y[i]; g = s * (1.f - s); } break;
            case 4:  g = y[i]; break;
            case 5:  g = 1.f / x[i]; break;
            default: { float t = y[i]; g = 1.f - t * t; } break;
        }
        dx[i] += g * dy[i];
    }
}
