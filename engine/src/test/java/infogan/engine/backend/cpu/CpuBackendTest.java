package infogan.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import infogan.engine.backend.Activation;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@link CpuBackend} kernel against float64 expectations computed here with plain loops (seeded inputs,
 * atol + rtol), the numerical edge cases of the fused losses, and bit-identity between 1 and 2 threads.
 * Expected values are computed from the float32 inputs widened to double, so the tolerance covers only the
 * float32 arithmetic of the kernel.
 */
class CpuBackendTest {

    static final CpuBackend B = new CpuBackend(2);
    static final CpuBackend B1 = new CpuBackend(1);

    @AfterAll static void close() { B.close(); B1.close(); }

    // ---------------------------------------------------------------- helpers
    static double[] rnd(SplittableRandom r, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());   // float-representable
        return v;
    }

    static F32Storage st(double[] v) {
        F32Storage s = new F32Storage(v.length);
        for (int i = 0; i < v.length; i++) s.a[i] = (float) v[i];
        return s;
    }

    static double[] d(Storage s) {
        float[] a = ((F32Storage) s).a;
        double[] v = new double[a.length];
        for (int i = 0; i < a.length; i++) v[i] = a[i];
        return v;
    }

    /** |got − exp| ≤ atol + rtol·|exp| everywhere, else fail listing the first mismatches and the max difference. */
    static void close(String what, double[] exp, Storage got, double atol, double rtol) {
        double[] g = d(got);
        assertEquals(exp.length, g.length, what + ": length");
        StringBuilder bad = new StringBuilder();
        int count = 0;
        double maxDiff = 0;
        for (int i = 0; i < exp.length; i++) {
            double diff = Math.abs(g[i] - exp[i]);
            if (Double.isNaN(g[i]) != Double.isNaN(exp[i])) diff = Double.POSITIVE_INFINITY;
            if (Double.isNaN(diff)) diff = 0;   // both NaN
            maxDiff = Math.max(maxDiff, diff);
            if (diff > atol + rtol * Math.abs(exp[i]) && count++ < 5)
                bad.append(String.format("%n  [%d] expected %.9g got %.9g (diff %.3g)", i, exp[i], g[i], diff));
        }
        if (count > 0) fail(what + ": " + count + " mismatches, max diff " + maxDiff + bad);
    }

    static void close(String what, double[] exp, Storage got) { close(what, exp, got, 1e-5, 1e-5); }

    static double sigmoid(double z) { return 1 / (1 + Math.exp(-z)); }

    // ---------------------------------------------------------------- memory
    @Test void poolReusesExactSizesAndCopiesBothWays() {
        F32Storage a = B.alloc(100);
        assertEquals(100, a.length());
        B.release(a);
        assertSame(a, B.alloc(100), "the pool hands the released storage back");
        assertNotSame(a, B.alloc(100));
        assertEquals(99, B.alloc(99).length());
        B.release(a);
        assertThrows(IllegalStateException.class, () -> B.release(a));
        F32Storage s = B.alloc(3);
        B.write(s, new double[]{1.5, -2, 3});
        float[] f = new float[3];
        B.read(s, f);
        assertArrayEquals(new float[]{1.5f, -2f, 3f}, f);
        B.write(s, new float[]{4, 5});
        double[] dd = new double[3];
        B.read(s, dd);
        assertArrayEquals(new double[]{4, 5, 3}, dd);
        Storage z = B.zeros(7);
        assertArrayEquals(new double[7], d(z));
    }

    // ---------------------------------------------------------------- elementwise
    @Test void elementwise() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n : new int[]{1, 37, 100_003}) {
            double[] a = rnd(r, n, -2, 2), b = rnd(r, n, -2, 2), y0 = rnd(r, n, -1, 1);
            double[] e = new double[n];
            F32Storage y = st(y0);
            B.fill(y, n, 0.25);
            Arrays.fill(e, 0.25);
            close("fill", e, y);
            B.copy(y, st(a), n);
            close("copy", a, y);
            B.add(y, st(a), st(b), n);
            for (int i = 0; i < n; i++) e[i] = a[i] + b[i];
            close("add", e, y);
            y = st(y0);
            B.axpy(y, st(a), n, -0.7);
            for (int i = 0; i < n; i++) e[i] = y0[i] + (float) -0.7 * a[i];
            close("axpy", e, y);
            B.scale(y, st(a), n, 3.0);
            for (int i = 0; i < n; i++) e[i] = 3 * a[i];
            close("scale", e, y);
            B.mul(y, st(a), st(b), n);
            for (int i = 0; i < n; i++) e[i] = a[i] * b[i];
            close("mul", e, y);
            y = st(y0);
            B.mulAcc(y, st(a), st(b), n);
            for (int i = 0; i < n; i++) e[i] = y0[i] + a[i] * b[i];
            close("mulAcc", e, y);
        }
    }

    @Test void copyBlockAssignsAndAccumulates() {
        SplittableRandom r = new SplittableRandom(2);
        double[] src = rnd(r, 80, -1, 1), dst0 = rnd(r, 80, -1, 1);
        for (boolean acc : new boolean[]{false, true}) {
            F32Storage dst = st(dst0);
            B.copyBlock(dst, 3, 10, st(src), 2, 12, 6, 7, acc);
            double[] e = dst0.clone();
            for (int row = 0; row < 6; row++)
                for (int j = 0; j < 7; j++) {
                    double v = src[2 + row * 12 + j];
                    e[3 + row * 10 + j] = acc ? e[3 + row * 10 + j] + v : v;
                }
            close("copyBlock acc=" + acc, e, dst);
        }
    }

    @Test void activations() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 70_001;
        double[] x = rnd(r, n, -6, 6), dy = rnd(r, n, -1, 1), dx0 = rnd(r, n, -1, 1);
        x[0] = 0; x[1] = -0.0;
        double alpha = 0.2;
        double[] positive = rnd(r, n, 0.05, 6);
        for (Activation fn : Activation.values()) {
            double[] in = fn == Activation.LOG ? positive : x;      // ln needs x > 0
            double[] ey = new double[n], edx = new double[n];
            for (int i = 0; i < n; i++) {
                double xi = in[i], yi, der;
                switch (fn) {
                    case RELU -> { yi = Math.max(xi, 0); der = xi > 0 ? 1 : 0; }
                    case LEAKY_RELU -> { yi = xi > 0 ? xi : alpha * xi; der = xi > 0 ? 1 : alpha; }
                    case SIGMOID -> { yi = sigmoid(xi); der = yi * (1 - yi); }
                    case TANH -> { yi = Math.tanh(xi); der = 1 - yi * yi; }
                    case EXP -> { yi = Math.exp(xi); der = yi; }
                    case LOG -> { yi = Math.log(xi); der = 1 / xi; }
                    default -> throw new AssertionError(fn);
                }
                ey[i] = yi;
                edx[i] = dx0[i] + der * dy[i];
            }
            F32Storage y = B.alloc(n), dx = st(dx0);
            B.activationForward(fn, y, st(in), n, alpha);
            close(fn + " forward", ey, y, 1e-6, 1e-6);
            B.activationBackward(fn, dx, st(dy), st(in), y, n, alpha);
            close(fn + " backward", edx, dx, 1e-6, 1e-5);
        }
    }

    // ---------------------------------------------------------------- broadcasting and reductions
    @Test void biasAddAndGrad() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] sh : new int[][]{{100, 1024, 1}, {7, 5, 9}, {3, 64, 196}}) {
            int outer = sh[0], c = sh[1], inner = sh[2], n = outer * c * inner;
            double[] x = rnd(r, n, -1, 1), b = rnd(r, c, -1, 1), db0 = rnd(r, c, -1, 1);
            double[] e = new double[n], edb = db0.clone();
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < c; j++)
                    for (int i = 0; i < inner; i++) {
                        int k = (o * c + j) * inner + i;
                        e[k] = x[k] + b[j];
                        edb[j] += x[k];
                    }
            F32Storage y = B.alloc(n), db = st(db0);
            B.biasAdd(y, st(x), st(b), outer, c, inner);
            close("biasAdd " + Arrays.toString(sh), e, y);
            B.biasGrad(db, st(x), outer, c, inner);
            close("biasGrad " + Arrays.toString(sh), edb, db, 1e-4, 1e-5);
        }
    }

    @Test void sumAndBroadcast() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[]{1, 4095, 4097, 627_200, (1 << 21) + 3}) {
            double[] x = rnd(r, n, -1, 1), dx0 = rnd(r, n, -1, 1);
            double s = 0;
            for (double v : x) s += v;
            F32Storage y = B.alloc(1);
            B.sum(y, st(x), n, 0.5);
            close("sum n=" + n, new double[]{0.5 * s}, y, 1e-6 * Math.sqrt(n), 1e-5);
            F32Storage dx = st(dx0);
            B.broadcastScalarAcc(dx, st(new double[]{1.5}), n, -2);
            double[] e = new double[n];
            for (int i = 0; i < n; i++) e[i] = dx0[i] - 3;
            close("broadcastScalarAcc", e, dx);
        }
    }

    // ---------------------------------------------------------------- gemm
    @Test void gemmAllTransposes() {
        SplittableRandom r = new SplittableRandom(6);
        for (int[] mnk : new int[][]{{1, 1, 1}, {5, 7, 3}, {64, 100, 74}, {33, 130, 21}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            for (boolean ta : new boolean[]{false, true})
                for (boolean tb : new boolean[]{false, true})
                    for (double beta : new double[]{0, 1, -0.5}) {
                        double[] a = rnd(r, m * k, -1, 1), b = rnd(r, k * n, -1, 1), c0 = rnd(r, m * n, -1, 1);
                        if (beta == 0) Arrays.fill(c0, Double.NaN);
                        double alpha = 1.25;
                        double[] e = new double[m * n];
                        for (int i = 0; i < m; i++)
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int q = 0; q < k; q++)
                                    s += (ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
                                e[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c0[i * n + j]);
                            }
                        F32Storage c = st(c0);
                        B.gemm(ta, tb, m, n, k, alpha, st(a), st(b), beta, c);
                        close("gemm " + Arrays.toString(mnk) + " ta=" + ta + " tb=" + tb + " beta=" + beta, e, c,
                                1e-5 * k, 1e-5);
                    }
        }
    }

    // ---------------------------------------------------------------- convolution
    /** Direct convolution in double: y, dx = convT(dy, w) and dw = Σ dy ⊗ x-patch, by the definitions. */
    static double[][] convReference(ConvGeom g, double[] x, double[] w, double[] dy) {
        double[] y = new double[g.outputSize()], dx = new double[g.inputSize()], dw = new double[g.weightSize()];
        for (int n = 0; n < g.n(); n++)
            for (int o = 0; o < g.oc(); o++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int yi = ((n * g.oc() + o) * g.oh() + oy) * g.ow() + ox;
                        double s = 0;
                        for (int c = 0; c < g.c(); c++)
                            for (int r = 0; r < g.kh(); r++)
                                for (int q = 0; q < g.kw(); q++) {
                                    int iy = oy * g.stride() - g.pad() + r, ix = ox * g.stride() - g.pad() + q;
                                    if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                                    int xi = ((n * g.c() + c) * g.h() + iy) * g.w() + ix;
                                    int wi = ((o * g.c() + c) * g.kh() + r) * g.kw() + q;
                                    s += x[xi] * w[wi];
                                    dx[xi] += dy[yi] * w[wi];
                                    dw[wi] += dy[yi] * x[xi];
                                }
                        y[yi] = s;
                    }
        return new double[][]{y, dx, dw};
    }

    @Test void conv2d() {
        SplittableRandom r = new SplittableRandom(7);
        for (ConvGeom g : new ConvGeom[]{ConvGeom.of(3, 1, 28, 28, 8, 4, 4, 2, 1), ConvGeom.of(2, 5, 9, 7, 3, 3, 3, 1, 0),
                ConvGeom.of(4, 16, 7, 7, 12, 4, 4, 2, 1), ConvGeom.of(1, 2, 5, 5, 3, 3, 3, 2, 2)}) {
            double[] x = rnd(r, g.inputSize(), -1, 1), w = rnd(r, g.weightSize(), -1, 1),
                    dy = rnd(r, g.outputSize(), -1, 1), dx0 = rnd(r, g.inputSize(), -1, 1),
                    dw0 = rnd(r, g.weightSize(), -1, 1);
            double[][] ref = convReference(g, x, w, dy);
            double tol = 1e-5 * g.c() * g.kh() * g.kw();
            F32Storage y = st(new double[g.outputSize()]);
            Arrays.fill(y.a, Float.NaN);
            B.conv2dForward(y, st(x), st(w), g);
            close("conv forward " + g, ref[0], y, tol, 1e-5);
            F32Storage dx = st(dx0), dw = st(dw0);
            B.conv2dBackwardData(dx, st(dy), st(w), g);
            for (int i = 0; i < dx0.length; i++) ref[1][i] += dx0[i];
            close("conv backwardData " + g, ref[1], dx, 1e-5 * g.oc() * g.kh() * g.kw(), 1e-5);
            B.conv2dBackwardFilter(dw, st(dy), st(x), g);
            for (int i = 0; i < dw0.length; i++) ref[2][i] += dw0[i];
            close("conv backwardFilter " + g, ref[2], dw, 1e-5 * g.n() * g.oh() * g.ow(), 1e-5);
        }
    }

    // ---------------------------------------------------------------- batch normalisation
    @Test void batchNorm() {
        SplittableRandom r = new SplittableRandom(8);
        double momentum = 0.1, eps = 1e-5;
        for (int[] sh : new int[][]{{100, 1024, 1}, {100, 128, 49}, {6, 5, 1}, {4, 3, 25}}) {
            int outer = sh[0], c = sh[1], inner = sh[2], n = outer * c * inner, m = outer * inner;
            double[] x = rnd(r, n, -3, 5), gamma = rnd(r, c, 0.5, 1.5), beta = rnd(r, c, -1, 1),
                    rm0 = rnd(r, c, -1, 1), rv0 = rnd(r, c, 0.5, 2), dy = rnd(r, n, -1, 1),
                    dx0 = rnd(r, n, -1, 1), dg0 = rnd(r, c, -1, 1), db0 = rnd(r, c, -1, 1);
            double[] mean = new double[c], inv = new double[c], ey = new double[n], erm = new double[c],
                    erv = new double[c], eEval = new double[n], edx = dx0.clone(), edg = dg0.clone(), edb = db0.clone();
            for (int j = 0; j < c; j++) {
                double s = 0, ss = 0;
                for (int o = 0; o < outer; o++) for (int i = 0; i < inner; i++) s += x[(o * c + j) * inner + i];
                double mu = s / m;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++) ss += Math.pow(x[(o * c + j) * inner + i] - mu, 2);
                mean[j] = mu;
                inv[j] = 1 / Math.sqrt(ss / m + eps);
                erm[j] = 0.9 * rm0[j] + 0.1 * mu;
                erv[j] = 0.9 * rv0[j] + 0.1 * ss / (m - 1);
                double sdy = 0, sdyx = 0;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++) {
                        int k = (o * c + j) * inner + i;
                        double xh = (x[k] - mu) * inv[j];
                        ey[k] = gamma[j] * xh + beta[j];
                        eEval[k] = gamma[j] * (x[k] - rm0[j]) / Math.sqrt(rv0[j] + eps) + beta[j];
                        sdy += dy[k];
                        sdyx += dy[k] * xh;
                    }
                edb[j] += sdy;
                edg[j] += sdyx;
                for (int o = 0; o < outer; o++)
                    for (int i = 0; i < inner; i++) {
                        int k = (o * c + j) * inner + i;
                        double xh = (x[k] - mu) * inv[j];
                        edx[k] += gamma[j] * inv[j] / m * (m * dy[k] - sdy - xh * sdyx);
                    }
            }
            String tag = Arrays.toString(sh);
            F32Storage y = B.alloc(n), sm = B.alloc(c), si = B.alloc(c), rm = st(rm0), rv = st(rv0);
            B.batchNormForwardTrain(y, sm, si, st(x), st(gamma), st(beta), rm, rv, outer, c, inner, momentum, eps);
            close("bn train y " + tag, ey, y, 1e-5, 1e-5);
            close("bn mean " + tag, mean, sm, 1e-6, 1e-5);
            close("bn invStd " + tag, inv, si, 1e-6, 1e-5);
            close("bn runMean " + tag, erm, rm, 1e-6, 1e-5);
            close("bn runVar (unbiased) " + tag, erv, rv, 1e-6, 1e-5);
            F32Storage ye = B.alloc(n);
            B.batchNormForwardEval(ye, st(x), st(gamma), st(beta), st(rm0), st(rv0), outer, c, inner, eps);
            close("bn eval " + tag, eEval, ye, 1e-5, 1e-5);
            F32Storage dx = st(dx0), dg = st(dg0), db = st(db0);
            B.batchNormBackward(dx, dg, db, st(dy), st(x), sm, si, st(gamma), outer, c, inner);
            close("bn dx " + tag, edx, dx, 1e-5, 1e-4);
            close("bn dgamma " + tag, edg, dg, 1e-4, 1e-5);
            close("bn dbeta " + tag, edb, db, 1e-4, 1e-5);
            F32Storage dg2 = st(dg0);
            B.batchNormBackward(null, dg2, null, st(dy), st(x), sm, si, st(gamma), outer, c, inner);
            close("bn dgamma only " + tag, edg, dg2, 1e-4, 1e-5);
        }
    }

    // ---------------------------------------------------------------- losses
    @Test void bceWithLogits() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 100;
        double[] z = rnd(r, n, -8, 8), t = new double[n];
        for (int i = 0; i < n; i++) t[i] = r.nextBoolean() ? 1 : 0;
        t[5] = 0.3;
        double s = 0;
        double[] edz = rnd(r, n, -1, 1), dz0 = edz.clone();
        for (int i = 0; i < n; i++) {
            s += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
            edz[i] += 2.0 * (sigmoid(z[i]) - t[i]) / n;
        }
        F32Storage loss = B.alloc(1), dz = st(dz0);
        B.bceWithLogitsForward(loss, st(z), st(t), n);
        close("bce loss", new double[]{s / n}, loss);
        B.bceWithLogitsBackward(dz, st(new double[]{2}), st(z), st(t), n);
        close("bce grad", edz, dz, 1e-7, 1e-5);
    }

    @Test void bceWithLogitsAtPlusMinus400IsFiniteAndExact() {
        // closed form: z=400,t=1 → 0; z=400,t=0 → 400; z=−400,t=0 → 0; z=−400,t=1 → 400 (log1p(e^−400) = 0 in float)
        double[] z = {400, 400, -400, -400}, t = {1, 0, 0, 1};
        F32Storage loss = B.alloc(1), dz = st(new double[4]);
        B.bceWithLogitsForward(loss, st(z), st(t), 4);
        assertEquals(200.0, loss.a[0], 0.0, "(0 + 400 + 0 + 400) / 4");
        B.bceWithLogitsBackward(dz, st(new double[]{1}), st(z), st(t), 4);
        assertArrayEquals(new float[]{0, 0.25f, 0, -0.25f}, dz.a, 0f);
    }

    @Test void softmaxCrossEntropy() {
        SplittableRandom r = new SplittableRandom(10);
        int b = 100, k = 10;
        double[] z = rnd(r, b * k, -5, 5), lab = new double[b];
        for (int i = 0; i < b; i++) lab[i] = r.nextInt(k);
        z[3] = 1000; z[14] = -1000; z[25] = 1000; z[26] = 1000;   // extreme logits in rows 0, 1, 2
        double total = 0;
        double[] p = new double[b * k], dz0 = rnd(r, b * k, -1, 1), edz = dz0.clone();
        for (int row = 0; row < b; row++) {
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (int q = 0; q < k; q++) max = Math.max(max, z[row * k + q]);
            for (int q = 0; q < k; q++) s += Math.exp(z[row * k + q] - max);
            for (int q = 0; q < k; q++) p[row * k + q] = Math.exp(z[row * k + q] - max) / s;
            total += max + Math.log(s) - z[row * k + (int) lab[row]];
            for (int q = 0; q < k; q++) edz[row * k + q] += 0.5 * (p[row * k + q] - (q == lab[row] ? 1 : 0)) / b;
        }
        F32Storage loss = B.alloc(1), probs = B.alloc(b * k), dz = st(dz0);
        B.softmaxCrossEntropyForward(loss, probs, st(z), st(lab), b, k);
        assertTrue(Float.isFinite(loss.a[0]));
        close("softmax-CE loss", new double[]{total / b}, loss, 1e-4, 1e-5);
        close("softmax probs", p, probs, 1e-6, 1e-5);
        B.softmaxCrossEntropyBackward(dz, st(new double[]{0.5}), probs, st(lab), b, k);
        close("softmax-CE grad", edz, dz, 1e-7, 1e-5);
    }

    @Test void gaussianNll() {
        SplittableRandom r = new SplittableRandom(11);
        int b = 50, d = 2;
        double[] x = rnd(r, b * d, -2, 2), mu = rnd(r, b * d, -2, 2), ls = rnd(r, b * d, -3, 2);
        ls[0] = 30; ls[1] = -30; ls[2] = -30; mu[2] = x[2];       // extremes, including x == mu at e^{60}
        double s = 0;
        double[] dm0 = rnd(r, b * d, -1, 1), dl0 = rnd(r, b * d, -1, 1), edm = dm0.clone(), edl = dl0.clone();
        double g = 1.5;
        for (int i = 0; i < b * d; i++) {
            double e2 = Math.exp(-2 * ls[i]), diff = x[i] - mu[i];
            s += ls[i] + 0.5 * Math.log(2 * Math.PI) + 0.5 * diff * diff * e2;
            edm[i] += g / b * (mu[i] - x[i]) * e2;
            edl[i] += g / b * (1 - diff * diff * e2);
        }
        F32Storage loss = B.alloc(1), dm = st(dm0), dl = st(dl0);
        B.gaussianNllForward(loss, st(x), st(mu), st(ls), b, d);
        assertTrue(Float.isFinite(loss.a[0]), "loss finite at logSigma = ±30");
        close("gaussian NLL", new double[]{s / b}, loss, 1e-4, 1e-5);
        B.gaussianNllBackward(dm, dl, st(new double[]{g}), st(x), st(mu), st(ls), b, d);
        for (int i = 0; i < b * d; i++) assertTrue(Float.isFinite(dm.a[i]) && Float.isFinite(dl.a[i]), "grad " + i);
        close("gaussian dmu", edm, dm, 1e-6, 1e-5);
        close("gaussian dlogSigma", edl, dl, 1e-6, 1e-5);
        F32Storage dl2 = st(dl0);
        B.gaussianNllBackward(null, dl2, st(new double[]{g}), st(x), st(mu), st(ls), b, d);
        close("gaussian dlogSigma only", edl, dl2, 1e-6, 1e-5);
    }

    // ---------------------------------------------------------------- Adam
    @Test void adamTwoStepsByHand() {
        // p=1, g=0.5 then g=−0.25; lr=0.1, β1=0.9, β2=0.999, eps=1e-8.
        // t=1: m=0.05, v=0.00025, m̂=0.5, v̂=0.25 → p = 1 − 0.1·0.5/(0.5+1e-8) = 0.9 (to 1e-8)
        // t=2: m=0.045−0.025=0.02, v=0.00024975+0.0000625=0.00031225; bc1=0.19, bc2=0.001999
        //      m̂=0.105263158, v̂=0.156203102, sqrt=0.395225382 → p = 0.9 − 0.1·0.266333 = 0.873366664
        F32Storage p = st(new double[]{1}), m = st(new double[1]), v = st(new double[1]);
        B.adamStep(p, st(new double[]{0.5}), m, v, 1, 0.1, 0.9, 0.999, 1e-8, st(new double[]{1}));
        close("adam m1", new double[]{0.05}, m, 1e-8, 1e-6);
        close("adam v1", new double[]{0.00025}, v, 1e-10, 1e-6);
        close("adam p1", new double[]{0.9}, p, 1e-7, 1e-6);
        B.adamStep(p, st(new double[]{-0.25}), m, v, 1, 0.1, 0.9, 0.999, 1e-8, st(new double[]{2}));
        close("adam m2", new double[]{0.02}, m, 1e-8, 1e-6);
        close("adam v2", new double[]{0.00031225}, v, 1e-10, 1e-6);
        close("adam p2", new double[]{0.873366664}, p, 1e-7, 1e-6);
    }

    @Test void adamMatchesFormulaOnLongVectors() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 100_001;
        double[] p = rnd(r, n, -1, 1), g = rnd(r, n, -1, 1), m = rnd(r, n, -0.1, 0.1), v = rnd(r, n, 0, 0.01);
        double[] ep = new double[n], em = new double[n], ev = new double[n];
        double lr = 2e-4, b1 = 0.5, b2 = 0.999, eps = 1e-8, bc1 = 1 - Math.pow(b1, 3), bc2 = 1 - Math.pow(b2, 3);
        for (int i = 0; i < n; i++) {
            em[i] = b1 * m[i] + (1 - b1) * g[i];
            ev[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            ep[i] = p[i] - lr * (em[i] / bc1) / (Math.sqrt(ev[i] / bc2) + eps);
        }
        F32Storage sp = st(p), sm = st(m), sv = st(v);
        B.adamStep(sp, st(g), sm, sv, n, lr, b1, b2, eps, st(new double[]{3}));
        close("adam m", em, sm, 1e-7, 1e-5);
        close("adam v", ev, sv, 1e-9, 1e-5);
        close("adam p", ep, sp, 1e-6, 1e-5);
    }

    // ---------------------------------------------------------------- determinism
    @Test void oneAndTwoThreadsAgreeBitForBit() {
        SplittableRandom r = new SplittableRandom(13);
        ConvGeom g = ConvGeom.of(8, 64, 14, 14, 128, 4, 4, 2, 1);
        double[] x = rnd(r, g.inputSize(), -1, 1), w = rnd(r, g.weightSize(), -1, 1), dy = rnd(r, g.outputSize(), -1, 1);
        double[] big = rnd(r, 627_200, -1, 1), gam = rnd(r, 128, 0.5, 1.5), bet = rnd(r, 128, -1, 1);
        double[] bnx = rnd(r, 100 * 128 * 49, -1, 1), bndy = rnd(r, 100 * 128 * 49, -1, 1);
        double[] a = rnd(r, 100 * 74, -1, 1), bm = rnd(r, 74 * 1024, -1, 1);
        float[][] out = new float[2][];
        CpuBackend[] bs = {B1, B};
        for (int t = 0; t < 2; t++) {
            CpuBackend be = bs[t];
            F32Storage y = st(new double[g.outputSize()]), dx = st(new double[g.inputSize()]),
                    dw = st(new double[g.weightSize()]), s = st(new double[1]), lr = st(new double[627_200]),
                    c = st(new double[100 * 1024]), bnY = st(new double[bnx.length]), mean = st(new double[128]),
                    inv = st(new double[128]), rm = st(new double[128]), rv = st(new double[128]),
                    bnDx = st(new double[bnx.length]), dgam = st(new double[128]), dbet = st(new double[128]),
                    db = st(new double[128]);
            be.conv2dForward(y, st(x), st(w), g);
            be.conv2dBackwardData(dx, st(dy), st(w), g);
            be.conv2dBackwardFilter(dw, st(dy), st(x), g);
            be.sum(s, st(big), big.length, 1.0);
            be.activationForward(Activation.LEAKY_RELU, lr, st(big), big.length, 0.2);
            be.gemm(false, true, 100, 1024, 74, 1, st(a), st(bm), 0, c);
            be.batchNormForwardTrain(bnY, mean, inv, st(bnx), st(gam), st(bet), rm, rv, 100, 128, 49, 0.1, 1e-5);
            be.batchNormBackward(bnDx, dgam, dbet, st(bndy), st(bnx), mean, inv, st(gam), 100, 128, 49);
            be.biasGrad(db, st(bndy), 100, 128, 49);
            int total = 0;
            F32Storage[] all = {y, dx, dw, s, lr, c, bnY, mean, inv, rm, rv, bnDx, dgam, dbet, db};
            for (F32Storage st : all) total += st.a.length;
            out[t] = new float[total];
            int o = 0;
            for (F32Storage st : all) { System.arraycopy(st.a, 0, out[t], o, st.a.length); o += st.a.length; }
        }
        assertArrayEquals(out[0], out[1], "1-thread and 2-thread results differ");
    }
}
