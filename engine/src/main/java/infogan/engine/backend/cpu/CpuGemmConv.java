package infogan.engine.backend.cpu;

/**
 * Interim float32 GEMM and 2-d convolution: simple, correct, reasonably fast. The tuned kernels ({@code Sgemm},
 * {@code Conv2d}) take the same arguments minus the {@link ThreadTeam}; {@link CpuBackend} calls these through
 * one private method each, so switching is a change of those call sites.
 * <ul>
 *   <li>GEMM: the i-k-j loop order, whose inner loop {@code c[i, j] += a_ik · b[k, j]} walks contiguous rows and is
 *       auto-vectorised; op(b) is first packed row-major when transposed.</li>
 *   <li>Convolution: im2col per image, then one GEMM; parallel over images (forward, backward-data) or over output
 *       channels (backward-filter, so no two threads add into the same dw and the sum order is fixed).</li>
 * </ul>
 */
final class CpuGemmConv {
    private CpuGemmConv() { }

    /** Per-thread scratch (packed B, im2col buffers), grown on demand and then reused. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    private static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) s[slot] = new float[n];
        return s[slot];
    }

    /** c = alpha · op(a) · op(b) + beta · c, row-major, single-threaded; beta == 0 overwrites c. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (transB && k > 0) {                     // pack op(b) (k×n) row-major so the inner loop is contiguous
            float[] p = scratch(0, k * n);
            for (int j = 0; j < n; j++)
                for (int q = 0; q < k; q++) p[q * n + j] = b[bOff + j * ldb + q];
            b = p; bOff = 0; ldb = n;
        }
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) java.util.Arrays.fill(c, ci, ci + n, 0f);
            else if (beta != 1f) for (int j = 0; j < n; j++) c[ci + j] *= beta;
            for (int q = 0; q < k; q++) {
                float aiq = alpha * (transA ? a[aOff + q * lda + i] : a[aOff + i * lda + q]);
                int bq = bOff + q * ldb;
                for (int j = 0; j < n; j++) c[ci + j] += aiq * b[bq + j];
            }
        }
    }

    /** y = conv(x, w): per image, col = im2col(x_n) (C·KH·KW × OH·OW), y_n = w · col. */
    static void forward(ThreadTeam team, float[] y, float[] x, float[] w, int N, int C, int H, int W, int OC,
                        int KH, int KW, int stride, int pad, int OH, int OW) {
        int ckk = C * KH * KW, ohw = OH * OW;
        team.run(N, (img, t) -> {
            float[] col = scratch(1, ckk * ohw);
            im2col(col, x, img * C * H * W, C, H, W, KH, KW, stride, pad, OH, OW);
            sgemm(false, false, OC, ohw, ckk, 1f, w, 0, ckk, col, 0, ohw, 0f, y, img * OC * ohw, ohw);
        });
    }

    /** dx += conv_transpose(dy, w): per image, dcol = wᵀ · dy_n, then col2im adds dcol into dx_n. */
    static void backwardData(ThreadTeam team, float[] dx, float[] dy, float[] w, int N, int C, int H, int W, int OC,
                             int KH, int KW, int stride, int pad, int OH, int OW) {
        int ckk = C * KH * KW, ohw = OH * OW;
        team.run(N, (img, t) -> {
            float[] col = scratch(1, ckk * ohw);
            sgemm(true, false, ckk, ohw, OC, 1f, w, 0, ckk, dy, img * OC * ohw, ohw, 0f, col, 0, ohw);
            col2imAdd(dx, img * C * H * W, col, C, H, W, KH, KW, stride, pad, OH, OW);
        });
    }

    /**
     * dw += Σ_n dy_n · im2col(x_n)ᵀ. Threads own disjoint ranges of output channels and each walks all images in
     * order, building the transposed patch matrix (im2row: OH·OW × C·KH·KW) itself; the result does not depend on
     * the thread count.
     */
    static void backwardFilter(ThreadTeam team, float[] dw, float[] dy, float[] x, int N, int C, int H, int W, int OC,
                               int KH, int KW, int stride, int pad, int OH, int OW) {
        int ckk = C * KH * KW, ohw = OH * OW;
        int parts = Math.min(team.threads, OC), per = (OC + parts - 1) / parts;
        team.run(parts, (part, t) -> {
            int oc0 = part * per, oc1 = Math.min(OC, oc0 + per);
            if (oc0 >= oc1) return;
            float[] row = scratch(2, ohw * ckk);
            for (int img = 0; img < N; img++) {
                im2row(row, x, img * C * H * W, C, H, W, KH, KW, stride, pad, OH, OW);
                sgemm(false, false, oc1 - oc0, ckk, ohw, 1f, dy, (img * OC + oc0) * ohw, ohw, row, 0, ckk,
                        1f, dw, oc0 * ckk, ckk);
            }
        });
    }

    /** col[(ch·KH + r)·KW + s, oy·OW + ox] = x[ch, oy·stride − pad + r, ox·stride − pad + s] (0 outside). */
    static void im2col(float[] col, float[] x, int xOff, int C, int H, int W, int KH, int KW, int stride, int pad,
                       int OH, int OW) {
        int q = 0;
        for (int ch = 0; ch < C; ch++)
            for (int r = 0; r < KH; r++)
                for (int s = 0; s < KW; s++, q++) {
                    int base = q * OH * OW;
                    for (int oy = 0; oy < OH; oy++) {
                        int iy = oy * stride - pad + r, o = base + oy * OW;
                        if (iy < 0 || iy >= H) { java.util.Arrays.fill(col, o, o + OW, 0f); continue; }
                        int xr = xOff + (ch * H + iy) * W;
                        for (int ox = 0; ox < OW; ox++) {
                            int ix = ox * stride - pad + s;
                            col[o + ox] = ix >= 0 && ix < W ? x[xr + ix] : 0f;
                        }
                    }
                }
    }

    /** The transpose of {@link #im2col}: row[oy·OW + ox, (ch·KH + r)·KW + s]. */
    static void im2row(float[] row, float[] x, int xOff, int C, int H, int W, int KH, int KW, int stride, int pad,
                       int OH, int OW) {
        int ckk = C * KH * KW;
        for (int oy = 0; oy < OH; oy++)
            for (int ox = 0; ox < OW; ox++) {
                int o = (oy * OW + ox) * ckk, q = 0;
                for (int ch = 0; ch < C; ch++)
                    for (int r = 0; r < KH; r++) {
                        int iy = oy * stride - pad + r;
                        boolean rowIn = iy >= 0 && iy < H;
                        int xr = xOff + (ch * H + iy) * W;
                        for (int s = 0; s < KW; s++, q++) {
                            int ix = ox * stride - pad + s;
                            row[o + q] = rowIn && ix >= 0 && ix < W ? x[xr + ix] : 0f;
                        }
                    }
            }
    }

    /** dx[ch, iy, ix] += Σ of the col entries that im2col read from (ch, iy, ix). */
    static void col2imAdd(float[] dx, int dxOff, float[] col, int C, int H, int W, int KH, int KW, int stride,
                          int pad, int OH, int OW) {
        int q = 0;
        for (int ch = 0; ch < C; ch++)
            for (int r = 0; r < KH; r++)
                for (int s = 0; s < KW; s++, q++) {
                    int base = q * OH * OW;
                    for (int oy = 0; oy < OH; oy++) {
                        int iy = oy * stride - pad + r;
                        if (iy < 0 || iy >= H) continue;
                        int xr = dxOff + (ch * H + iy) * W, o = base + oy * OW;
                        for (int ox = 0; ox < OW; ox++) {
                            int ix = ox * stride - pad + s;
                            if (ix >= 0 && ix < W) dx[xr + ix] += col[o + ox];
                        }
                    }
                }
    }
}
