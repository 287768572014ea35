package infogan.tests;

import infogan.engine.ops.*;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

class SmokeGradTest {
    @Test
    void linearBatchNormLeakyTanhChain() {
        Rng rng = new Rng(1);
        Tensor x = GradCheck.leaf(rng, -1, 1, 5, 4), w = GradCheck.leaf(rng, -1, 1, 3, 4), b = GradCheck.leaf(rng, -1, 1, 3);
        Tensor g = GradCheck.leaf(rng, 0.5, 1.5, 3), be = GradCheck.leaf(rng, -1, 1, 3);
        Tensor rm = Tensor.buffer(GradCheck.REF, "rm", 3), rv = Tensor.buffer(GradCheck.REF, "rv", 3);
        GradCheck.check("chain", t -> {
            Tensor y = Add.apply(t, MatMul.apply(t, x, false, w, true), b);
            y = BatchNorm.apply(t, y, g, be, rm, rv, true, 0.1, 1e-5);
            y = Activate.leakyRelu(t, y, 0.1);
            return GradCheck.project(t, Activate.tanh(t, y), 7);
        }, x, w, b, g, be);
    }

    @Test
    void convAndTransposedConv() {
        Rng rng = new Rng(2);
        Tensor x = GradCheck.leaf(rng, -1, 1, 2, 3, 6, 5), w = GradCheck.leaf(rng, -1, 1, 4, 3, 4, 4);
        GradCheck.check("conv2d", t -> GradCheck.project(t, Conv2d.apply(t, x, w, 2, 1), 3), x, w);
        Tensor u = GradCheck.leaf(rng, -1, 1, 2, 4, 3, 3), wt = GradCheck.leaf(rng, -1, 1, 4, 2, 4, 4);
        GradCheck.check("conv_transpose2d", t -> GradCheck.project(t, ConvTranspose2d.apply(t, u, wt, 2, 1), 4), u, wt);
    }
}
