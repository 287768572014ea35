package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.ops.*;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static infogan.tests.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each fused loss against the same formula built from primitive ops (values and gradients, float64), and the extreme
 * inputs where only the fused form stays finite: BCE with logits ±400, softmax-CE with logits ±1000, Gaussian NLL with
 * log σ = ±30, compared with closed forms computed here.
 */
class FusedVsCompositeTest {
    private static final double ATOL = 1e-12, RTOL = 1e-10;

    /** Value and gradients (w.r.t. inputs) of a loss, from one tape. */
    private static double[][] valueAndGrads(Function<Tape, Tensor> loss, Tensor... inputs) {
        for (Tensor in : inputs) in.grad = null;
        Tape t = new Tape(REF);
        Tensor l = loss.apply(t);
        t.backward(l);
        double[][] out = new double[inputs.length + 1][];
        out[0] = new double[]{l.item()};
        for (int i = 0; i < inputs.length; i++) out[i + 1] = inputs[i].grad.toDoubles();
        return out;
    }

    private static void assertSame(String what, double[][] fused, double[][] composite) {
        for (int i = 0; i < fused.length; i++)
            assertClose(what + (i == 0 ? " value" : " gradient of input " + (i - 1)), composite[i], fused[i], ATOL, RTOL);
    }

    private static void assertFinite(String what, double[] v) {
        for (int i = 0; i < v.length; i++) assertTrue(Double.isFinite(v[i]), what + "[" + i + "] = " + v[i]);
    }

    // ---------------------------------------------------------------- composites

    /** −mean(t·log σ(z) + (1−t)·log(1−σ(z))) from Sigmoid, Log, Mul, Add, Scale, Mean. */
    static Tensor bceComposite(Tape t, Tensor z, double[] targets) {
        Tensor tc = constant(t, targets, z.shape), one = constant(t, new double[]{1}, 1);
        double[] om = new double[targets.length];
        for (int i = 0; i < om.length; i++) om[i] = 1 - targets[i];
        Tensor omt = constant(t, om, z.shape);
        Tensor s = Activate.sigmoid(t, z);
        Tensor oneMinusS = Add.apply(t, Scale.apply(t, s, -1), one);
        Tensor ll = Add.apply(t, Mul.apply(t, tc, Activate.log(t, s)), Mul.apply(t, omt, Activate.log(t, oneMinusS)));
        return Scale.apply(t, Sum.mean(t, ll), -1);
    }

    /** mean_r(log Σ_j exp(z_rj) − z_r·onehot_r), row sums as a MatMul with a ones vector. */
    static Tensor softmaxCeComposite(Tape t, Tensor z, double[] labels) {
        int b = z.dim(0), k = z.dim(1);
        double[] oh = new double[b * k], ones = new double[k];
        for (int r = 0; r < b; r++) oh[r * k + (int) labels[r]] = 1;
        java.util.Arrays.fill(ones, 1);
        Tensor onehot = constant(t, oh, b, k), onesV = constant(t, ones, k, 1);
        Tensor lse = Activate.log(t, MatMul.apply(t, Activate.exp(t, z), onesV));       // (B, 1)
        Tensor picked = MatMul.apply(t, Mul.apply(t, z, onehot), onesV);                // (B, 1)
        return Sum.mean(t, Add.apply(t, lse, Scale.apply(t, picked, -1)));
    }

    /** (1/B) Σ [ls + ½ ln 2π + ½ (x − μ)² exp(−2 ls)] from Exp, Mul, Add, Scale, Sum. */
    static Tensor gaussianComposite(Tape t, double[] x, Tensor mu, Tensor ls) {
        Tensor xc = constant(t, x, mu.shape), half = constant(t, new double[]{0.5 * Math.log(2 * Math.PI)}, 1);
        Tensor e = Add.apply(t, xc, Scale.apply(t, mu, -1));
        Tensor quad = Scale.apply(t, Mul.apply(t, Mul.apply(t, e, e), Activate.exp(t, Scale.apply(t, ls, -2))), 0.5);
        Tensor term = Add.apply(t, Add.apply(t, ls, quad), half);
        return Scale.apply(t, Sum.sum(t, term), 1.0 / mu.dim(0));
    }

    // ---------------------------------------------------------------- fused = composite

    @Test
    void bceWithLogitsMatchesComposite() {
        Rng rng = new Rng(200);
        Tensor z = leaf(rng, -6, 6, 5, 4);
        double[] tv = new double[20];
        for (int i = 0; i < tv.length; i++) tv[i] = i % 4 == 0 ? rng.nextDouble() : i % 2;
        assertSame("bce_with_logits", valueAndGrads(t -> BceWithLogits.apply(t, z, constant(t, tv, 5, 4)), z),
                valueAndGrads(t -> bceComposite(t, z, tv), z));
    }

    @Test
    void softmaxCrossEntropyMatchesComposite() {
        Rng rng = new Rng(210);
        Tensor z = leaf(rng, -5, 5, 6, 10);
        double[] labels = new double[6];
        for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(10);
        assertSame("softmax_cross_entropy", valueAndGrads(t -> SoftmaxCrossEntropy.apply(t, z, constant(t, labels, 6)), z),
                valueAndGrads(t -> softmaxCeComposite(t, z, labels), z));
    }

    @Test
    void gaussianNllMatchesComposite() {
        Rng rng = new Rng(220);
        Tensor mu = leaf(rng, -1, 1, 4, 3), ls = leaf(rng, -2, 2, 4, 3);
        double[] x = new double[12];
        for (int i = 0; i < x.length; i++) x[i] = rng.uniform(-2, 2);
        assertSame("gaussian_nll", valueAndGrads(t -> GaussianNll.apply(t, constant(t, x, 4, 3), mu, ls), mu, ls),
                valueAndGrads(t -> gaussianComposite(t, x, mu, ls), mu, ls));
    }

    // ---------------------------------------------------------------- extremes, against closed forms

    @Test
    void bceWithLogitsPlusMinus400() {
        double[] z = {400, -400, 400, -400, 0.5, -400};
        double[] tt = {1, 0, 0, 1, 0.5, 0.25};
        int n = z.length;
        Tensor zl = leafOf(z, n);
        double[][] r = valueAndGrads(t -> BceWithLogits.apply(t, zl, constant(t, tt, n)), zl);
        double want = 0;
        double[] wantGrad = new double[n];
        for (int i = 0; i < n; i++) {
            // per element: softplus(z) − z·t, softplus written so it never overflows
            double softplus = z[i] > 0 ? z[i] + Math.log1p(Math.exp(-z[i])) : Math.log1p(Math.exp(z[i]));
            want += softplus - z[i] * tt[i];
            double sig = z[i] >= 0 ? 1 / (1 + Math.exp(-z[i])) : Math.exp(z[i]) / (1 + Math.exp(z[i]));
            wantGrad[i] = (sig - tt[i]) / n;
        }
        want /= n;
        assertFinite("bce ±400 value", r[0]);
        assertFinite("bce ±400 gradient", r[1]);
        assertClose("bce ±400 value", new double[]{want}, r[0], 1e-12, 1e-14);
        assertClose("bce ±400 gradient", wantGrad, r[1], 1e-15, 1e-14);
        // spot values: z = 400 with t = 0 costs exactly 400; z = −400 with t = 1 likewise
        assertClose("bce z=400,t=0", new double[]{400}, new double[]{softplusMinusZt(400, 0)}, 0, 1e-15);
    }

    private static double softplusMinusZt(double z, double t) {
        Tape tape = new Tape(REF);
        try (var ng = tape.noGrad()) {
            return BceWithLogits.apply(tape, constant(tape, new double[]{z}, 1), constant(tape, new double[]{t}, 1)).item();
        }
    }

    @Test
    void softmaxCrossEntropyPlusMinus1000() {
        double[] z = {1000, -1000, 0, -1000, 1000, 1000, 1000, -1000, 0};
        double[] labels = {0, 2, 1};
        Tensor zl = leafOf(z, 3, 3);
        double[][] r = valueAndGrads(t -> SoftmaxCrossEntropy.apply(t, zl, constant(t, labels, 3)), zl);
        assertFinite("softmax-CE ±1000 value", r[0]);
        assertFinite("softmax-CE ±1000 gradient", r[1]);
        // row 0: label has the max → 0 (e^−1000 underflows); row 1: two equal maxima → ln 2; row 2: 1000 − (−1000) = 2000
        double want = (0 + Math.log(2) + 2000) / 3;
        assertClose("softmax-CE ±1000 value", new double[]{want}, r[0], 1e-12, 1e-14);
        double[] wantGrad = {0, 0, 0, 0, 0.5, -0.5, 1, -1, 0};
        for (int i = 0; i < 9; i++) wantGrad[i] /= 3;
        assertClose("softmax-CE ±1000 gradient", wantGrad, r[1], 1e-15, 1e-14);
    }

    @Test
    void gaussianNllLogSigmaPlusMinus30() {
        double[] x = {0.001, 2.0, -1.0, 0.5};
        double[] mu = {0.0, 1.0, -1.5, 0.5};
        double[] ls = {-30, 30, -30, 30};
        Tensor mul = leafOf(mu, 2, 2), lsl = leafOf(ls, 2, 2);
        double[][] r = valueAndGrads(t -> GaussianNll.apply(t, constant(t, x, 2, 2), mul, lsl), mul, lsl);
        double want = 0;
        double[] gmu = new double[4], gls = new double[4];
        for (int i = 0; i < 4; i++) {
            double e = x[i] - mu[i], prec = Math.exp(-2 * ls[i]);
            want += ls[i] + 0.5 * Math.log(2 * Math.PI) + 0.5 * e * e * prec;
            gmu[i] = (mu[i] - x[i]) * prec / 2;
            gls[i] = (1 - e * e * prec) / 2;
        }
        want /= 2;
        assertFinite("gaussian NLL log σ = ±30 value", r[0]);
        assertFinite("gaussian NLL log σ = ±30 d/dμ", r[1]);
        assertFinite("gaussian NLL log σ = ±30 d/dlog σ", r[2]);
        assertClose("gaussian NLL log σ = ±30 value", new double[]{want}, r[0], 0, 1e-14);
        assertClose("gaussian NLL log σ = ±30 d/dμ", gmu, r[1], 0, 1e-14);
        assertClose("gaussian NLL log σ = ±30 d/dlog σ", gls, r[2], 0, 1e-14);
    }

    private static Tensor leafOf(double[] v, int... shape) {
        Tensor t = Tensor.parameter(REF, "x", shape);
        return t.write(v);
    }
}
