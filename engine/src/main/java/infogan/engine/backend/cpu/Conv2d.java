package infogan.engine.backend.cpu;

/**
 * Conv2d: 2-D convolution (cross-correlation) of float32 NCHW tensors, and its two gradients.
 *
 * <pre>
 *   forward:        y[n,o,oh,ow]  =  Σ_{c,kh,kw}  w[o,c,kh,kw] · x[n, c, oh·s − pad + kh, ow·s − pad + kw]
 *   backwardData:   dx[n,c,ih,iw] += Σ over every (o,oh,ow,kh,kw) with ih = oh·s − pad + kh, iw = ow·s − pad + kw
 *                                       of  w[o,c,kh,kw] · dy[n,o,oh,ow]          (the transposed convolution)
 *   backwardFilter: dw[o,c,kh,kw] += Σ_{n,oh,ow}  dy[n,o,oh,ow] · x[n, c, oh·s − pad + kh, ow·s − pad + kw]
 * </pre>
 * x is (N,C,H,W), w is (OC,C,KH,KW), y/dy are (N,OC,OH,OW); x outside [0,H)×[0,W) reads as zero. Every method
 * takes the sizes in the same order (N, C, H, W, OC, KH, KW, stride, pad, OH, OW). forward overwrites y, the two
 * backward methods accumulate (+=), which is what a tape wants and what a transposed-convolution layer (whose
 * forward is backwardData) needs.
 *
 * <p>The {@code *Reference} methods are the specification: the direct nested loops over the formulas above.
 *
 * <p>The fast methods lower everything to one {@link Sgemm} call per chunk of images through im2col. With
 * K = C·KH·KW and P = (images in chunk)·OH·OW, the column matrix {@code col} is K×P:
 * {@code col[(c·KH + kh)·KW + kw][(n·OH + oh)·OW + ow] = x[n, c, oh·s − pad + kh, ow·s − pad + kw]} (0 if padded).
 * Then, with Wm = w viewed as OC×K and DY = dy regrouped as OC×P ({@code DY[o][(n·OH+oh)·OW+ow]}):
 * <pre>
 *   forward:        Y  (OC×P) = Wm · col            then Y is scattered back to NCHW order
 *   backwardData:   dcol (K×P) = Wmᵀ · DY            then col2im adds each dcol entry into the dx pixel it came from
 *   backwardFilter: Wm (OC×K) += DY · colᵀ           (a single GEMM whose k runs over all images and pixels)
 * </pre>
 * Batching all images of a chunk into one GEMM gives it long, regular shapes (for InfoGAN's D conv2: 128×1024×4900)
 * instead of N tiny ones. Chunks are sized from the problem alone (at most {@link #CHUNK_FLOATS} floats of col),
 * never from the thread count, and the GEMM and the im2col / col2im loops split only output elements across
 * {@link CpuThreads}, so results are bit-identical for any thread count. Workspaces are per calling thread and
 * grown on demand; steady state allocates nothing.
 */
public final class Conv2d {

    /** Upper bound on the im2col buffer, in floats (32 MiB); a chunk holds as many whole images as fit. */
    static final int CHUNK_FLOATS = 1 << 23;

    private Conv2d() {}

    // ------------------------------------------------------------------------------------------ reference

    /** Specification of forward: y = conv(x, w), direct loops, sums in double. */
    public static void forwardReference(float[] y, float[] x, float[] w, int N, int C, int H, int W, int OC,
                                        int KH, int KW, int stride, int pad, int OH, int OW) {
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OC; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        double s = 0;
                        for (int c = 0; c < C; c++)
                            for (int kh = 0; kh < KH; kh++)
                                for (int kw = 0; kw < KW; kw++) {
                                    int ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                    s += (double) w[((o * C + c) * KH + kh) * KW + kw]
                                            * x[((n * C + c) * H + ih) * W + iw];
                                }
                        y[((n * OC + o) * OH + oh) * OW + ow] = (float) s;
                    }
    }

    /** Specification of backwardData: dx += the scatter of every dy·w product back to its input pixel. */
    public static void backwardDataReference(float[] dx, float[] dy, float[] w, int N, int C, int H, int W, int OC,
                                             int KH, int KW, int stride, int pad, int OH, int OW) {
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OC; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++) {
                        float g = dy[((n * OC + o) * OH + oh) * OW + ow];
                        for (int c = 0; c < C; c++)
                            for (int kh = 0; kh < KH; kh++)
                                for (int kw = 0; kw < KW; kw++) {
                                    int ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                    dx[((n * C + c) * H + ih) * W + iw] += g * w[((o * C + c) * KH + kh) * KW + kw];
                                }
                    }
    }

    /** Specification of backwardFilter: dw += Σ over images and output pixels of dy · (the input patch). */
    public static void backwardFilterReference(float[] dw, float[] dy, float[] x, int N, int C, int H, int W,
                                               int OC, int KH, int KW, int stride, int pad, int OH, int OW) {
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++)
                for (int kh = 0; kh < KH; kh++)
                    for (int kw = 0; kw < KW; kw++) {
                        double s = 0;
                        for (int n = 0; n < N; n++)
                            for (int oh = 0; oh < OH; oh++)
                                for (int ow = 0; ow < OW; ow++) {
                                    int ih = oh * stride - pad + kh, iw = ow * stride - pad + kw;
                                    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                                    s += (double) dy[((n * OC + o) * OH + oh) * OW + ow]
                                            * x[((n * C + c) * H + ih) * W + iw];
                                }
                        dw[((o * C + c) * KH + kh) * KW + kw] += (float) s;
                    }
    }

    // ------------------------------------------------------------------------------------------ fast path

    /** y = conv(x, w) (overwrites y): im2col + one GEMM per chunk of images. */
    public static void forward(float[] y, float[] x, float[] w, int N, int C, int H, int W, int OC,
                               int KH, int KW, int stride, int pad, int OH, int OW) {
        Job job = Job.LOCAL.get();
        job.shape(N, C, H, W, OC, KH, KW, stride, pad, OH, OW);
        int K = C * KH * KW, OHW = OH * OW;
        try {
            for (int n0 = 0; n0 < N; n0 += job.chunk) {
                int nb = Math.min(job.chunk, N - n0), P = nb * OHW;
                float[] col = job.ws.col(K * P), out = job.ws.mat(OC * P);
                job.run(Job.IM2COL, x, col, n0, nb);
                Sgemm.sgemm(false, false, OC, P, K, 1f, w, 0, K, col, 0, P, 0f, out, 0, P);
                for (int n = 0; n < nb; n++)                     // (OC, nb·OHW) → (nb, OC, OHW)
                    for (int o = 0; o < OC; o++)
                        System.arraycopy(out, o * P + n * OHW, y, ((n0 + n) * OC + o) * OHW, OHW);
            }
        } finally {
            job.release();
        }
    }

    /** dx += convᵀ(dy, w): regroup dy, one GEMM (Wᵀ·DY) per chunk, then col2im accumulation. */
    public static void backwardData(float[] dx, float[] dy, float[] w, int N, int C, int H, int W, int OC,
                                    int KH, int KW, int stride, int pad, int OH, int OW) {
        Job job = Job.LOCAL.get();
        job.shape(N, C, H, W, OC, KH, KW, stride, pad, OH, OW);
        int K = C * KH * KW, OHW = OH * OW;
        try {
            for (int n0 = 0; n0 < N; n0 += job.chunk) {
                int nb = Math.min(job.chunk, N - n0), P = nb * OHW;
                float[] col = job.ws.col(K * P), g = job.ws.mat(OC * P);
                regroup(dy, g, n0, nb, OC, OHW);
                Sgemm.sgemm(true, false, K, P, OC, 1f, w, 0, K, g, 0, P, 0f, col, 0, P);
                job.run(Job.COL2IM, dx, col, n0, nb);
            }
        } finally {
            job.release();
        }
    }

    /** dw += Σ dy ⊗ patches: im2col, regroup dy, one GEMM (DY·colᵀ, accumulating into dw) per chunk. */
    public static void backwardFilter(float[] dw, float[] dy, float[] x, int N, int C, int H, int W, int OC,
                                      int KH, int KW, int stride, int pad, int OH, int OW) {
        Job job = Job.LOCAL.get();
        job.shape(N, C, H, W, OC, KH, KW, stride, pad, OH, OW);
        int K = C * KH * KW, OHW = OH * OW;
        try {
            for (int n0 = 0; n0 < N; n0 += job.chunk) {
                int nb = Math.min(job.chunk, N - n0), P = nb * OHW;
                float[] col = job.ws.col(K * P), g = job.ws.mat(OC * P);
                job.run(Job.IM2COL, x, col, n0, nb);
                regroup(dy, g, n0, nb, OC, OHW);
                Sgemm.sgemm(false, true, OC, K, P, 1f, g, 0, P, col, 0, P, 1f, dw, 0, K);
            }
        } finally {
            job.release();
        }
    }

    /** DY[o][n·OHW + p] = dy[n0 + n, o, p]: dy's images side by side, one row per output channel. */
    private static void regroup(float[] dy, float[] g, int n0, int nb, int OC, int OHW) {
        int P = nb * OHW;
        for (int n = 0; n < nb; n++)
            for (int o = 0; o < OC; o++)
                System.arraycopy(dy, ((n0 + n) * OC + o) * OHW, g, o * P + n * OHW, OHW);
    }

    /** Per-thread buffers, grown on demand. */
    private static final class Workspace {
        float[] col = new float[0], mat = new float[0];

        float[] col(int size) {
            if (col.length < size) col = new float[size];
            return col;
        }

        float[] mat(int size) {
            if (mat.length < size) mat = new float[size];
            return mat;
        }
    }

    /**
     * The parallel im2col / col2im passes, as a reusable {@link CpuThreads.Task} (one per calling thread).
     * im2col splits the K rows of col; col2im splits the (image, channel) planes of dx, so each dx element is
     * written by one thread with a fixed (kh, kw, oh, ow) order.
     */
    private static final class Job implements CpuThreads.Task {
        static final ThreadLocal<Job> LOCAL = ThreadLocal.withInitial(Job::new);
        static final int IM2COL = 0, COL2IM = 1;

        final Workspace ws = new Workspace();
        int N, C, H, W, OC, KH, KW, stride, pad, OH, OW, chunk;
        int op, n0, nb;
        float[] img, col;

        void shape(int N, int C, int H, int W, int OC, int KH, int KW, int stride, int pad, int OH, int OW) {
            if (N < 0 || C < 1 || H < 0 || W < 0 || OC < 1 || KH < 1 || KW < 1 || stride < 1 || pad < 0
                    || OH < 0 || OW < 0)
                throw new IllegalArgumentException("bad conv shape");
            this.N = N; this.C = C; this.H = H; this.W = W; this.OC = OC; this.KH = KH; this.KW = KW;
            this.stride = stride; this.pad = pad; this.OH = OH; this.OW = OW;
            long perImage = Math.max(1L, (long) C * KH * KW * OH * OW);
            chunk = (int) Math.max(1, Math.min(Math.max(N, 1), CHUNK_FLOATS / perImage));
        }

        void run(int op, float[] img, float[] col, int n0, int nb) {
            this.op = op; this.img = img; this.col = col; this.n0 = n0; this.nb = nb;
            CpuThreads.parallel(this);
        }

        void release() {
            img = col = null;
        }

        @Override
        public void run(int part, int parts) {
            if (op == IM2COL) {
                int K = C * KH * KW;
                for (int r = (int) ((long) K * part / parts), end = (int) ((long) K * (part + 1) / parts); r < end; r++)
                    im2colRow(r);
            } else {
                int planes = nb * C;
                for (int q = (int) ((long) planes * part / parts), end = (int) ((long) planes * (part + 1) / parts);
                     q < end; q++)
                    col2imPlane(q / C, q % C);
            }
        }

        /** Fills row r = (c·KH + kh)·KW + kw of col for the chunk's images. */
        private void im2colRow(int r) {
            int kw = r % KW, kh = (r / KW) % KH, c = r / (KW * KH), P = nb * OH * OW;
            int owLo = validLo(kw, W), owHi = validHi(kw, W);          // ow range whose iw is inside [0, W)
            for (int n = 0; n < nb; n++) {
                int src = ((n0 + n) * C + c) * H * W, dst = r * P + n * OH * OW;
                for (int oh = 0; oh < OH; oh++, dst += OW) {
                    int ih = oh * stride - pad + kh;
                    if (ih < 0 || ih >= H || owLo >= owHi) {
                        java.util.Arrays.fill(col, dst, dst + OW, 0f);
                        continue;
                    }
                    for (int ow = 0; ow < owLo; ow++) col[dst + ow] = 0f;
                    int s = src + ih * W + owLo * stride - pad + kw;
                    if (stride == 1) System.arraycopy(img, s, col, dst + owLo, owHi - owLo);
                    else for (int ow = owLo; ow < owHi; ow++, s += stride) col[dst + ow] = img[s];
                    for (int ow = owHi; ow < OW; ow++) col[dst + ow] = 0f;
                }
            }
        }

        /** dx[n0+n, c] += every col entry that im2col would have read from that plane. */
        private void col2imPlane(int n, int c) {
            int P = nb * OH * OW, base = ((n0 + n) * C + c) * H * W;
            for (int kh = 0; kh < KH; kh++)
                for (int kw = 0; kw < KW; kw++) {
                    int r = (c * KH + kh) * KW + kw, owLo = validLo(kw, W), owHi = validHi(kw, W);
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh * stride - pad + kh;
                        if (ih < 0 || ih >= H) continue;
                        int src = r * P + (n * OH + oh) * OW, d = base + ih * W + owLo * stride - pad + kw;
                        for (int ow = owLo; ow < owHi; ow++, d += stride) img[d] += col[src + ow];
                    }
                }
        }

        /** Smallest ow with ow·stride − pad + k ≥ 0 (clamped to [0, OW]). */
        private int validLo(int k, int size) {
            int need = pad - k;                                          // ow·stride ≥ need
            int lo = need <= 0 ? 0 : (need + stride - 1) / stride;
            return Math.min(lo, OW);
        }

        /** One past the largest ow with ow·stride − pad + k < size (clamped to [validLo, OW]). */
        private int validHi(int k, int size) {
            int lim = size - 1 + pad - k;                                // ow·stride ≤ lim
            int hi = lim < 0 ? 0 : lim / stride + 1;
            return Math.max(Math.min(hi, OW), validLo(k, size));
        }
    }
}
