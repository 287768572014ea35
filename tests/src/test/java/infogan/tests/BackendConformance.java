package infogan.tests;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;
import infogan.engine.backend.ref.ReferenceBackend;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every {@link Backend} must pass: each kernel, forward and backward, on seeded random inputs,
 * run on the backend under test and on the float64 {@link ReferenceBackend} (the specification), compared with
 * |test − ref| ≤ atol + rtol·|ref| (defaults suit float32), printing the first mismatches and the max difference.
 * <p>
 * Inputs are rounded to float32 before they reach either backend, so only the kernels' own rounding counts.
 * Outputs of accumulating kernels ({@code *Backward}, {@code *Grad}, {@code *Acc}, {@code axpy}) start from random
 * values on both sides, so "=" instead of "+=" fails. Sizes are odd (not multiples of any vector width) to reach tails.
 * <p>
 * A backend plugs in with a five-line subclass:
 * <pre>
 * class CpuBackendConformanceTest extends BackendConformance {
 *     &#64;Override protected Backend createBackend() { return new CpuBackend(2); }
 * }
 * </pre>
 */
public abstract class BackendConformance {
    /** The backend under test; created before and closed after every test. */
    protected abstract Backend createBackend();

    protected double atol() { return 1e-4; }

    protected double rtol() { return 1e-4; }

    protected Backend be;
    protected final ReferenceBackend ref = new ReferenceBackend();
    private Rng rng;

    @BeforeEach
    public void open() {
        be = createBackend();
        rng = new Rng(4242);
    }

    @AfterEach
    public void close() throws Exception {
        if (be != null) be.close();
    }

    // ---------------------------------------------------------------- paired buffers

    /** The same values on both backends. */
    protected final class Buf {
        final Storage t, r;
        final int n;

        Buf(double[] v) {
            n = v.length;
            double[] f = new double[n];
            for (int i = 0; i < n; i++) f[i] = (float) v[i];
            t = be.alloc(n);
            r = ref.alloc(n);
            be.write(t, f);
            ref.write(r, f);
        }

        /** Reads both sides and compares them. */
        void check(String what) {
            double[] got = new double[n], want = new double[n];
            be.synchronize();
            be.read(t, got);
            ref.read(r, want);
            GradCheck.assertClose(be.name() + " vs reference: " + what, want, got, atol(), rtol());
        }
    }

    protected Buf rand(int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rng.uniform(lo, hi);
        return new Buf(v);
    }

    protected Buf rand(int n) { return rand(n, -1, 1); }

    protected Buf of(double... v) { return new Buf(v); }

    private static final int N = 1037;

    // ---------------------------------------------------------------- memory and elementwise

    @Test
    public void writeReadFillCopy() {
        Buf a = rand(N);
        a.check("write/read round trip");
        Buf y = rand(N);
        be.fill(y.t, N - 3, 0.75);
        ref.fill(y.r, N - 3, 0.75);
        y.check("fill (first n−3)");
        Buf z = rand(N);
        be.copy(z.t, a.t, N);
        ref.copy(z.r, a.r, N);
        z.check("copy");
        Storage s = be.zeros(N);
        double[] got = new double[N];
        be.read(s, got);
        GradCheck.assertClose(be.name() + ": zeros", new double[N], got, 0, 0);
        be.release(s);
    }

    @Test
    public void copyBlock() {
        int rows = 7, cols = 13, srcStride = 29, dstStride = 31;
        for (boolean acc : new boolean[]{false, true}) {
            Buf src = rand(rows * srcStride + 5), dst = rand(rows * dstStride + 9);
            be.copyBlock(dst.t, 4, dstStride, src.t, 3, srcStride, rows, cols, acc);
            ref.copyBlock(dst.r, 4, dstStride, src.r, 3, srcStride, rows, cols, acc);
            dst.check("copyBlock accumulate=" + acc);
        }
    }

    @Test
    public void elementwise() {
        Buf a = rand(N), b = rand(N);
        Buf y = rand(N);
        be.add(y.t, a.t, b.t, N); ref.add(y.r, a.r, b.r, N); y.check("add");
        be.axpy(y.t, a.t, N, -0.7); ref.axpy(y.r, a.r, N, -0.7); y.check("axpy");
        be.scale(y.t, a.t, N, 1.3); ref.scale(y.r, a.r, N, 1.3); y.check("scale");
        be.mul(y.t, a.t, b.t, N); ref.mul(y.r, a.r, b.r, N); y.check("mul");
        be.mulAcc(y.t, a.t, b.t, N); ref.mulAcc(y.r, a.r, b.r, N); y.check("mulAcc");
        Buf in = rand(N), out = rand(N);
        be.scale(out.t, in.t, N - 1, 2.0); ref.scale(out.r, in.r, N - 1, 2.0); out.check("scale leaves y[n..] alone");
    }

    @Test
    public void activations() {
        for (Activation f : Activation.values()) {
            double lo = f == Activation.LOG ? 0.05 : f == Activation.EXP ? -4 : -6, hi = f == Activation.EXP ? 4 : 6;
            double alpha = f == Activation.LEAKY_RELU ? 0.2 : 0;
            Buf x = rand(N, lo, hi), y = rand(N);
            be.activationForward(f, y.t, x.t, N, alpha);
            ref.activationForward(f, y.r, x.r, N, alpha);
            y.check("activationForward " + f);
            Buf dy = rand(N), dx = rand(N);
            be.activationBackward(f, dx.t, dy.t, x.t, y.t, N, alpha);
            ref.activationBackward(f, dx.r, dy.r, x.r, y.r, N, alpha);
            dx.check("activationBackward " + f);
        }
    }

    // ---------------------------------------------------------------- broadcasting and reductions

    @Test
    public void biasAddAndGrad() {
        int[][] cases = {{17, 5, 1}, {3, 7, 13}, {1, 11, 1}, {37, 1, 1}, {4, 64, 49}};
        for (int[] c : cases) {
            int n = c[0] * c[1] * c[2];
            Buf x = rand(n), b = rand(c[1]), y = rand(n);
            be.biasAdd(y.t, x.t, b.t, c[0], c[1], c[2]);
            ref.biasAdd(y.r, x.r, b.r, c[0], c[1], c[2]);
            y.check("biasAdd " + java.util.Arrays.toString(c));
            Buf db = rand(c[1]);
            be.biasGrad(db.t, x.t, c[0], c[1], c[2]);
            ref.biasGrad(db.r, x.r, c[0], c[1], c[2]);
            db.check("biasGrad " + java.util.Arrays.toString(c));
        }
    }

    @Test
    public void sumAndBroadcast() {
        for (int n : new int[]{1, 7, N, 10_000}) {
            Buf x = rand(n), s = rand(1);
            be.sum(s.t, x.t, n, 1.0 / n);
            ref.sum(s.r, x.r, n, 1.0 / n);
            s.check("sum n=" + n);
            Buf dx = rand(n);
            be.broadcastScalarAcc(dx.t, s.t, n, -2.0);
            ref.broadcastScalarAcc(dx.r, s.r, n, -2.0);
            dx.check("broadcastScalarAcc n=" + n);
        }
    }

    // ---------------------------------------------------------------- matmul

    @Test
    public void gemm() {
        int[][] sizes = {{37, 29, 53}, {1, 17, 9}, {64, 1, 128}, {5, 3, 1}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean ta : new boolean[]{false, true})
                for (boolean tb : new boolean[]{false, true})
                    for (double beta : new double[]{0, 1, 0.5}) {
                        Buf a = rand(m * k), b = rand(k * n), c = rand(m * n);
                        if (beta == 0) {   // beta 0 must overwrite, NaNs included
                            double[] nan = new double[m * n];
                            java.util.Arrays.fill(nan, Double.NaN);
                            be.write(c.t, nan);
                        }
                        be.gemm(ta, tb, m, n, k, 0.9, a.t, b.t, beta, c.t);
                        ref.gemm(ta, tb, m, n, k, 0.9, a.r, b.r, beta, c.r);
                        c.check(String.format("gemm %s%s m=%d n=%d k=%d beta=%s", ta ? "T" : "N", tb ? "T" : "N", m, n, k, beta));
                    }
        }
    }

    // ---------------------------------------------------------------- convolution

    /** {n, c, h, w, oc, kh, kw, stride, pad}, including InfoGAN's MNIST layers (1→64 and 64→128, 4×4 s2 p1). */
    private static final int[][] CONVS = {
            {2, 1, 28, 28, 8, 4, 4, 2, 1},
            {2, 16, 14, 14, 8, 4, 4, 2, 1},
            {1, 3, 7, 5, 4, 3, 3, 1, 1},
            {3, 5, 6, 6, 2, 1, 1, 1, 0},
            {1, 2, 9, 7, 3, 3, 2, 2, 0},
            {2, 3, 5, 4, 3, 4, 4, 1, 2},
    };

    @Test
    public void conv2d() {
        for (int[] c : CONVS) {
            ConvGeom g = ConvGeom.of(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]);
            Buf x = rand(g.inputSize()), w = rand(g.weightSize()), y = rand(g.outputSize());
            be.conv2dForward(y.t, x.t, w.t, g);
            ref.conv2dForward(y.r, x.r, w.r, g);
            y.check("conv2dForward " + g);
            Buf dy = rand(g.outputSize()), dx = rand(g.inputSize()), dw = rand(g.weightSize());
            be.conv2dBackwardData(dx.t, dy.t, w.t, g);
            ref.conv2dBackwardData(dx.r, dy.r, w.r, g);
            dx.check("conv2dBackwardData " + g);
            be.conv2dBackwardFilter(dw.t, dy.t, x.t, g);
            ref.conv2dBackwardFilter(dw.r, dy.r, x.r, g);
            dw.check("conv2dBackwardFilter " + g);
        }
    }

    // ---------------------------------------------------------------- batch normalisation

    @Test
    public void batchNorm() {
        int[][] cases = {{16, 7, 1}, {4, 5, 9}, {2, 3, 49}, {64, 1, 1}};
        for (int[] s : cases) {
            int outer = s[0], c = s[1], inner = s[2], n = outer * c * inner;
            String where = java.util.Arrays.toString(s);
            Buf x = rand(n, -2, 3), gamma = rand(c, 0.5, 1.5), beta = rand(c), y = rand(n), mean = rand(c), invStd = rand(c);
            Buf rm = rand(c), rv = rand(c, 0.5, 2);
            be.batchNormForwardTrain(y.t, mean.t, invStd.t, x.t, gamma.t, beta.t, rm.t, rv.t, outer, c, inner, 0.1, 1e-5);
            ref.batchNormForwardTrain(y.r, mean.r, invStd.r, x.r, gamma.r, beta.r, rm.r, rv.r, outer, c, inner, 0.1, 1e-5);
            y.check("batchNormForwardTrain y " + where);
            mean.check("batchNormForwardTrain mean " + where);
            invStd.check("batchNormForwardTrain invStd " + where);
            rm.check("batchNormForwardTrain runMean " + where);
            rv.check("batchNormForwardTrain runVar " + where);

            Buf ye = rand(n);
            be.batchNormForwardEval(ye.t, x.t, gamma.t, beta.t, rm.t, rv.t, outer, c, inner, 1e-5);
            ref.batchNormForwardEval(ye.r, x.r, gamma.r, beta.r, rm.r, rv.r, outer, c, inner, 1e-5);
            ye.check("batchNormForwardEval " + where);

            Buf dy = rand(n), dx = rand(n), dg = rand(c), db = rand(c);
            be.batchNormBackward(dx.t, dg.t, db.t, dy.t, x.t, mean.t, invStd.t, gamma.t, outer, c, inner);
            ref.batchNormBackward(dx.r, dg.r, db.r, dy.r, x.r, mean.r, invStd.r, gamma.r, outer, c, inner);
            dx.check("batchNormBackward dx " + where);
            dg.check("batchNormBackward dgamma " + where);
            db.check("batchNormBackward dbeta " + where);
            Buf dx2 = rand(n);   // only dx wanted (frozen γ, β)
            be.batchNormBackward(dx2.t, null, null, dy.t, x.t, mean.t, invStd.t, gamma.t, outer, c, inner);
            ref.batchNormBackward(dx2.r, null, null, dy.r, x.r, mean.r, invStd.r, gamma.r, outer, c, inner);
            dx2.check("batchNormBackward dx only " + where);
            Buf dg2 = rand(c), db2 = rand(c);   // only dγ, dβ wanted (the first layer's input)
            be.batchNormBackward(null, dg2.t, db2.t, dy.t, x.t, mean.t, invStd.t, gamma.t, outer, c, inner);
            ref.batchNormBackward(null, dg2.r, db2.r, dy.r, x.r, mean.r, invStd.r, gamma.r, outer, c, inner);
            dg2.check("batchNormBackward dgamma only " + where);
            db2.check("batchNormBackward dbeta only " + where);
        }
    }

    // ---------------------------------------------------------------- fused losses

    @Test
    public void bceWithLogits() {
        int n = 257;
        Buf z = rand(n, -30, 30), t = rand(n, 0, 1), loss = rand(1);
        be.bceWithLogitsForward(loss.t, z.t, t.t, n);
        ref.bceWithLogitsForward(loss.r, z.r, t.r, n);
        loss.check("bceWithLogitsForward");
        Buf dz = rand(n);
        be.bceWithLogitsBackward(dz.t, loss.t, z.t, t.t, n);
        ref.bceWithLogitsBackward(dz.r, loss.r, z.r, t.r, n);
        dz.check("bceWithLogitsBackward");
        Buf zx = of(400, -400, 400, -400), tx = of(1, 0, 0, 1), lx = rand(1), dzx = rand(4);
        be.bceWithLogitsForward(lx.t, zx.t, tx.t, 4);
        ref.bceWithLogitsForward(lx.r, zx.r, tx.r, 4);
        lx.check("bceWithLogitsForward at ±400");
        be.bceWithLogitsBackward(dzx.t, lx.t, zx.t, tx.t, 4);
        ref.bceWithLogitsBackward(dzx.r, lx.r, zx.r, tx.r, 4);
        dzx.check("bceWithLogitsBackward at ±400");
    }

    @Test
    public void softmaxCrossEntropy() {
        int b = 33, k = 10;
        Buf z = rand(b * k, -8, 8), probs = rand(b * k), loss = rand(1);
        double[] lab = new double[b];
        for (int i = 0; i < b; i++) lab[i] = rng.nextInt(k);
        Buf labels = of(lab);
        be.softmaxCrossEntropyForward(loss.t, probs.t, z.t, labels.t, b, k);
        ref.softmaxCrossEntropyForward(loss.r, probs.r, z.r, labels.r, b, k);
        loss.check("softmaxCrossEntropyForward loss");
        probs.check("softmaxCrossEntropyForward probs");
        Buf dz = rand(b * k), up = of(0.7);
        be.softmaxCrossEntropyBackward(dz.t, up.t, probs.t, labels.t, b, k);
        ref.softmaxCrossEntropyBackward(dz.r, up.r, probs.r, labels.r, b, k);
        dz.check("softmaxCrossEntropyBackward");
        Buf zx = of(1000, -1000, 0, -1000, 1000, 1000), lx = of(0, 2), px = rand(6), lossx = rand(1);
        be.softmaxCrossEntropyForward(lossx.t, px.t, zx.t, lx.t, 2, 3);
        ref.softmaxCrossEntropyForward(lossx.r, px.r, zx.r, lx.r, 2, 3);
        lossx.check("softmaxCrossEntropyForward at ±1000");
        px.check("softmaxCrossEntropyForward probs at ±1000");
    }

    @Test
    public void gaussianNll() {
        int b = 19, d = 3, n = b * d;
        Buf x = rand(n, -2, 2), mu = rand(n), ls = rand(n, -2, 2), loss = rand(1);
        be.gaussianNllForward(loss.t, x.t, mu.t, ls.t, b, d);
        ref.gaussianNllForward(loss.r, x.r, mu.r, ls.r, b, d);
        loss.check("gaussianNllForward");
        Buf up = of(1.5), dmu = rand(n), dls = rand(n);
        be.gaussianNllBackward(dmu.t, dls.t, up.t, x.t, mu.t, ls.t, b, d);
        ref.gaussianNllBackward(dmu.r, dls.r, up.r, x.r, mu.r, ls.r, b, d);
        dmu.check("gaussianNllBackward dmu");
        dls.check("gaussianNllBackward dlogSigma");
        Buf dmu2 = rand(n);   // log σ frozen (σ fixed at 1 in InfoGAN)
        be.gaussianNllBackward(dmu2.t, null, up.t, x.t, mu.t, ls.t, b, d);
        ref.gaussianNllBackward(dmu2.r, null, up.r, x.r, mu.r, ls.r, b, d);
        dmu2.check("gaussianNllBackward dmu only");
        Buf dls2 = rand(n);
        be.gaussianNllBackward(null, dls2.t, up.t, x.t, mu.t, ls.t, b, d);
        ref.gaussianNllBackward(null, dls2.r, up.r, x.r, mu.r, ls.r, b, d);
        dls2.check("gaussianNllBackward dlogSigma only");
    }

    // ---------------------------------------------------------------- optimiser

    @Test
    public void adamStep() {
        Buf p = rand(N), m = rand(N, -0.1, 0.1), v = rand(N, 0, 0.01);
        for (int t = 1; t <= 3; t++) {
            Buf g = rand(N, -2, 2);
            Buf step = of(t);                            // t lives in a storage, as Adam keeps it
            be.adamStep(p.t, g.t, m.t, v.t, N, 2e-4, 0.5, 0.999, 1e-8, step.t);
            ref.adamStep(p.r, g.r, m.r, v.r, N, 2e-4, 0.5, 0.999, 1e-8, step.r);
            p.check("adamStep p, step " + t);
            m.check("adamStep m, step " + t);
            v.check("adamStep v, step " + t);
        }
    }
}
