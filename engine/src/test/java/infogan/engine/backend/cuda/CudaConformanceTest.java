package infogan.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;
import infogan.kernels.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every Backend method of {@link CudaBackend} against plain float64 loops written here, on seeded inputs, with
 * |gpu − ref| ≤ atol + rtol·|ref|. Each failure prints the first mismatches and the max difference.
 * Runs on two backends when cuBLAS or cuDNN is found: the default one (libraries) and one forced onto our own
 * gemm.cu / im2col.cu kernels. Skipped (never failed) where {@link GpuProbe} finds no GPU.
 */
class CudaConformanceTest {
    static final List<CudaBackend> backends = new ArrayList<>();

    @BeforeAll
    static void start() {
        if (!GpuProbe.probe().available()) return;          // every test is then skipped by skipWithoutGpu
        CudaBackend def = CudaBackend.create();
        backends.add(def);
        System.out.println("[conformance] " + def.describe());
        if (def.usesCublas() || def.usesCudnn()) {
            System.setProperty("infogan.cuda.cublas", "off");
            System.setProperty("infogan.cuda.cudnn", "off");
            try {
                CudaBackend own = CudaBackend.create();
                backends.add(own);
                System.out.println("[conformance] " + own.describe());
            } finally {
                System.clearProperty("infogan.cuda.cublas");
                System.clearProperty("infogan.cuda.cudnn");
            }
        }
    }

    /** Per test (not in @BeforeAll) so that each test is reported as skipped, with the reason. */
    @BeforeEach
    void skipWithoutGpu() {
        GpuProbe.Result r = GpuProbe.probe();
        assumeTrue(r.available(), "skipped, no GPU: " + r.reason());
    }

    @AfterAll
    static void stop() {
        for (CudaBackend b : backends) b.close();
        backends.clear();
    }

    // ---------------------------------------------------------------- helpers
    static double[] rand(long seed, int n, double lo, double hi) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.nextDouble();
        return a;
    }

    /** Rounds to float32, so the reference sees exactly what the device sees. */
    static double[] f32(double[] a) {
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) b[i] = (float) a[i];
        return b;
    }

    static Storage put(CudaBackend be, double[] a) {
        Storage s = be.alloc(a.length);
        be.write(s, a);
        return s;
    }

    static double[] get(CudaBackend be, Storage s) {
        double[] a = new double[s.length()];
        be.read(s, a);
        return a;
    }

    static void check(String what, double[] ref, double[] got, double atol, double rtol) {
        assertEquals(ref.length, got.length, what + ": length");
        double maxDiff = 0;
        int bad = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(ref[i] - got[i]);
            boolean ok = d <= atol + rtol * Math.abs(ref[i]) && Double.isFinite(got[i]) == Double.isFinite(ref[i]);
            if (!(d <= maxDiff) || Double.isNaN(d)) maxDiff = Double.isNaN(d) ? Double.NaN : Math.max(maxDiff, d);
            if (!ok && bad++ < 8) sb.append(String.format("%n  [%d] ref %.9g gpu %.9g |diff| %.3g", i, ref[i], got[i], d));
        }
        if (bad > 0) fail(what + ": " + bad + "/" + ref.length + " mismatches (atol " + atol + ", rtol " + rtol
                + "), max |diff| " + maxDiff + ", first:" + sb);
    }

    static void check(String what, double ref, double got, double atol, double rtol) {
        check(what, new double[] {ref}, new double[] {got}, atol, rtol);
    }

    static final double AT = 1e-5, RT = 1e-5;

    // ---------------------------------------------------------------- elementwise
    @Test
    void elementwise() {
        for (CudaBackend be : backends) {
            int n = 10_007;
            double[] a = f32(rand(1, n, -2, 2)), b = f32(rand(2, n, -2, 2)), y0 = f32(rand(3, n, -1, 1));
            Storage sa = put(be, a), sb = put(be, b), y = put(be, y0);

            be.fill(y, n, 0.75);
            double[] r = new double[n];
            java.util.Arrays.fill(r, 0.75);
            check("fill", r, get(be, y), 0, 0);
            be.copy(y, sa, n);
            check("copy", a, get(be, y), 0, 0);
            be.add(y, sa, sb, n);
            for (int i = 0; i < n; i++) r[i] = a[i] + b[i];
            check("add", r, get(be, y), AT, RT);
            be.write(y, y0);
            be.axpy(y, sa, n, -0.3);
            for (int i = 0; i < n; i++) r[i] = y0[i] - 0.3 * a[i];
            check("axpy", r, get(be, y), AT, RT);
            be.scale(y, sa, n, 1.7);
            for (int i = 0; i < n; i++) r[i] = 1.7 * a[i];
            check("scale", r, get(be, y), AT, RT);
            be.mul(y, sa, sb, n);
            for (int i = 0; i < n; i++) r[i] = a[i] * b[i];
            check("mul", r, get(be, y), AT, RT);
            be.write(y, y0);
            be.mulAcc(y, sa, sb, n);
            for (int i = 0; i < n; i++) r[i] = y0[i] + a[i] * b[i];
            check("mulAcc", r, get(be, y), AT, RT);
            for (Storage s : List.of(sa, sb, y)) be.release(s);
        }
    }

    @Test
    void copyBlock() {
        for (CudaBackend be : backends) {
            int rows = 37, cols = 13, srcStride = 20, dstStride = 29, srcOff = 3, dstOff = 5;
            double[] src = f32(rand(4, srcOff + rows * srcStride, -1, 1)), dst0 = f32(rand(5, dstOff + rows * dstStride, -1, 1));
            for (boolean acc : new boolean[] {false, true}) {
                Storage s = put(be, src), d = put(be, dst0);
                be.copyBlock(d, dstOff, dstStride, s, srcOff, srcStride, rows, cols, acc);
                double[] r = dst0.clone();
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) {
                        double v = src[srcOff + i * srcStride + j];
                        r[dstOff + i * dstStride + j] = acc ? r[dstOff + i * dstStride + j] + v : v;
                    }
                check("copyBlock acc=" + acc, r, get(be, d), AT, RT);
                be.release(s);
                be.release(d);
            }
        }
    }

    @Test
    void activations() {
        for (CudaBackend be : backends) {
            int n = 4099;
            double alpha = 0.2;
            double[] xs = f32(rand(6, n, -6, 6)), dy = f32(rand(7, n, -1, 1)), dx0 = f32(rand(8, n, -1, 1));
            xs[0] = 0; xs[1] = 40; xs[2] = -40;
            double[] positive = f32(rand(9, n, 0.05, 6));
            for (Activation f : Activation.values()) {
                double[] x = f == Activation.LOG ? positive : xs;      // ln needs x > 0
                Storage sx = put(be, x), sy = be.alloc(n), sdy = put(be, dy), sdx = put(be, dx0);
                be.activationForward(f, sy, sx, n, alpha);
                double[] ry = new double[n], rdx = new double[n];
                for (int i = 0; i < n; i++) {
                    double v = x[i];
                    ry[i] = switch (f) {
                        case RELU -> Math.max(v, 0);
                        case LEAKY_RELU -> v > 0 ? v : alpha * v;
                        case SIGMOID -> 1 / (1 + Math.exp(-v));
                        case TANH -> Math.tanh(v);
                        case EXP -> Math.exp(v);
                        case LOG -> Math.log(v);
                    };
                }
                double[] gy = get(be, sy);
                check(f + " forward", ry, gy, 2e-6, 2e-6);
                be.activationBackward(f, sdx, sdy, sx, sy, n, alpha);
                for (int i = 0; i < n; i++) {
                    double v = x[i], yy = gy[i];       // the kernel differentiates through the stored float y
                    double g = switch (f) {
                        case RELU -> v > 0 ? 1 : 0;
                        case LEAKY_RELU -> v > 0 ? 1 : alpha;
                        case SIGMOID -> yy * (1 - yy);
                        case TANH -> 1 - yy * yy;
                        case EXP -> yy;
                        case LOG -> 1 / v;
                    };
                    rdx[i] = dx0[i] + g * dy[i];
                }
                check(f + " backward", rdx, get(be, sdx), 2e-6, 2e-6);
                for (Storage s : List.of(sx, sy, sdy, sdx)) be.release(s);
            }
        }
    }

    // ---------------------------------------------------------------- broadcasting and reductions
    @Test
    void biasAndReductions() {
        for (CudaBackend be : backends) {
            int outer = 7, c = 5, inner = 49, n = outer * c * inner;
            double[] x = f32(rand(9, n, -1, 1)), b = f32(rand(10, c, -1, 1)), db0 = f32(rand(11, c, -1, 1));
            Storage sx = put(be, x), sb = put(be, b), sy = be.alloc(n), sdb = put(be, db0);
            be.biasAdd(sy, sx, sb, outer, c, inner);
            double[] r = new double[n], rdb = db0.clone();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < c; j++)
                    for (int i = 0; i < inner; i++) {
                        int idx = (o * c + j) * inner + i;
                        r[idx] = x[idx] + b[j];
                        rdb[j] += x[idx];
                    }
            check("biasAdd", r, get(be, sy), AT, RT);
            be.biasGrad(sdb, sx, outer, c, inner);
            check("biasGrad", rdb, get(be, sdb), 1e-4, 1e-5);

            Storage s1 = be.alloc(1);
            be.sum(s1, sx, n, 0.5);
            double tot = 0;
            for (double v : x) tot += v;
            check("sum", 0.5 * tot, get(be, s1)[0], 1e-4, 1e-5);
            double[] dx0 = f32(rand(12, n, -1, 1));
            Storage sdx = put(be, dx0);
            be.broadcastScalarAcc(sdx, s1, n, -2.0);
            double g = (float) (0.5 * tot);
            for (int i = 0; i < n; i++) r[i] = dx0[i] - 2.0 * g;
            check("broadcastScalarAcc", r, get(be, sdx), 1e-4, 1e-5);
            for (Storage s : List.of(sx, sb, sy, sdb, s1, sdx)) be.release(s);
        }
    }

    // ---------------------------------------------------------------- gemm
    static double[] refGemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, double[] b,
                            double beta, double[] c0) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c0[i * n + j]);
            }
        return c;
    }

    /**
     * Every transpose case and beta, odd sizes; the last two shapes are long and thin, so that on our kernels they take
     * the split-K path (9 and 4 slices on 132 SMs, the emulator's count; the last slice shorter), which must agree with
     * the reference like the one-pass GEMM and must really have run.
     */
    @Test
    void gemm() {
        int[][] shapes = {{67, 45, 33}, {1, 1, 1}, {128, 64, 64}, {100, 74, 1024}, {3, 300, 129}, {37, 19, 5000},
                {5, 70, 2051}};
        for (CudaBackend be : backends) {
            long sums = be.kernelLaunches().getOrDefault(Kernel.GEMM_SPLITK_SUM, 0L), expectSums = 0;
            for (int[] sh : shapes)
                for (int t = 0; t < 4; t++)
                    for (double beta : new double[] {0, 0.5}) {
                        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                        int m = sh[0], n = sh[1], k = sh[2];
                        double[] a = f32(rand(13 + t, m * k, -1, 1)), b = f32(rand(17 + t, k * n, -1, 1));
                        double[] c0 = f32(rand(21, m * n, -1, 1));
                        if (beta == 0) c0[0] = Double.NaN;       // beta == 0 must overwrite NaNs
                        Storage sa = put(be, a), sb = put(be, b), sc = put(be, c0);
                        be.gemm(ta, tb, m, n, k, 1.25, sa, sb, beta, sc);
                        int slices = be.gemmSplit(m, n, k)[0];
                        if (slices > 1) expectSums++;
                        check(String.format("gemm %s ta=%b tb=%b %dx%dx%d beta=%s", be.usesCublas() ? "cublas"
                                        : slices > 1 ? "gemm.cu split-K " + slices : "gemm.cu", ta, tb, m, n, k, beta),
                                refGemm(ta, tb, m, n, k, 1.25, a, b, beta, c0), get(be, sc), 1e-4 * Math.sqrt(k), 1e-4);
                        for (Storage s : List.of(sa, sb, sc)) be.release(s);
                    }
            assertEquals(expectSums, be.kernelLaunches().getOrDefault(Kernel.GEMM_SPLITK_SUM, 0L) - sums,
                    "split-K sums launched");
            if (!be.usesCublas()) assertTrue(expectSums >= 24, "the long thin shapes took the split-K path: " + expectSums);
        }
    }

    // ---------------------------------------------------------------- convolution
    static final ConvGeom[] GEOMS = {
            ConvGeom.of(4, 1, 28, 28, 8, 4, 4, 2, 1),      // D's first layer
            ConvGeom.of(3, 8, 14, 14, 16, 4, 4, 2, 1),     // D's second layer / G's last (transposed)
            ConvGeom.of(2, 5, 7, 7, 4, 3, 3, 1, 1),
            ConvGeom.of(2, 3, 9, 8, 2, 3, 2, 2, 0),        // odd sizes, no padding, kh != kw
    };

    static double xAt(double[] x, ConvGeom g, int img, int ci, int iy, int ix) {
        if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) return 0;
        return x[((img * g.c() + ci) * g.h() + iy) * g.w() + ix];
    }

    @Test
    void conv2d() {
        for (CudaBackend be : backends)
            for (ConvGeom g : GEOMS) {
                String tag = (be.usesCudnn() ? "cudnn " : "im2col ") + g;
                double[] x = f32(rand(31, g.inputSize(), -1, 1)), w = f32(rand(32, g.weightSize(), -1, 1));
                double[] dy = f32(rand(33, g.outputSize(), -1, 1));
                double[] dx0 = f32(rand(34, g.inputSize(), -1, 1)), dw0 = f32(rand(35, g.weightSize(), -1, 1));
                double[] y = new double[g.outputSize()], dx = dx0.clone(), dw = dw0.clone();
                for (int img = 0; img < g.n(); img++)
                    for (int o = 0; o < g.oc(); o++)
                        for (int oy = 0; oy < g.oh(); oy++)
                            for (int ox = 0; ox < g.ow(); ox++) {
                                int yi = ((img * g.oc() + o) * g.oh() + oy) * g.ow() + ox;
                                double s = 0;
                                for (int ci = 0; ci < g.c(); ci++)
                                    for (int ki = 0; ki < g.kh(); ki++)
                                        for (int kj = 0; kj < g.kw(); kj++) {
                                            int iy = oy * g.stride() - g.pad() + ki, ix = ox * g.stride() - g.pad() + kj;
                                            int wi = ((o * g.c() + ci) * g.kh() + ki) * g.kw() + kj;
                                            double xv = xAt(x, g, img, ci, iy, ix);
                                            s += w[wi] * xv;
                                            dw[wi] += dy[yi] * xv;
                                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w())
                                                dx[((img * g.c() + ci) * g.h() + iy) * g.w() + ix] += w[wi] * dy[yi];
                                        }
                                y[yi] = s;
                            }
                Storage sx = put(be, x), sw = put(be, w), sdy = put(be, dy), sdx = put(be, dx0), sdw = put(be, dw0);
                Storage sy = put(be, rand(36, g.outputSize(), 5, 6));
                be.conv2dForward(sy, sx, sw, g);
                check("conv2dForward " + tag, y, get(be, sy), 1e-4, 1e-4);
                be.conv2dBackwardData(sdx, sdy, sw, g);
                check("conv2dBackwardData " + tag, dx, get(be, sdx), 1e-4, 1e-4);
                be.conv2dBackwardFilter(sdw, sdy, sx, g);
                check("conv2dBackwardFilter " + tag, dw, get(be, sdw), 1e-3, 1e-4);
                for (Storage s : List.of(sx, sw, sdy, sdx, sdw, sy)) be.release(s);
            }
    }

    /**
     * Same inputs, same bits: the promise "same seed, backend and thread count → the same numbers" on the GPU, and
     * what a replayed graph being equal to eager steps rests on. cuDNN's backward passes have non-deterministic
     * algorithms (atomics) that its heuristics may rank first; {@link Cudnn#pick} must pass them over. Each op runs
     * three times into fresh outputs (backward ones accumulate onto the same start) and must agree to the bit.
     */
    @Test
    void convolutionsAndGemmRepeatToTheBit() {
        for (CudaBackend be : backends)
            for (ConvGeom g : new ConvGeom[] {GEOMS[0], GEOMS[1]}) {
                String tag = (be.usesCudnn() ? "cudnn " : "im2col ") + g;
                Storage sx = put(be, f32(rand(51, g.inputSize(), -1, 1))), sw = put(be, f32(rand(52, g.weightSize(), -1, 1)));
                Storage sdy = put(be, f32(rand(53, g.outputSize(), -1, 1)));
                double[] dx0 = f32(rand(54, g.inputSize(), -1, 1)), dw0 = f32(rand(55, g.weightSize(), -1, 1));
                double[][] first = null;
                for (int rep = 0; rep < 3; rep++) {
                    Storage sy = be.alloc(g.outputSize()), sdx = put(be, dx0), sdw = put(be, dw0);
                    Storage sc = be.alloc(g.oc() * g.oc());
                    be.conv2dForward(sy, sx, sw, g);
                    be.conv2dBackwardData(sdx, sdy, sw, g);
                    be.conv2dBackwardFilter(sdw, sdy, sx, g);
                    be.gemm(false, true, g.oc(), g.oc(), g.outputSize() / g.oc(), 1.0, sdy, sdy, 0.0, sc);
                    double[][] now = {get(be, sy), get(be, sdx), get(be, sdw), get(be, sc)};
                    if (first == null) first = now;
                    else
                        for (int k = 0; k < now.length; k++)
                            check(tag + " repeat " + rep + " of " + new String[] {"forward", "backward data",
                                    "backward filter", "gemm"}[k], first[k], now[k], 0, 0);
                    for (Storage s : List.of(sy, sdx, sdw, sc)) be.release(s);
                }
                for (Storage s : List.of(sx, sw, sdy)) be.release(s);
            }
    }

    // ---------------------------------------------------------------- batch normalisation
    @Test
    void batchNorm() {
        for (CudaBackend be : backends)
            for (int[] sh : new int[][] {{8, 6, 49}, {100, 16, 1}, {3, 2, 300}}) {
                int outer = sh[0], c = sh[1], inner = sh[2], n = outer * c * inner, m = outer * inner;
                double mom = 0.1, eps = 1e-5;
                double[] x = f32(rand(41, n, -2, 3)), gamma = f32(rand(42, c, 0.5, 1.5)), beta = f32(rand(43, c, -1, 1));
                double[] rm0 = f32(rand(44, c, -1, 1)), rv0 = f32(rand(45, c, 0.5, 2)), dy = f32(rand(46, n, -1, 1));
                double[] mean = new double[c], is = new double[c], y = new double[n], rm = new double[c], rv = new double[c];
                double[] ye = new double[n], dx = new double[n], dg = new double[c], db = new double[c];
                double[] dx0 = f32(rand(47, n, -1, 1)), dg0 = f32(rand(48, c, -1, 1)), db0 = f32(rand(49, c, -1, 1));
                for (int j = 0; j < c; j++) {
                    double s = 0, q = 0, sdy = 0, sdyx = 0;
                    for (int o = 0; o < outer; o++) for (int i = 0; i < inner; i++) s += x[(o * c + j) * inner + i];
                    mean[j] = s / m;
                    for (int o = 0; o < outer; o++) for (int i = 0; i < inner; i++) {
                        double d = x[(o * c + j) * inner + i] - mean[j];
                        q += d * d;
                    }
                    double var = q / m;
                    is[j] = 1 / Math.sqrt(var + eps);
                    rm[j] = (1 - mom) * rm0[j] + mom * mean[j];
                    rv[j] = (1 - mom) * rv0[j] + mom * var * m / (m - 1);
                    for (int o = 0; o < outer; o++) for (int i = 0; i < inner; i++) {
                        int k = (o * c + j) * inner + i;
                        double xh = (x[k] - mean[j]) * is[j];
                        y[k] = gamma[j] * xh + beta[j];
                        ye[k] = gamma[j] * (x[k] - rm0[j]) / Math.sqrt(rv0[j] + eps) + beta[j];
                        sdy += dy[k];
                        sdyx += dy[k] * xh;
                    }
                    dg[j] = dg0[j] + sdyx;
                    db[j] = db0[j] + sdy;
                    for (int o = 0; o < outer; o++) for (int i = 0; i < inner; i++) {
                        int k = (o * c + j) * inner + i;
                        double xh = (x[k] - mean[j]) * is[j];
                        dx[k] = dx0[k] + gamma[j] * is[j] / m * (m * dy[k] - sdy - xh * sdyx);
                    }
                }
                String tag = " " + outer + "x" + c + "x" + inner;
                Storage sx = put(be, x), sg = put(be, gamma), sbeta = put(be, beta), srm = put(be, rm0), srv = put(be, rv0);
                Storage sy = be.alloc(n), smean = be.alloc(c), sis = be.alloc(c);
                be.batchNormForwardEval(sy, sx, sg, sbeta, srm, srv, outer, c, inner, eps);
                check("batchNormForwardEval" + tag, ye, get(be, sy), 1e-5, 1e-5);
                be.batchNormForwardTrain(sy, smean, sis, sx, sg, sbeta, srm, srv, outer, c, inner, mom, eps);
                check("batchNormForwardTrain y" + tag, y, get(be, sy), 1e-4, 1e-4);
                check("batchNormForwardTrain mean" + tag, mean, get(be, smean), 1e-5, 1e-5);
                check("batchNormForwardTrain invStd" + tag, is, get(be, sis), 1e-5, 1e-4);
                check("batchNormForwardTrain runMean" + tag, rm, get(be, srm), 1e-5, 1e-5);
                check("batchNormForwardTrain runVar" + tag, rv, get(be, srv), 1e-5, 1e-4);
                Storage sdy = put(be, dy), sdx = put(be, dx0), sdg = put(be, dg0), sdb = put(be, db0);
                be.batchNormBackward(sdx, sdg, sdb, sdy, sx, smean, sis, sg, outer, c, inner);
                check("batchNormBackward dx" + tag, dx, get(be, sdx), 1e-4, 1e-3);
                check("batchNormBackward dgamma" + tag, dg, get(be, sdg), 1e-4, 1e-4);
                check("batchNormBackward dbeta" + tag, db, get(be, sdb), 1e-4, 1e-4);
                be.write(sdx, dx0);
                be.batchNormBackward(sdx, null, null, sdy, sx, smean, sis, sg, outer, c, inner);   // optional outputs
                check("batchNormBackward dx only" + tag, dx, get(be, sdx), 1e-4, 1e-3);
                be.write(sdg, dg0);
                be.batchNormBackward(null, sdg, null, sdy, sx, smean, sis, sg, outer, c, inner);
                check("batchNormBackward dgamma only" + tag, dg, get(be, sdg), 1e-4, 1e-4);
                for (Storage s : List.of(sx, sg, sbeta, srm, srv, sy, smean, sis, sdy, sdx, sdg, sdb)) be.release(s);
            }
    }

    // ---------------------------------------------------------------- fused losses
    @Test
    void bceWithLogits() {
        for (CudaBackend be : backends) {
            int n = 1000;
            double[] z = f32(rand(51, n, -8, 8)), t = f32(rand(52, n, 0, 1)), dz0 = f32(rand(53, n, -1, 1));
            z[0] = 400; z[1] = -400; t[0] = 0; t[1] = 1; z[2] = 400; t[2] = 1; z[3] = -400; t[3] = 0;
            double loss = 0;
            for (int i = 0; i < n; i++) loss += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
            loss /= n;
            Storage sz = put(be, z), st = put(be, t), sl = be.alloc(1), sdl = put(be, new double[] {0.7}), sdz = put(be, dz0);
            be.bceWithLogitsForward(sl, sz, st, n);
            double got = get(be, sl)[0];
            assertTrue(Double.isFinite(got), "bce loss finite for logits ±400");
            check("bceWithLogitsForward", loss, got, 1e-5, 1e-5);
            be.bceWithLogitsBackward(sdz, sdl, sz, st, n);
            double[] r = new double[n];
            double g = (double) 0.7f / n;
            for (int i = 0; i < n; i++) r[i] = dz0[i] + g * (1 / (1 + Math.exp(-z[i])) - t[i]);
            check("bceWithLogitsBackward", r, get(be, sdz), 1e-6, 1e-5);
            for (Storage s : List.of(sz, st, sl, sdl, sdz)) be.release(s);
        }
    }

    @Test
    void softmaxCrossEntropy() {
        for (CudaBackend be : backends)
            for (int[] sh : new int[][] {{100, 10}, {37, 70}, {1, 1}}) {
                int b = sh[0], k = sh[1];
                double[] z = f32(rand(61, b * k, -5, 5)), dz0 = f32(rand(62, b * k, -1, 1)), labels = new double[b];
                SplittableRandom r = new SplittableRandom(63);
                for (int i = 0; i < b; i++) labels[i] = r.nextInt(k);
                if (k > 1) { z[0] = 400; z[1] = -400; }
                double loss = 0;
                double[] p = new double[b * k], dz = dz0.clone();
                for (int i = 0; i < b; i++) {
                    double mx = Double.NEGATIVE_INFINITY, se = 0;
                    for (int j = 0; j < k; j++) mx = Math.max(mx, z[i * k + j]);
                    for (int j = 0; j < k; j++) se += Math.exp(z[i * k + j] - mx);
                    double lse = mx + Math.log(se);
                    for (int j = 0; j < k; j++) p[i * k + j] = Math.exp(z[i * k + j] - lse);
                    loss += lse - z[i * k + (int) labels[i]];
                }
                loss /= b;
                double g = (double) 1.3f / b;
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < k; j++) dz[i * k + j] += g * (p[i * k + j] - (j == (int) labels[i] ? 1 : 0));
                Storage sz = put(be, z), sp = be.alloc(b * k), slab = put(be, labels), sl = be.alloc(1);
                Storage sdl = put(be, new double[] {1.3}), sdz = put(be, dz0);
                be.softmaxCrossEntropyForward(sl, sp, sz, slab, b, k);
                check("softmaxCrossEntropyForward loss " + b + "x" + k, loss, get(be, sl)[0], 1e-4, 1e-5);
                check("softmaxCrossEntropyForward probs " + b + "x" + k, p, get(be, sp), 1e-6, 1e-4);
                be.softmaxCrossEntropyBackward(sdz, sdl, sp, slab, b, k);
                check("softmaxCrossEntropyBackward " + b + "x" + k, dz, get(be, sdz), 1e-6, 1e-4);
                for (Storage s : List.of(sz, sp, slab, sl, sdl, sdz)) be.release(s);
            }
    }

    @Test
    void gaussianNll() {
        for (CudaBackend be : backends) {
            int b = 50, d = 3, n = b * d;
            double[] x = f32(rand(71, n, -2, 2)), mu = f32(rand(72, n, -2, 2)), ls = f32(rand(73, n, -1, 1));
            ls[0] = -30; ls[1] = 30; ls[2] = -30; x[2] = mu[2];
            double[] dmu0 = f32(rand(74, n, -1, 1)), dls0 = f32(rand(75, n, -1, 1));
            double loss = 0, g = (double) 0.9f / b;
            double[] dmu = dmu0.clone(), dls = dls0.clone();
            for (int i = 0; i < n; i++) {
                double rr = (x[i] - mu[i]) * Math.exp(-ls[i]);
                loss += ls[i] + 0.5 * Math.log(2 * Math.PI) + 0.5 * rr * rr;
                dmu[i] += g * (mu[i] - x[i]) * Math.exp(-2 * ls[i]);
                dls[i] += g * (1 - rr * rr);
            }
            loss /= b;
            Storage sx = put(be, x), smu = put(be, mu), sls = put(be, ls), sl = be.alloc(1), sdl = put(be, new double[] {0.9});
            Storage sdmu = put(be, dmu0), sdls = put(be, dls0);
            be.gaussianNllForward(sl, sx, smu, sls, b, d);
            double got = get(be, sl)[0];
            assertTrue(Double.isFinite(got), "Gaussian NLL finite for logSigma in [-30, 30]");
            check("gaussianNllForward", loss, got, 1e-4, 1e-5);
            be.gaussianNllBackward(sdmu, sdls, sdl, sx, smu, sls, b, d);
            check("gaussianNllBackward dmu", dmu, get(be, sdmu), 1e-5, 1e-5);
            check("gaussianNllBackward dlogSigma", dls, get(be, sdls), 1e-5, 1e-5);
            be.write(sdls, dls0);
            be.gaussianNllBackward(null, sdls, sdl, sx, smu, sls, b, d);
            check("gaussianNllBackward dlogSigma only", dls, get(be, sdls), 1e-5, 1e-5);
            for (Storage s : List.of(sx, smu, sls, sl, sdl, sdmu, sdls)) be.release(s);
        }
    }

    // ---------------------------------------------------------------- optimiser
    @Test
    void adam() {
        for (CudaBackend be : backends) {
            int n = 3001;
            double lr = 2e-4, b1 = 0.5, b2 = 0.999, eps = 1e-8;
            double[] p = f32(rand(81, n, -1, 1)), gr = f32(rand(82, n, -1, 1)), m = f32(rand(83, n, -0.1, 0.1));
            double[] v = f32(rand(84, n, 0, 0.01));
            int t = 3;                                   // t is read on the device from a storage
            double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
            Storage sp = put(be, p), sg = put(be, gr), sm = put(be, m), sv = put(be, v), st = put(be, new double[] {t});
            be.adamStep(sp, sg, sm, sv, n, lr, b1, b2, eps, st);
            double[] rp = new double[n], rm = new double[n], rv = new double[n];
            for (int i = 0; i < n; i++) {
                rm[i] = b1 * m[i] + (1 - b1) * gr[i];
                rv[i] = b2 * v[i] + (1 - b2) * gr[i] * gr[i];
                rp[i] = p[i] - lr * (rm[i] / bc1) / (Math.sqrt(rv[i] / bc2) + eps);
            }
            check("adam m", rm, get(be, sm), 1e-6, 1e-5);
            check("adam v", rv, get(be, sv), 1e-7, 1e-5);
            check("adam p", rp, get(be, sp), 1e-6, 1e-5);
            for (Storage s : List.of(sp, sg, sm, sv, st)) be.release(s);
        }
    }

    // ---------------------------------------------------------------- memory
    @Test
    void allocatorReusesReleasedBlocks() {
        CudaBackend be = backends.get(0);
        Storage a = be.alloc(12345);
        be.release(a);
        long before = be.memoryStats()[2];
        Storage b = be.alloc(12345);
        assertEquals(before, be.memoryStats()[2], "a released block of the same size is reused, no cuMemAlloc");
        be.fill(b, 12345, 1);
        be.release(b);
        Storage z = be.zeros(5);
        check("zeros", new double[5], get(be, z), 0, 0);
        be.release(z);
    }

    // ---------------------------------------------------------------- CUDA graphs
    /** A small training step: conv, leaky ReLU, mean, their backward, Adam with t on the device, a running loss sum. */
    /**
     * A small training step on the device: a convolution and a dense head on its activations (so that the
     * recording holds convolutions and GEMMs, through cuDNN and cuBLAS where present), two mean losses, their
     * backward passes, Adam on both weights with its step count t on the device.
     */
    static final class MiniStep {
        final CudaBackend be;
        final ConvGeom g = ConvGeom.of(8, 3, 12, 12, 16, 4, 4, 2, 1);
        final int n = g.outputSize(), nw = g.weightSize(), rows = g.n(), cols = n / g.n(), outs = 4, nu = outs * cols;
        final Storage x, w, m, v, dw, u, mu, vu, du, t, one, loss, loss2, lossSum;

        MiniStep(CudaBackend be) {
            this.be = be;
            x = put(be, f32(rand(91, g.inputSize(), -1, 1)));
            w = put(be, f32(rand(92, nw, -0.2, 0.2)));
            u = put(be, f32(rand(93, nu, -0.1, 0.1)));
            m = be.zeros(nw); v = be.zeros(nw); dw = be.zeros(nw); t = be.zeros(1); loss = be.zeros(1); lossSum = be.zeros(1);
            mu = be.zeros(nu); vu = be.zeros(nu); du = be.zeros(nu); loss2 = be.zeros(1);
            one = put(be, new double[] {1});
        }

        void run() {
            Storage y = be.alloc(n), a = be.alloc(n), da = be.zeros(n), dy = be.zeros(n);
            Storage z = be.alloc(rows * outs), dz = be.zeros(rows * outs);
            be.conv2dForward(y, x, w, g);
            be.activationForward(Activation.LEAKY_RELU, a, y, n, 0.1);
            be.sum(loss, a, n, 1.0 / n);
            be.gemm(false, true, rows, outs, cols, 1.0, a, u, 0.0, z);         // z = a u^T (a as rows x cols)
            be.sum(loss2, z, rows * outs, 1.0 / (rows * outs));
            be.broadcastScalarAcc(dz, one, rows * outs, 1.0 / (rows * outs));
            be.gemm(true, false, outs, cols, rows, 1.0, dz, a, 0.0, du);        // du = dz^T a
            be.broadcastScalarAcc(da, one, n, 1.0 / n);
            be.gemm(false, false, rows, cols, outs, 1.0, dz, u, 1.0, da);       // da += dz u
            be.activationBackward(Activation.LEAKY_RELU, dy, da, y, a, n, 0.1);
            be.fill(dw, nw, 0);
            be.conv2dBackwardFilter(dw, dy, x, g);
            be.axpy(t, one, 1, 1.0);
            be.adamStep(w, dw, m, v, nw, 1e-2, 0.5, 0.999, 1e-8, t);
            be.adamStep(u, du, mu, vu, nu, 1e-2, 0.5, 0.999, 1e-8, t);
            be.axpy(lossSum, loss, 1, 1.0);
            be.axpy(lossSum, loss2, 1, 1.0);
            for (Storage s : List.of(y, a, da, dy, z, dz)) be.release(s);
        }
    }

    @Test
    void aRecordedGraphReplaysLikeEagerLaunches() {
        assumeTrue(backends.get(0).describe().contains("CUDA graphs"), "graphs are off (-Dinfogan.cuda.graph=off or the sync switch)");
        for (CudaBackend be : backends) {
            MiniStep eager = new MiniStep(be), graphed = new MiniStep(be);
            for (int i = 0; i < 5; i++) eager.run();
            graphed.run();                                  // one eager run, then recorded at the second
            Backend.Replay r = be.capture(graphed::run);
            assertNotNull(r, "recording failed: " + be.describe());
            assertTrue(r.operations() >= 10, "graph nodes: " + r.operations());
            for (int i = 0; i < 4; i++) r.replay();
            check("graph: Adam's t", 5, get(be, graphed.t)[0], 0, 0);
            check("graph: weights after 5 steps", get(be, eager.w), get(be, graphed.w), 1e-6, 1e-5);
            check("graph: dense weights after 5 steps", get(be, eager.u), get(be, graphed.u), 1e-6, 1e-5);
            check("graph: second moments", get(be, eager.v), get(be, graphed.v), 1e-9, 1e-5);
            check("graph: summed loss", get(be, eager.lossSum)[0], get(be, graphed.lossSum)[0], 1e-6, 1e-5);
            System.out.println("[conformance] graph of " + r.operations() + " nodes replays like eager launches; " + be.activity());
            r.close();
            eager.run();                                    // blocks the graph owned are back in the pool and usable
            check("after close: t", 6, get(be, eager.t)[0], 0, 0);
        }
    }

    /**
     * A recorded graph keeps using the cuDNN workspace it was recorded with. When a larger shape later grows the
     * workspace, the old block must stay reserved: back in the allocator, the next allocation of its size would get
     * it and every replay would overwrite that tensor. A tensor of exactly the old block's size, allocated after the
     * growth, must come through two replays unchanged.
     */
    @Test
    void aGraphKeepsItsCudnnWorkspaceWhenALargerShapeGrowsIt() {
        assumeTrue(backends.get(0).describe().contains("CUDA graphs"), "graphs are off (-Dinfogan.cuda.graph=off or the sync switch)");
        CudaBackend be = backends.get(0);
        assumeTrue(be.usesCudnn(), "no cuDNN");
        MiniStep step = new MiniStep(be);
        step.run();
        Backend.Replay r = be.capture(step::run);
        assertNotNull(r, "recording failed: " + be.describe());
        long ws = be.cudnnWorkspaceBytes();
        assumeTrue(ws > 0 && ws % 4 == 0, "cuDNN's workspace for this step is " + ws + " bytes");
        ConvGeom big = ConvGeom.of(1, 64, 28, 28, 8, 4, 4, 1, 2);
        Storage x = put(be, f32(rand(61, big.inputSize(), -1, 1))), w = put(be, f32(rand(62, big.weightSize(), -1, 1)));
        Storage y = be.alloc(big.outputSize());
        be.conv2dForward(y, x, w, big);
        assumeTrue(be.cudnnWorkspaceBytes() > ws, "the larger shape did not need a larger workspace");
        double[] fill = new double[(int) (ws / 4)];
        java.util.Arrays.fill(fill, 3.25);
        Storage victim = put(be, fill);
        r.replay();
        r.replay();
        check("a tensor allocated after the workspace grew, after two replays", fill, get(be, victim), 0, 0);
        for (Storage s : List.of(x, w, y, victim)) be.release(s);
        r.close();
    }

    @Test
    void aHostCopyWhileRecordingIsRefusedAndTheStreamRecovers() {
        assumeTrue(backends.get(0).describe().contains("CUDA graphs"), "graphs are off (-Dinfogan.cuda.graph=off or the sync switch)");
        for (CudaBackend be : backends) {
            Storage s = be.zeros(4);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> be.capture(() -> { be.fill(s, 4, 1); be.write(s, new float[] {1, 2, 3, 4}); }));
            assertTrue(e.getMessage().contains("while recording a CUDA graph"), e.getMessage());
            be.fill(s, 4, 2);                               // the stream is out of capture mode: eager work runs
            check("after a refused recording", new double[] {2, 2, 2, 2}, get(be, s), 0, 0);
            be.release(s);
        }
    }

    /** More small uploads than the pinned ring holds, with no synchronisation between them: none may be lost. */
    @Test
    void uploadsThatWrapThePinnedRingKeepTheirValues() {
        for (CudaBackend be : backends) {
            int n = 1 << 18;                                // 1 MiB each, 40 of them through an 8 MiB ring
            List<Storage> ss = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                float[] v = new float[n];
                java.util.Arrays.fill(v, i + 0.5f);
                Storage s = be.alloc(n);
                be.write(s, v);                             // returns before the copy has run
                ss.add(s);
            }
            for (int i = 0; i < ss.size(); i++) {
                double[] got = get(be, ss.get(i));
                double[] want = new double[n];
                java.util.Arrays.fill(want, i + 0.5);
                check("upload " + i + " of 40 through the ring", want, got, 0, 0);
                be.release(ss.get(i));
            }
        }
    }
}
