package infogan.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sgemm: single-precision general matrix multiply on row-major arrays,
 *
 * <pre>
 *     C  =  alpha · op(A) · op(B)  +  beta · C          C is m×n, op(A) is m×k, op(B) is k×n
 * </pre>
 *
 * where op(X) = X, or Xᵀ when the matching {@code trans} flag is set (then A is stored k×m, B stored n×k).
 * Element (i, j) of a row-major matrix X with leading dimension ldX lives at {@code x[xOff + i*ldX + j]}.
 * When {@code beta == 0} the old C is never read, so NaN or garbage in C is overwritten.
 *
 * <p>{@link #sgemmReference} is the specification: the triple loop, accumulated in double.
 *
 * <p>{@link #sgemm} is the fast version, the Goto/BLIS scheme:
 * <pre>
 *   pack op(A) into MR-row strips, k-major  (once per call; per strip and slice below when over A_ONCE_MAX)
 *   for jc in n step NC                      (a column block of C / B)
 *     for pc in k step KC                    (a slice of the sum)       pack op(B)[pc:+KC, jc:+NC] into NR-wide panels
 *       for ir in m step MR                  (one MR-row strip of C)    its A panel: op(A)[ir:+MR, pc:+KC]
 *         for jr in NC step NR:              micro-kernel: C[ir:+MR, jr:+NR] (+)= Apanel · Bpanel
 * </pre>
 * Packing copies each operand block into the exact order the micro-kernel reads it (k-major, zero-padded to
 * whole tiles), so the transposes cost nothing in the kernel and edge tiles run the same code. The micro-kernel
 * keeps an MR×NR tile of C in {@code 2·MR} vector registers: each step over k loads two vectors of the B panel,
 * gets MR values of the A panel into vectors and issues {@code 2·MR} fused multiply-adds. It is written for
 * {@code FloatVector.SPECIES_PREFERRED}; NR = 2 vectors, so the tile is 6×16 on AVX2 and 6×32 on AVX-512.
 * How an A value becomes a vector depends on the instruction set ({@link #BROADCAST_A}): on AVX-512 the kernel
 * broadcasts it from a plain packed panel ({@link #kernelBroadcast}); on AVX2, where C2's broadcast of an array
 * element goes through a general-purpose register plus a shuffle, A is packed pre-broadcast (each value repeated
 * VL times) and read with plain vector loads ({@link #kernel}). The A panel stays in L1 while the B block
 * (KC×NC) streams from L2.
 * Tried and dropped: reading non-transposed B in place instead of packing it (no pack cost, but strided
 * re-reads of B per strip) measured 25-35% slower on 2048³ and on the k = 6272 shape; computing A·Bᵀ with m &lt; n
 * as Cᵀ = B·Aᵀ so the transpose packs the smaller operand measured 2-3× slower (every tile then folds into C
 * transposed, by scalar writes a row of C apart).
 *
 * <p>Every C element is computed by the same sequence of operations wherever it falls (fma chain over k in
 * KC slices, then one update of C per slice), so slicing the output across threads — which is all
 * {@link CpuThreads} parallelism does here — gives bit-identical results for any thread count. k is never split.
 * (KC follows the micro-kernel, 256 with AVX-512 and 128 with AVX2, so the two kinds of CPU differ in the last bits.)
 *
 * <p>Steady state allocates nothing: packing buffers live in a per-thread {@link Workspace}, grown on demand,
 * and the parallel task object is per calling thread.
 *
 * <p>{@link #sgemmScalar} runs the same blocking with a plain-Java micro-kernel (left to C2's auto-vectoriser);
 * it is kept only so the benchmark can show what the Vector API buys: about 2.3 GFLOP/s against 35-50 GFLOP/s
 * for the vector kernel on one core of the (AVX2) development machine.
 */
public final class Sgemm {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    /** Micro-tile: MR rows × NR columns of C held in registers. */
    public static final int MR = 6, NR = 2 * VL;
    /**
     * How the kernel gets each A value into a vector. With AVX-512 C2 broadcasts a scalar with one
     * {@code vpbroadcastd} from a general register, so A is packed plain (MR values per k) and broadcast in the
     * kernel; the micro-kernel then runs at the FMA peak (266 GFLOP/s on one Zen 5 core, against 125 for the
     * pre-broadcast panel, which no longer fits L1). AVX2 has no broadcast from a general register, and there the
     * pre-broadcast panel measured 1.8× faster (129 vs 72 GFLOP/s on the same core with {@code -XX:UseAVX=2}).
     * {@code -Dinfogan.sgemm.broadcast=true|false} overrides the choice.
     */
    public static final boolean BROADCAST_A = Boolean.parseBoolean(System.getProperty("infogan.sgemm.broadcast", String.valueOf(VL >= 16)));

    /** The micro-kernels: {@link #sgemm} uses the vector one {@link #BROADCAST_A} picks; tests and benchmarks pick. */
    public enum Micro {
        /** {@link #kernelBroadcast}: A packed plain, each value broadcast in the kernel. */
        BROADCAST,
        /** {@link #kernel}: A packed pre-broadcast, read with plain vector loads. */
        PREBROADCAST,
        /** {@link #kernelScalar}: plain Java over the pre-broadcast panel (left to C2's auto-vectoriser). */
        SCALAR;

        /** Floats per A value in the packed panel. */
        int aWidth() { return this == BROADCAST ? 1 : VL; }
    }

    /** The micro-kernel {@link #sgemm} uses on this CPU. */
    public static final Micro DEFAULT = BROADCAST_A ? Micro.BROADCAST : Micro.PREBROADCAST;
    /** Cache blocking: the MR×KC A panel (MR·KC floats, ·VL when pre-broadcast) stays in L1, the KC×NC B block in L2. */
    static final int KC = Integer.getInteger("infogan.sgemm.kc", BROADCAST_A ? 256 : 128),
                     NC = Integer.getInteger("infogan.sgemm.nc", 512);
    /** Largest op(A) (in floats, per thread) packed once per call rather than once per NC block. */
    static final long A_ONCE_MAX = 4L << 20;
    /** Below this many multiply-adds a product runs on the calling thread only. */
    static final long PARALLEL_THRESHOLD = 1L << 20;

    private Sgemm() {}

    // ------------------------------------------------------------------------------------------ reference

    /** The specification: C = alpha·op(A)·op(B) + beta·C by the triple loop, sums in double. */
    public static void sgemmReference(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += (double) aip * bpj;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = (float) (alpha * sum + (beta == 0 ? 0 : (double) beta * c[ci]));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ fast path

    /** C = alpha·op(A)·op(B) + beta·C, packed and register-blocked with the Vector API, on {@link CpuThreads}. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        sgemm(DEFAULT, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** Same blocking and threading as {@link #sgemm}, scalar micro-kernel (for measurement only). */
    public static void sgemmScalar(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        sgemm(Micro.SCALAR, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** {@link #sgemm} with the given micro-kernel (the two vector kernels give bit-identical results). */
    public static void sgemm(Micro micro, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if ((long) m * n * k < PARALLEL_THRESHOLD || CpuThreads.threads() == 1) {
            serial(Workspace.get(), micro, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc);
            return;
        }
        Job job = Job.LOCAL.get();
        job.set(micro, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        try {
            CpuThreads.parallel(job);
        } finally {
            job.a = job.b = job.c = null;   // don't keep the caller's arrays alive
        }
    }

    /**
     * One parallel GEMM call. Part p of P takes a contiguous slice of C's columns (when n ≥ m) or rows, cut on
     * NR / MR boundaries, and runs the serial algorithm on that sub-product: a column slice of C needs the same
     * columns of op(B), a row slice the same rows of op(A), which is just an offset into the stored array.
     */
    private static final class Job implements CpuThreads.Task {
        static final ThreadLocal<Job> LOCAL = ThreadLocal.withInitial(Job::new);
        Micro micro;
        boolean transA, transB;
        int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        float alpha, beta;
        float[] a, b, c;

        void set(Micro micro, boolean transA, boolean transB, int m, int n, int k, float alpha,
                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
            this.micro = micro; this.transA = transA; this.transB = transB;
            this.m = m; this.n = n; this.k = k; this.alpha = alpha; this.beta = beta;
            this.a = a; this.aOff = aOff; this.lda = lda;
            this.b = b; this.bOff = bOff; this.ldb = ldb;
            this.c = c; this.cOff = cOff; this.ldc = ldc;
        }

        @Override
        public void run(int part, int parts) {
            Workspace ws = Workspace.get();
            if (n >= m) {
                int lo = slice(n, NR, part, parts), hi = slice(n, NR, part + 1, parts);
                if (lo >= hi) return;
                int bo = bOff + (transB ? lo * ldb : lo);
                serial(ws, micro, transA, transB, m, hi - lo, k, alpha, a, aOff, lda, b, bo, ldb,
                        beta, c, cOff + lo, ldc);
            } else {
                int lo = slice(m, MR, part, parts), hi = slice(m, MR, part + 1, parts);
                if (lo >= hi) return;
                int ao = aOff + (transA ? lo : lo * lda);
                serial(ws, micro, transA, transB, hi - lo, n, k, alpha, a, ao, lda, b, bOff, ldb,
                        beta, c, cOff + lo * ldc, ldc);
            }
        }

        /** Start of slice {@code part} when {@code len} is cut into {@code parts} pieces of whole {@code unit}s. */
        private static int slice(int len, int unit, int part, int parts) {
            int units = (len + unit - 1) / unit;
            return Math.min(len, (int) ((long) units * part / parts) * unit);
        }
    }

    /** Per-thread packing buffers, grown on demand and then reused. */
    static final class Workspace {
        private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);
        float[] aPack = new float[0], bPack = new float[0];
        final float[] tile = new float[MR * NR];

        static Workspace get() {
            return LOCAL.get();
        }

        float[] a(int size) {
            if (aPack.length < size) aPack = new float[size];
            return aPack;
        }

        float[] b(int size) {
            if (bPack.length < size) bPack = new float[size];
            return bPack;
        }
    }

    /** How a finished tile of sums {@code acc} (over one KC slice) is folded into C. */
    private static final int OVERWRITE = 0,   // first slice, beta == 0 :  c = alpha·acc
                             SCALE = 1,       // first slice, beta != 0 :  c = fma(acc, alpha, beta·c)
                             ACCUMULATE = 2;  // later slices            :  c = fma(acc, alpha, c)

    /** The single-threaded blocked algorithm (see the class comment). */
    static void serial(Workspace ws, Micro micro, boolean transA, boolean transB, int m, int n, int k,
                       float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (k == 0) {                                   // no products: C = beta·C
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    int ci = cOff + i * ldc + j;
                    c[ci] = beta == 0 ? 0f : beta * c[ci];
                }
            return;
        }
        int kcMax = Math.min(KC, k), aw = micro.aWidth();
        // Pack all of op(A) once (strip s at ap[s·MR·k·aw], k-major) instead of once per NC block of columns, unless
        // it is too big (then per strip and slice). Pre-broadcast, it is VL times bigger, but reading it back costs
        // little next to the FMAs, where repacking per NC block was 7.5% of a training step on AVX2.
        boolean aOnce = (long) roundUp(m, MR) * k * aw <= A_ONCE_MAX;
        float[] ap = ws.a(aOnce ? roundUp(m, MR) * k * aw : MR * aw * kcMax);
        if (aOnce)
            for (int ir = 0; ir < m; ir += MR) packA(ap, ir * k * aw, aw, transA, a, aOff, lda, ir, Math.min(MR, m - ir), 0, k);
        float[] bp = ws.b(roundUp(Math.min(NC, n), NR) * kcMax);
        float[] tile = ws.tile;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int mode = pc > 0 ? ACCUMULATE : beta == 0 ? OVERWRITE : SCALE;
                packB(bp, transB, b, bOff, ldb, pc, kc, jc, nc);
                for (int ir = 0; ir < m; ir += MR) {
                    int mr = Math.min(MR, m - ir), ai = (ir * k + pc * MR) * aw;
                    if (!aOnce) {
                        packA(ap, 0, aw, transA, a, aOff, lda, ir, mr, pc, kc);
                        ai = 0;
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int ci = cOff + ir * ldc + jc + jr;
                        switch (micro) {                               // B panel jr/NR starts at jr·kc
                            case BROADCAST -> kernelBroadcast(kc, ap, ai, bp, jr * kc, tile);
                            case PREBROADCAST -> kernel(kc, ap, ai, bp, jr * kc, tile);
                            case SCALAR -> kernelScalar(kc, ap, ai, bp, jr * kc, tile);
                        }
                        if (mr == MR && nr == NR) fold(tile, c, ci, ldc, alpha, beta, mode);
                        else foldEdge(tile, mr, nr, c, ci, ldc, alpha, beta, mode);   // ragged edge
                    }
                }
            }
        }
    }

    private static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /**
     * Packs one MR-row micro-panel op(A)[i0:+mr, pc:+kc]; rows past mr are zero. With {@code aw == 1} plainly,
     * op(A)[i0+r, pc+p] at {@code ap[p*MR + r]}, for the broadcasting kernel. Otherwise <em>pre-broadcast</em>: VL
     * copies at {@code ap[(p*MR + r)*VL ...]}, so the kernel reads each A value as one plain vector load (on AVX2
     * C2 compiles a broadcast through a general-purpose register and an FP-pipe shuffle, which halved the kernel's
     * speed).
     */
    static void packA(float[] ap, int at, int aw, boolean transA, float[] a, int aOff, int lda, int i0, int mr, int pc, int kc) {
        if (aw == 1) {                                 // plain: ap[at + p*MR + r] = op(A)[i0+r, pc+p]
            for (int r = 0; r < MR; r++) {
                int d = at + r;
                if (r >= mr) for (int p = 0; p < kc; p++) ap[d + p * MR] = 0f;
                else if (transA) for (int p = 0, src = aOff + pc * lda + i0 + r; p < kc; p++) ap[d + p * MR] = a[src + p * lda];
                else for (int p = 0, src = aOff + (i0 + r) * lda + pc; p < kc; p++) ap[d + p * MR] = a[src + p];
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            for (int r = 0; r < MR; r++) {
                float v = r >= mr ? 0f : transA ? a[aOff + (pc + p) * lda + i0 + r] : a[aOff + (i0 + r) * lda + pc + p];
                FloatVector.broadcast(S, v).intoArray(ap, at + (p * MR + r) * VL);
            }
        }
    }

    /**
     * Packs op(B)[pc:+kc, jc:+nc] into NR-wide panels: panel j0/NR holds, for each p, the NR values
     * op(B)[pc+p, jc+j0+j] at {@code bp[j0*kc + p*NR + j]}; columns past nc are zero.
     */
    static void packB(float[] bp, boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc) {
        if (!transB) {
            // op(B)[p][j] = b[p*ldb + j]: walk each row of B once, left to right (streams from memory),
            // dealing NR-wide pieces out to the panels.
            int full = nc / NR * NR;
            for (int p = 0; p < kc; p++) {
                int src = bOff + (pc + p) * ldb + jc;
                for (int j0 = 0; j0 < full; j0 += NR) {
                    int dst = j0 * kc + p * NR;
                    FloatVector.fromArray(S, b, src + j0).intoArray(bp, dst);
                    FloatVector.fromArray(S, b, src + j0 + VL).intoArray(bp, dst + VL);
                }
                if (full < nc) {
                    int dst = full * kc + p * NR;
                    for (int j = 0; j < NR; j++) bp[dst + j] = full + j < nc ? b[src + full + j] : 0f;
                }
            }
            return;
        }
        int from = 0;
        if (VL == 16) {                                // whole panels: 16×16 blocks transposed in registers
            int full = nc / NR * NR, kv = kc / VL * VL;
            for (int j0 = 0; j0 < full; j0 += NR)
                for (int jb = 0; jb < NR; jb += VL) {
                    int src = bOff + (jc + j0 + jb) * ldb + pc, dst = j0 * kc + jb;
                    for (int p0 = 0; p0 < kv; p0 += VL) transpose16(b, src + p0, ldb, bp, dst + p0 * NR);
                    for (int j = 0; j < VL; j++)
                        for (int p = kv; p < kc; p++) bp[dst + p * NR + j] = b[src + j * ldb + p];
                }
            from = full;
        }
        for (int j0 = from; j0 < nc; j0 += NR) {       // op(B)[p][j] = b[j*ldb + p]: columns contiguous in p
            int cols = Math.min(NR, nc - j0), base = j0 * kc;
            for (int j = 0; j < NR; j++) {
                if (j < cols) {
                    int src = bOff + (jc + j0 + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = b[src + p];
                } else {
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * Index vectors of {@link #transpose16}'s four stages: stage s pairs rows i and i + d (d = 8, 4, 2, 1) and, within
     * every group of 2d lanes, the low output takes the first d lanes of each row and the high output the last d
     * (indices ≥ 16 select from the second row). After the four stages row q holds column q.
     */
    private static final FloatVector[] T_LO = new FloatVector[4], T_HI = new FloatVector[4];
    static {
        if (VL == 16)
            for (int st = 0; st < 4; st++) {
                int d = 8 >> st;
                float[] lo = new float[16], hi = new float[16];
                for (int l = 0; l < 16; l++) {
                    int g = l / (2 * d) * 2 * d, o = l % (2 * d);
                    lo[l] = o < d ? g + o : 16 + g + o - d;
                    hi[l] = o < d ? g + d + o : 16 + g + o;
                }
                T_LO[st] = FloatVector.fromArray(S, lo, 0);
                T_HI[st] = FloatVector.fromArray(S, hi, 0);
            }
    }

    /**
     * Writes the transpose of the 16×16 block b[src + i·ldb + q] (row i, column q) to bp[dst + q·NR + i]: 16 vector
     * loads, four stages of two-vector {@code selectFrom} (vpermt2ps), 16 vector stores. The vectors are locals, not
     * an array: an array of vectors is not kept in registers and measured 5× slower than the scalar loop; written out
     * like this it packs a transposed B 2.1× faster than the scalar loop (1.5 vs 3.1 ms for 1024×6272, one core).
     */
    static void transpose16(float[] b, int src, int ldb, float[] bp, int dst) {
        FloatVector r0 = FloatVector.fromArray(S, b, src + 0 * ldb), r1 = FloatVector.fromArray(S, b, src + 1 * ldb);
        FloatVector r2 = FloatVector.fromArray(S, b, src + 2 * ldb), r3 = FloatVector.fromArray(S, b, src + 3 * ldb);
        FloatVector r4 = FloatVector.fromArray(S, b, src + 4 * ldb), r5 = FloatVector.fromArray(S, b, src + 5 * ldb);
        FloatVector r6 = FloatVector.fromArray(S, b, src + 6 * ldb), r7 = FloatVector.fromArray(S, b, src + 7 * ldb);
        FloatVector r8 = FloatVector.fromArray(S, b, src + 8 * ldb), r9 = FloatVector.fromArray(S, b, src + 9 * ldb);
        FloatVector r10 = FloatVector.fromArray(S, b, src + 10 * ldb), r11 = FloatVector.fromArray(S, b, src + 11 * ldb);
        FloatVector r12 = FloatVector.fromArray(S, b, src + 12 * ldb), r13 = FloatVector.fromArray(S, b, src + 13 * ldb);
        FloatVector r14 = FloatVector.fromArray(S, b, src + 14 * ldb), r15 = FloatVector.fromArray(S, b, src + 15 * ldb);
        { FloatVector x = r0, y = r8; r0 = T_LO[0].selectFrom(x, y); r8 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r1, y = r9; r1 = T_LO[0].selectFrom(x, y); r9 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r2, y = r10; r2 = T_LO[0].selectFrom(x, y); r10 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r3, y = r11; r3 = T_LO[0].selectFrom(x, y); r11 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r4, y = r12; r4 = T_LO[0].selectFrom(x, y); r12 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r5, y = r13; r5 = T_LO[0].selectFrom(x, y); r13 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r6, y = r14; r6 = T_LO[0].selectFrom(x, y); r14 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r7, y = r15; r7 = T_LO[0].selectFrom(x, y); r15 = T_HI[0].selectFrom(x, y); }
        { FloatVector x = r0, y = r4; r0 = T_LO[1].selectFrom(x, y); r4 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r1, y = r5; r1 = T_LO[1].selectFrom(x, y); r5 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r2, y = r6; r2 = T_LO[1].selectFrom(x, y); r6 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r3, y = r7; r3 = T_LO[1].selectFrom(x, y); r7 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r8, y = r12; r8 = T_LO[1].selectFrom(x, y); r12 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r9, y = r13; r9 = T_LO[1].selectFrom(x, y); r13 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r10, y = r14; r10 = T_LO[1].selectFrom(x, y); r14 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r11, y = r15; r11 = T_LO[1].selectFrom(x, y); r15 = T_HI[1].selectFrom(x, y); }
        { FloatVector x = r0, y = r2; r0 = T_LO[2].selectFrom(x, y); r2 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r1, y = r3; r1 = T_LO[2].selectFrom(x, y); r3 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r4, y = r6; r4 = T_LO[2].selectFrom(x, y); r6 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r5, y = r7; r5 = T_LO[2].selectFrom(x, y); r7 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r8, y = r10; r8 = T_LO[2].selectFrom(x, y); r10 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r9, y = r11; r9 = T_LO[2].selectFrom(x, y); r11 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r12, y = r14; r12 = T_LO[2].selectFrom(x, y); r14 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r13, y = r15; r13 = T_LO[2].selectFrom(x, y); r15 = T_HI[2].selectFrom(x, y); }
        { FloatVector x = r0, y = r1; r0 = T_LO[3].selectFrom(x, y); r1 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r2, y = r3; r2 = T_LO[3].selectFrom(x, y); r3 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r4, y = r5; r4 = T_LO[3].selectFrom(x, y); r5 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r6, y = r7; r6 = T_LO[3].selectFrom(x, y); r7 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r8, y = r9; r8 = T_LO[3].selectFrom(x, y); r9 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r10, y = r11; r10 = T_LO[3].selectFrom(x, y); r11 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r12, y = r13; r12 = T_LO[3].selectFrom(x, y); r13 = T_HI[3].selectFrom(x, y); }
        { FloatVector x = r14, y = r15; r14 = T_LO[3].selectFrom(x, y); r15 = T_HI[3].selectFrom(x, y); }
        r0.intoArray(bp, dst + 0 * NR); r1.intoArray(bp, dst + 1 * NR);
        r2.intoArray(bp, dst + 2 * NR); r3.intoArray(bp, dst + 3 * NR);
        r4.intoArray(bp, dst + 4 * NR); r5.intoArray(bp, dst + 5 * NR);
        r6.intoArray(bp, dst + 6 * NR); r7.intoArray(bp, dst + 7 * NR);
        r8.intoArray(bp, dst + 8 * NR); r9.intoArray(bp, dst + 9 * NR);
        r10.intoArray(bp, dst + 10 * NR); r11.intoArray(bp, dst + 11 * NR);
        r12.intoArray(bp, dst + 12 * NR); r13.intoArray(bp, dst + 13 * NR);
        r14.intoArray(bp, dst + 14 * NR); r15.intoArray(bp, dst + 15 * NR);
    }

    /**
     * The micro-kernel: tile[r][j] = Σ_p A[r][p]·B[p][j] over the packed (pre-broadcast) MR×kc A panel and the
     * kc×NR B panel at {@code bi}, accumulated in 2·MR vector registers and stored to the MR×NR {@code tile}.
     * (Folding into C is a separate step: inlining it here pushes C2 past its node budget and the accumulators
     * get boxed.)
     */
    static void kernel(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                    c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ai += MR * VL, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a0 = FloatVector.fromArray(S, ap, ai);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.fromArray(S, ap, ai + VL);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.fromArray(S, ap, ai + 2 * VL);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.fromArray(S, ap, ai + 3 * VL);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.fromArray(S, ap, ai + 4 * VL);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.fromArray(S, ap, ai + 5 * VL);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);          c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);         c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);     c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);     c31.intoArray(tile, 3 * NR + VL);
        c40.intoArray(tile, 4 * NR);     c41.intoArray(tile, 4 * NR + VL);
        c50.intoArray(tile, 5 * NR);     c51.intoArray(tile, 5 * NR + VL);
    }

    /** {@link #kernel} with A packed plain: each A value is broadcast from the panel (the AVX-512 default). */
    static void kernelBroadcast(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                    c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0);          c01.intoArray(tile, VL);
        c10.intoArray(tile, NR);         c11.intoArray(tile, NR + VL);
        c20.intoArray(tile, 2 * NR);     c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);     c31.intoArray(tile, 3 * NR + VL);
        c40.intoArray(tile, 4 * NR);     c41.intoArray(tile, 4 * NR + VL);
        c50.intoArray(tile, 5 * NR);     c51.intoArray(tile, 5 * NR + VL);
    }

    /** Folds a full MR×NR tile of sums into C, a vector at a time (same arithmetic as {@link #foldEdge}). */
    private static void fold(float[] tile, float[] c, int ci, int ldc, float alpha, float beta, int mode) {
        FloatVector al = FloatVector.broadcast(S, alpha);
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < NR; j += VL) {
                FloatVector s = FloatVector.fromArray(S, tile, r * NR + j);
                int x = ci + r * ldc + j;
                if (mode == OVERWRITE) {
                    s.mul(al).intoArray(c, x);
                } else {
                    FloatVector old = FloatVector.fromArray(S, c, x);
                    if (mode == SCALE) old = old.mul(beta);
                    s.fma(al, old).intoArray(c, x);
                }
            }
        }
    }

    /** Folds the valid mr×nr corner of an edge tile into C with exactly the arithmetic of {@link #fold}. */
    private static void foldEdge(float[] tile, int mr, int nr, float[] c, int ci, int ldc,
                                 float alpha, float beta, int mode) {
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                float s = tile[r * NR + j];
                int x = ci + r * ldc + j;
                c[x] = switch (mode) {
                    case OVERWRITE -> s * alpha;
                    case SCALE -> Math.fma(s, alpha, c[x] * beta);
                    default -> Math.fma(s, alpha, c[x]);
                };
            }
        }
    }

    /** Scalar micro-kernel with the same packed inputs and output (plain mul+add, so C2 may auto-vectorise the j loop). */
    static void kernelScalar(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile) {
        java.util.Arrays.fill(tile, 0f);
        for (int p = 0; p < kc; p++, ai += MR * VL, bi += NR) {
            for (int r = 0; r < MR; r++) {
                float av = ap[ai + r * VL];
                for (int j = 0; j < NR; j++) tile[r * NR + j] += av * bp[bi + j];
            }
        }
    }
}
