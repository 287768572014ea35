// im2col.cu: the lowering that turns a 2-d convolution into one GEMM over the whole batch.
//
// Geometry (ConvGeom): x (n, c, h, w) * weight (oc, c, kh, kw) -> y (n, oc, oh, ow), stride s, zero padding p,
// cross-correlation. Let K = c*kh*kw, P = oh*ow.
//   im2col_fwd           col[(ci*kh + ki)*kw + kj][img*P + oy*ow + ox] = x[img, ci, oy*s - p + ki, ox*s - p + kj]
//                        (0 outside the image); col is K x (n*P), row-major.
//   col2im_bwd           dx[img, ci, iy, ix] += sum over (ki, kj, oy, ox) with oy*s - p + ki = iy, ox*s - p + kj = ix
//                        of col[...]: the adjoint of im2col, as a gather (one thread per dx element, no atomics,
//                        deterministic).
//   transpose_outer_fwd  dst[j, i, t] = src[i, j, t] for src (a, b, inner) -> dst (b, a, inner); converts between
//                        NCHW (n, oc, P) and the GEMM's (oc, n, P).
// The conv paths built on these (CudaBackend):
//   forward        col = im2col(x); tmp (oc, n*P) = W (oc x K) . col; y = transpose_outer(tmp)
//   backward data  dyT = transpose_outer(dy); dcol = W^T . dyT; dx += col2im(dcol)
//   backward filt  dyT = transpose_outer(dy); col = im2col(x); dW += dyT . col^T   (gemm with beta = 1)
// Launch: all three are 1-d grid-stride loops, 256 threads, one thread per output element, 64-bit indices.
// Versions: v1 only.
#include <cstdint>

extern "C" __global__ void im2col_fwd(float* col, const float* x, int n, int c, int h, int w, int kh, int kw,
                                      int stride, int pad, int oh, int ow) {
    const int64_t P = (int64_t)oh * ow, nP = n * P, total = (int64_t)c * kh * kw * nP;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)blockDim.x * gridDim.x) {
        int64_t row = i / nP, cidx = i - row * nP;
        int img = (int)(cidx / P), p = (int)(cidx - (int64_t)img * P);
        int oy = p / ow, ox = p - oy * ow;
        int kj = (int)(row % kw), ki = (int)((row / kw) % kh), ci = (int)(row / ((int64_t)kw * kh));
        int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
        float v = 0.f;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = x[(((int64_t)img * c + ci) * h + iy) * w + ix];
        col[i] = v;
    }
}

extern "C" __global__ void col2im_bwd(float* dx, const float* col, int n, int c, int h, int w, int kh, int kw,
                                      int stride, int pad, int oh, int ow) {
    const int64_t P = (int64_t)oh * ow, nP = n * P, total = (int64_t)n * c * h * w;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)blockDim.x * gridDim.x) {
        int ix = (int)(i % w), iy = (int)((i / w) % h), ci = (int)((i / ((int64_t)w * h)) % c);
        int img = (int)(i / ((int64_t)w * h * c));
        float s = 0.f;
        for (int ki = 0; ki < kh; ki++) {
            int ty = iy + pad - ki;
            if (ty < 0 || ty % stride) continue;
            int oy = ty / stride;
            if (oy >= oh) continue;
            for (int kj = 0; kj < kw; kj++) {
                int tx = ix + pad - kj;
                if (tx < 0 || tx % stride) continue;
                int ox = tx / stride;
                if (ox >= ow) continue;
                int64_t row = ((int64_t)ci * kh + ki) * kw + kj;
                s += col[row * nP + (int64_t)img * P + oy * ow + ox];
            }
        }
        dx[i] += s;
    }
}

extern "C" __global__ void transpose_outer_fwd(float* dst, const float* src, int a, int b, int inner) {
    const int64_t total = (int64_t)a * b * inner;
    for (int64_t o = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; o < total; o += (int64_t)blockDim.x * gridDim.x) {
        int64_t t = o % inner, ji = o / inner;       // o indexes dst (b, a, inner): ji = j*a + i
        int64_t i = ji % a, j = ji / a;
        dst[o] = src[(i * b + j) * inner + t];
    }
}
