package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.nn.BatchNormLayer;
import infogan.engine.optim.Adam;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static infogan.tests.GradCheck.*;

/** Adam against a trajectory computed by hand, and BatchNorm's running statistics against hand computation. */
class OptimAndStatsTest {

    @Test
    void adamThreeStepsTwoLearningRates() {
        Tensor a = Tensor.parameter(REF, "a", 2).write(new double[]{1.0, -2.0});
        Tensor b = Tensor.parameter(REF, "b", 1).write(new double[]{0.5});
        double b1 = 0.5, b2 = 0.999, eps = 1e-8, lrA = 0.1, lrB = 0.01;
        Adam optA = new Adam(List.of(a), lrA, b1, b2, eps), optB = new Adam(List.of(b), lrB, b1, b2, eps);
        double[][] gA = {{0.2, -4.0}, {-0.1, 1.0}, {0.3, 0.0}}, gB = {{2.0}, {2.0}, {-1.0}};

        // Step 1 by hand: m̂ = g and v̂ = g², so each coordinate moves by lr·g/(|g| + eps) ≈ lr·sign(g).
        // Steps 2 and 3 follow m = β1 m + (1−β1) g, v = β2 v + (1−β2) g², p −= lr·(m/(1−β1^t))/(√(v/(1−β2^t)) + eps).
        double[] pa = {1.0, -2.0}, pb = {0.5}, ma = new double[2], va = new double[2], mb = new double[1], vb = new double[1];
        for (int s = 0; s < 3; s++) {
            a.grad = Tensor.buffer(REF, "ga", 2).write(gA[s]);
            b.grad = Tensor.buffer(REF, "gb", 1).write(gB[s]);
            optA.step();
            optB.step();
            handStep(pa, ma, va, gA[s], lrA, b1, b2, eps, s + 1);
            handStep(pb, mb, vb, gB[s], lrB, b1, b2, eps, s + 1);
            if (s == 0) {
                assertClose("adam step 1 ≈ lr·sign(g)", new double[]{1.0 - 0.1, -2.0 + 0.1}, a.toDoubles(), 1e-7, 0);
                assertClose("adam step 1 ≈ lr·sign(g), group 2", new double[]{0.5 - 0.01}, b.toDoubles(), 1e-9, 0);
            }
            assertClose("adam group lr=0.1 after step " + (s + 1), pa, a.toDoubles(), 1e-15, 1e-14);
            assertClose("adam group lr=0.01 after step " + (s + 1), pb, b.toDoubles(), 1e-15, 1e-14);
        }
        // Step 2 of group B, fully by hand: g = 2 twice → m̂ = 2, v̂ = 4 → moves by exactly lr·2/(2 + eps) again.
        // Step 3: m = 0.5·1.5 + 0.5·(−1) = 0.25, m̂ = 0.25/0.875; v = 0.999·(0.999·0.004 + 0.004) + 0.001, v̂ = v/(1 − 0.999³).
        double v3 = 0.999 * (0.999 * 0.004 + 0.004) + 0.001, bc2 = 1 - Math.pow(0.999, 3);
        double want = 0.5 - 0.01 * 2 / (2 + eps) * 2 - 0.01 * (0.25 / 0.875) / (Math.sqrt(v3 / bc2) + eps);
        assertClose("adam group B closed form", new double[]{want}, b.toDoubles(), 1e-15, 1e-13);
    }

    private static void handStep(double[] p, double[] m, double[] v, double[] g, double lr, double b1, double b2, double eps, int t) {
        for (int i = 0; i < p.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] / (1 - Math.pow(b1, t))) / (Math.sqrt(v[i] / (1 - Math.pow(b2, t))) + eps);
        }
    }

    @Test
    void batchNormRunningStatisticsAfterTwoSteps1d() {
        BatchNormLayer bn = new BatchNormLayer(REF, "bn", 2, new Rng(1));
        // channel 0: {1,2,3,4} then {0,0,2,2}; channel 1: {−1,1,−1,1} then {5,5,5,5}
        double[] x1 = {1, -1, 2, 1, 3, -1, 4, 1}, x2 = {0, 5, 0, 5, 2, 5, 2, 5};
        Tape t = new Tape(REF);
        bn.forward(t, constant(t, x1, 4, 2));
        bn.forward(t, constant(t, x2, 4, 2));
        // step 1: means 2.5, 0; unbiased variances 5/3, 4/3.  step 2: means 1, 5; unbiased variances 4/3, 0.
        double rm0 = 0.9 * (0.1 * 2.5) + 0.1 * 1, rm1 = 0.9 * 0 + 0.1 * 5;
        double rv0 = 0.9 * (0.9 * 1 + 0.1 * 5.0 / 3) + 0.1 * 4.0 / 3, rv1 = 0.9 * (0.9 * 1 + 0.1 * 4.0 / 3) + 0.1 * 0;
        assertClose("running mean", new double[]{rm0, rm1}, bn.runningMean.toDoubles(), 1e-15, 1e-14);
        assertClose("running var (unbiased)", new double[]{rv0, rv1}, bn.runningVar.toDoubles(), 1e-15, 1e-14);
        // and eval mode uses them: y = γ (x − rm)/√(rv + eps) + β
        bn.train(false);
        Tensor y = bn.forward(t, constant(t, new double[]{1, 1}, 1, 2));
        double[] g = bn.gamma.toDoubles();
        assertClose("eval output", new double[]{g[0] * (1 - rm0) / Math.sqrt(rv0 + 1e-5), g[1] * (1 - rm1) / Math.sqrt(rv1 + 1e-5)},
                y.toDoubles(), 1e-15, 1e-13);
    }

    @Test
    void batchNormRunningStatisticsAfterTwoSteps2d() {
        BatchNormLayer bn = new BatchNormLayer(REF, "bn", 1, new Rng(2));
        // (N=2, C=1, H=1, W=2): the 4 values of a step are one channel's sample (m = N·H·W = 4)
        Tape t = new Tape(REF);
        bn.forward(t, constant(t, new double[]{1, 2, 3, 4}, 2, 1, 1, 2));
        bn.forward(t, constant(t, new double[]{-2, -2, 2, 2}, 2, 1, 1, 2));
        double rm = 0.9 * 0.25 + 0.1 * 0, rv = 0.9 * (0.9 + 0.1 * 5.0 / 3) + 0.1 * (16.0 / 3);
        assertClose("running mean 2d", new double[]{rm}, bn.runningMean.toDoubles(), 1e-15, 1e-14);
        assertClose("running var 2d (unbiased)", new double[]{rv}, bn.runningVar.toDoubles(), 1e-15, 1e-14);
    }
}
