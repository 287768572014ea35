package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Activation;
import infogan.engine.nn.BatchNormLayer;
import infogan.engine.nn.Conv;
import infogan.engine.nn.Linear;
import infogan.engine.ops.*;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import static infogan.tests.GradCheck.*;

/**
 * One float64 gradient check (central differences, seeded inputs) per op and per geometry that matters, on the
 * reference backend. Every output is reduced to a scalar by a fixed random projection ({@link GradCheck#project}),
 * so every output element's gradient path is exercised.
 */
class OpGradTest {

    @Test
    void matmulAllTransposeCombinations() {
        Rng rng = new Rng(10);
        int m = 3, k = 4, n = 5;
        for (boolean ta : new boolean[]{false, true})
            for (boolean tb : new boolean[]{false, true}) {
                Tensor a = ta ? leaf(rng, -1, 1, k, m) : leaf(rng, -1, 1, m, k);
                Tensor b = tb ? leaf(rng, -1, 1, n, k) : leaf(rng, -1, 1, k, n);
                check("matmul transA=" + ta + " transB=" + tb, t -> project(t, MatMul.apply(t, a, ta, b, tb), 11), a, b);
            }
    }

    @Test
    void addBroadcasts() {
        Rng rng = new Rng(20);
        Tensor x = leaf(rng, -1, 1, 3, 4), y = leaf(rng, -1, 1, 3, 4);
        check("add same shape", t -> project(t, Add.apply(t, x, y), 21), x, y);
        Tensor bias = leaf(rng, -1, 1, 4);
        check("add bias (C) on (N,C)", t -> project(t, Add.apply(t, x, bias), 22), x, bias);
        Tensor img = leaf(rng, -1, 1, 2, 3, 4, 5), cb = leaf(rng, -1, 1, 3, 1, 1);
        check("add (C,1,1) on (N,C,H,W)", t -> project(t, Add.apply(t, img, cb), 23), img, cb);
        Tensor cb4 = leaf(rng, -1, 1, 1, 3, 1, 1);
        check("add (1,C,1,1) on (N,C,H,W)", t -> project(t, Add.apply(t, img, cb4), 24), img, cb4);
        Tensor s = leaf(rng, -1, 1, 1);
        check("add scalar (1) on (N,C,H,W)", t -> project(t, Add.apply(t, img, s), 25), img, s);
        Tensor col = leaf(rng, -1, 1, 3, 1);
        check("add column (N,1) on (N,C)", t -> project(t, Add.apply(t, x, col), 26), x, col);
    }

    @Test
    void mulAndScale() {
        Rng rng = new Rng(30);
        Tensor a = leaf(rng, -1, 1, 4, 3), b = leaf(rng, -1, 1, 4, 3);
        check("mul", t -> project(t, Mul.apply(t, a, b), 31), a, b);
        check("mul self (x·x)", t -> project(t, Mul.apply(t, a, a), 32), a);
        check("scale", t -> project(t, Scale.apply(t, a, -2.5), 33), a);
    }

    @Test
    void everyActivation() {
        Rng rng = new Rng(40);
        for (Activation f : Activation.values()) {
            Tensor x = switch (f) {
                case RELU, LEAKY_RELU -> leafAwayFromZero(rng, 1e-2, 2, 4, 5);  // |x| ≥ 1e-2 ≫ h: no kink inside ±h
                case LOG -> leaf(rng, 0.2, 3, 4, 5);
                case EXP -> leaf(rng, -2, 2, 4, 5);
                default -> leaf(rng, -3, 3, 4, 5);
            };
            double alpha = f == Activation.LEAKY_RELU ? 0.2 : 0;
            check("activation " + f, t -> project(t, Activate.apply(t, f, x, alpha), 41), x);
        }
    }

    /** {n, c, h, w, oc, k (or kh,kw), stride, pad}: stride 1/2, pad 0/1/2, kernel 1/3/4, rectangular, multi-channel. */
    private static final int[][] CONV_CASES = {
            {2, 3, 6, 5, 4, 4, 4, 2, 1},   // the InfoGAN down-sampling conv
            {1, 2, 5, 7, 3, 3, 3, 1, 1},   // same-padding 3×3, rectangular
            {2, 3, 4, 6, 2, 1, 1, 1, 0},   // 1×1
            {1, 2, 7, 5, 3, 3, 3, 2, 0},   // stride 2 without padding, odd size
            {1, 1, 5, 4, 2, 4, 4, 1, 2},   // pad 2 > k/2
            {2, 2, 6, 6, 2, 3, 2, 2, 1},   // rectangular kernel 3×2
    };

    @Test
    void conv2dGeometries() {
        Rng rng = new Rng(50);
        for (int[] c : CONV_CASES) {
            Tensor x = leaf(rng, -1, 1, c[0], c[1], c[2], c[3]), w = leaf(rng, -1, 1, c[4], c[1], c[5], c[6]);
            check("conv2d " + java.util.Arrays.toString(c), t -> project(t, Conv2d.apply(t, x, w, c[7], c[8]), 51), x, w);
        }
    }

    /** {n, cin, h, w, cout, kh, kw, stride, pad} of the transposed convolution's input. */
    private static final int[][] TCONV_CASES = {
            {2, 4, 3, 3, 2, 4, 4, 2, 1},   // the InfoGAN up-sampling 4×4 s2 p1 (3×3 → 6×6)
            {1, 3, 2, 4, 2, 4, 4, 2, 1},   // rectangular
            {1, 2, 4, 3, 3, 3, 3, 1, 1},   // stride 1 (shape preserving)
            {2, 2, 3, 2, 2, 1, 1, 1, 0},   // 1×1
            {1, 2, 3, 3, 1, 3, 3, 2, 0},   // stride 2, no padding
            {1, 1, 4, 4, 2, 4, 4, 1, 2},   // pad 2
    };

    @Test
    void convTranspose2dGeometries() {
        Rng rng = new Rng(60);
        for (int[] c : TCONV_CASES) {
            Tensor x = leaf(rng, -1, 1, c[0], c[1], c[2], c[3]), w = leaf(rng, -1, 1, c[1], c[4], c[5], c[6]);
            check("conv_transpose2d " + java.util.Arrays.toString(c), t -> project(t, ConvTranspose2d.apply(t, x, w, c[7], c[8]), 61), x, w);
        }
    }

    @Test
    void batchNormTrain1dAnd2d() {
        Rng rng = new Rng(70);
        Tensor x = leaf(rng, -2, 2, 6, 3), g = leaf(rng, 0.5, 1.5, 3), b = leaf(rng, -1, 1, 3);
        Tensor rm = Tensor.buffer(REF, "rm", 3), rv = Tensor.buffer(REF, "rv", 3);
        check("batchnorm 1d train", t -> project(t, BatchNorm.apply(t, x, g, b, rm, rv, true, 0.1, 1e-5), 71), x, g, b);
        Tensor x4 = leaf(rng, -2, 2, 2, 3, 3, 2);
        check("batchnorm 2d train", t -> project(t, BatchNorm.apply(t, x4, g, b, rm, rv, true, 0.1, 1e-5), 72), x4, g, b);
    }

    @Test
    void batchNormEval() {
        Rng rng = new Rng(80);
        Tensor g = leaf(rng, 0.5, 1.5, 3), b = leaf(rng, -1, 1, 3);
        Tensor rm = Tensor.buffer(REF, "rm", 3).write(new double[]{0.3, -0.2, 0.1});
        Tensor rv = Tensor.buffer(REF, "rv", 3).write(new double[]{0.5, 1.7, 2.2});
        Tensor x = leaf(rng, -2, 2, 4, 3);
        check("batchnorm 1d eval", t -> project(t, BatchNorm.apply(t, x, g, b, rm, rv, false, 0.1, 1e-5), 81), x, g, b);
        Tensor x4 = leaf(rng, -2, 2, 2, 3, 2, 3);
        check("batchnorm 2d eval", t -> project(t, BatchNorm.apply(t, x4, g, b, rm, rv, false, 0.1, 1e-5), 82), x4, g, b);
    }

    @Test
    void reshapeAndFlatten() {
        Rng rng = new Rng(90);
        Tensor x = leaf(rng, -1, 1, 2, 3, 2, 2);
        check("flatten", t -> project(t, Mul.apply(t, Reshape.flatten(t, x), Reshape.flatten(t, x)), 91), x);
        check("reshape -1", t -> project(t, Activate.tanh(t, Reshape.apply(t, x, 4, -1, 2)), 92), x);
    }

    @Test
    void concatAxes() {
        Rng rng = new Rng(100);
        Tensor a = leaf(rng, -1, 1, 2, 3, 4), b = leaf(rng, -1, 1, 2, 3, 4), c = leaf(rng, -1, 1, 2, 3, 4);
        check("concat axis 0", t -> project(t, Concat.apply(t, 0, a, b, c), 101), a, b, c);
        Tensor b1 = leaf(rng, -1, 1, 2, 1, 4), c1 = leaf(rng, -1, 1, 2, 5, 4);
        check("concat axis 1", t -> project(t, Concat.apply(t, 1, a, b1, c1), 102), a, b1, c1);
        Tensor b2 = leaf(rng, -1, 1, 2, 3, 2), c2 = leaf(rng, -1, 1, 2, 3, 1);
        check("concat last axis", t -> project(t, Concat.apply(t, 2, a, b2, c2), 103), a, b2, c2);
        // InfoGAN's latent: [z | one-hot c1 | c2 c3], with the code block frozen
        Tensor z = leaf(rng, -1, 1, 3, 5), code = leaf(rng, -1, 1, 3, 2);
        code.setRequiresGrad(false);
        check("concat with a frozen input", t -> project(t, Concat.apply(t, 1, z, code), 104), z, code);
    }

    @Test
    void sliceAxes() {
        Rng rng = new Rng(110);
        Tensor x = leaf(rng, -1, 1, 5, 6);
        check("slice axis 0", t -> project(t, Slice.apply(t, x, 0, 1, 3), 111), x);
        check("slice axis 1", t -> project(t, Slice.apply(t, x, 1, 2, 3), 112), x);
        Tensor x3 = leaf(rng, -1, 1, 2, 5, 3);
        // two overlapping slices of the same tensor: both paths add into dx
        check("slices axis 1 overlapping", t -> Add.apply(t, project(t, Slice.apply(t, x3, 1, 0, 3), 113),
                project(t, Slice.apply(t, x3, 1, 2, 3), 114)), x3);
    }

    @Test
    void sumAndMean() {
        Rng rng = new Rng(120);
        Tensor x = leaf(rng, -1, 1, 3, 4);
        check("sum", t -> Sum.sum(t, Mul.apply(t, x, x)), x);
        check("mean", t -> Sum.mean(t, Activate.tanh(t, x)), x);
    }

    @Test
    void fusedLosses() {
        Rng rng = new Rng(130);
        Tensor z = leaf(rng, -4, 4, 4, 3);
        double[] tv = new double[12];
        for (int i = 0; i < tv.length; i++) tv[i] = i % 3 == 0 ? 0.3 : i % 2;   // soft and hard targets
        check("bce_with_logits", t -> BceWithLogits.apply(t, z, constant(t, tv, 4, 3)), z);

        Tensor logits = leaf(rng, -3, 3, 5, 4);
        double[] labels = {0, 3, 1, 1, 2};
        check("softmax_cross_entropy", t -> SoftmaxCrossEntropy.apply(t, logits, constant(t, labels, 5)), logits);

        Tensor mu = leaf(rng, -1, 1, 3, 2), ls = leaf(rng, -1, 1, 3, 2);
        double[] xv = {0.5, -0.3, 1.2, 0.1, -0.8, 0.4};
        check("gaussian_nll", t -> GaussianNll.apply(t, constant(t, xv, 3, 2), mu, ls), mu, ls);
    }

    @Test
    void modules() {
        Rng rng = new Rng(140);
        Linear fc = new Linear(REF, "fc", 4, 3, true, rng);
        Init.randomize(fc.parameters(), rng);
        Tensor x = leaf(rng, -1, 1, 5, 4);
        check("Linear", t -> project(t, fc.forward(t, x), 141), concat(fc.parameters(), x));

        Conv conv = Conv.conv(REF, "conv", 2, 3, 4, 2, 1, true, rng);
        Init.randomize(conv.parameters(), rng);
        Tensor img = leaf(rng, -1, 1, 2, 2, 6, 4);
        check("Conv", t -> project(t, conv.forward(t, img), 142), concat(conv.parameters(), img));

        Conv up = Conv.transposed(REF, "up", 3, 2, 4, 2, 1, true, rng);
        Init.randomize(up.parameters(), rng);
        Tensor lo = leaf(rng, -1, 1, 2, 3, 3, 2);
        check("Conv transposed", t -> project(t, up.forward(t, lo), 143), concat(up.parameters(), lo));

        BatchNormLayer bn = new BatchNormLayer(REF, "bn", 3, rng);
        Init.randomize(bn.parameters(), rng);
        Tensor h = leaf(rng, -1, 1, 2, 3, 2, 2);
        check("BatchNormLayer train", t -> project(t, bn.forward(t, h), 144), concat(bn.parameters(), h));
        bn.train(false);
        check("BatchNormLayer eval", t -> project(t, bn.forward(t, h), 145), concat(bn.parameters(), h));
    }

    /** y = x² with a deliberately wrong backward (3x instead of 2x): the checker must reject it. */
    private static final class WrongSquare extends infogan.engine.autodiff.Op {
        WrongSquare() { super("wrong_square"); }

        static Tensor apply(Tape t, Tensor x) {
            Tensor y = t.tensor(x.shape.clone());
            t.backend.mul(y.data, x.data, x.data, x.size);
            return t.record(new WrongSquare(), y, x);
        }

        @Override
        protected void backward(Tape t, Tensor dy) {
            Tensor x = inputs[0];
            Tensor three = t.tensor(x.shape.clone());
            t.backend.scale(three.data, x.data, x.size, 3.0);
            t.backend.mulAcc(t.grad(x).data, dy.data, three.data, x.size);
        }
    }

    @Test
    void theCheckerCatchesAWrongGradient() {
        Tensor x = leaf(new Rng(150), 0.5, 1, 6);
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> check("wrong square", t -> Sum.sum(t, WrongSquare.apply(t, x)), x));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("max diff") && e.getMessage().contains("analytic"), e.getMessage());
    }

    private static Tensor[] concat(java.util.List<Tensor> ps, Tensor x) {
        Tensor[] all = ps.toArray(new Tensor[ps.size() + 1]);
        all[ps.size()] = x;
        return all;
    }

    /** Module initialisations are tiny (N(0, 0.02)) and biases zero; gradient checks want O(1) values. */
    private static final class Init {
        static void randomize(java.util.List<Tensor> ps, Rng rng) {
            for (Tensor p : ps) {
                double[] v = new double[p.size];
                for (int i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1);
                p.write(v);
            }
        }
    }
}
