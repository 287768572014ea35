// gemm.cu: single-precision GEMM, the default matrix multiply of the CUDA backend (cuBLAS is optional).
//
// Math:   C = alpha * op(A) * op(B) + beta * C,  op(A) is m x k, op(B) is k x n, C is m x n.
//         beta == 0 overwrites C without reading it (NaNs already in C do not survive).
// Layout: row-major. A is stored m x k (lda = k), or k x m when transA (lda = m);
//         B is stored k x n (ldb = n), or n x k when transB (ldb = k); C is m x n (ldc = n).
// Launch: grid (ceilDiv(n, 64), ceilDiv(m, 64), S), block 256 threads; one block owns a 64 x 64 tile of C (S = 1
//         unless split-K, below).
//         Per step the block stages a 64 x 16 slice of op(A) and a 16 x 64 slice of op(B) in shared memory
//         (2 x 16 x 65 floats = 8.3 KB, +1 column padding against bank conflicts); each thread loads 4 + 4
//         elements, choosing its (row, k) mapping per transpose case so that global reads stay coalesced.
//         Register blocking: thread (tx = tid % 16, ty = tid / 16) accumulates the 4 x 4 outputs
//         C[row0 + ty + 16 i][col0 + tx + 16 j], i, j < 4, reading 4 + 4 shared values per k for 16 FMAs.
//         Bounds are checked on load (zero fill) and on store, so any m, n, k >= 1 works.
// Split-K: a grid of (n/64)(m/64) tiles can leave most of the GPU idle while each block walks a long k (D's dense
//         layer at batch 100: 100 x 1024 x 6272 is 32 tiles for 132 SMs on an H200). Then the host launches
//         gridDim.z = S slices: block z covers k in [z*kchunk, min(k, (z+1)*kchunk)) and writes its raw partial
//         product (alpha 1, beta 0) to W + z*m*n, a workspace of S x m x n floats; gemm_splitk_sum_fwd then sums the
//         S slices in a fixed order (z = 0, 1, ...: same numbers on every run, no atomics) and applies alpha and
//         beta: C = alpha * sum_z W_z + beta * C. Launch: grid-stride over m*n, 256 threads. S and kchunk (a
//         multiple of 16) are chosen by the host (CudaKernels.splitK); S = 1 with kchunk = k is the plain GEMM.
// Versions: v1: 64x64x16 tiles, 4x4 register blocking, all four transpose combinations in one kernel
//           (a uniform switch into a template instantiated per case).
//           v2: split-K (gridDim.z slices of k, kchunk parameter) and gemm_splitk_sum_fwd.
#include <cstdint>

#define BM 64
#define BN 64
#define BK 16

template <bool TA, bool TB>
__device__ __forceinline__ void gemm_tile(float* __restrict__ C, const float* __restrict__ A,
                                          const float* __restrict__ B, int m, int n, int k, int kb, int ke,
                                          float alpha, float beta, float (*As)[BM + 1], float (*Bs)[BN + 1]) {
    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    float acc[4][4] = {};
    for (int k0 = kb; k0 < ke; k0 += BK) {           // k is the full depth (the strides), [kb, ke) this block's slice
#pragma unroll
        for (int q = 0; q < 4; q++) {
            int e = tid + 256 * q;
            int ai, ak;
            if (TA) { ai = e % BM; ak = e / BM; } else { ak = e % BK; ai = e / BK; }
            int gi = row0 + ai, gk = k0 + ak;
            float v = 0.f;
            if (gi < m && gk < ke) v = TA ? A[(int64_t)gk * m + gi] : A[(int64_t)gi * k + gk];
            As[ak][ai] = v;
            int bj, bk;
            if (TB) { bk = e % BK; bj = e / BK; } else { bj = e % BN; bk = e / BN; }
            int gj = col0 + bj;
            gk = k0 + bk;
            v = 0.f;
            if (gj < n && gk < ke) v = TB ? B[(int64_t)gj * k + gk] : B[(int64_t)gk * n + gj];
            Bs[bk][bj] = v;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = As[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = Bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 4; i++) {
        int r = row0 + ty + 16 * i;
        if (r >= m) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            int c = col0 + tx + 16 * j;
            if (c >= n) continue;
            int64_t o = (int64_t)r * n + c;
            float v = alpha * acc[i][j];
            if (beta != 0.f) v = fmaf(beta, C[o], v);
            C[o] = v;
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) gemm_fwd(float* C, const float* A, const float* B, int m, int n,
                                                           int k, int transA, int transB, float alpha, float beta,
                                                           int kchunk) {
    __shared__ float As[BK][BM + 1];
    __shared__ float Bs[BK][BN + 1];
    const int kb = blockIdx.z * kchunk, ke = k - kb < kchunk ? k : kb + kchunk;
    C += (int64_t)blockIdx.z * m * n;                // slice z of the split-K workspace (z = 0 without a split)
    if (!transA && !transB)     gemm_tile<false, false>(C, A, B, m, n, k, kb, ke, alpha, beta, As, Bs);
    else if (!transA && transB) gemm_tile<false, true>(C, A, B, m, n, k, kb, ke, alpha, beta, As, Bs);
    else if (transA && !transB) gemm_tile<true, false>(C, A, B, m, n, k, kb, ke, alpha, beta, As, Bs);
    else                        gemm_tile<true, true>(C, A, B, m, n, k, kb, ke, alpha, beta, As, Bs);
}

// C = alpha * (W_0 + W_1 + ... + W_{splits-1}) + beta * C over mn elements, W_z = W + z * mn; beta == 0 does not
// read C. The slices are added in order z = 0, 1, ..., so the result does not depend on scheduling.
extern "C" __global__ void gemm_splitk_sum_fwd(float* C, const float* W, int mn, int splits, float alpha, float beta) {
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < mn; i += (int64_t)gridDim.x * blockDim.x) {
        float s = 0.f;
        for (int z = 0; z < splits; z++) s += W[(int64_t)z * mn + i];
        float v = alpha * s;
        if (beta != 0.f) v = fmaf(beta, C[i], v);
        C[i] = v;
    }
}
