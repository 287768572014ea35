package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.ops.*;
import infogan.engine.optim.Adam;
import infogan.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static infogan.tests.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replays golden cases computed by PyTorch in float64 (tests/golden/make_golden.py → resources/golden/torch_golden.txt;
 * the file's header names the torch version) on the reference backend: outputs, losses, input and parameter gradients,
 * BatchNorm running statistics and an Adam trajectory.
 */
class GoldenTest {
    private static final double ATOL = 1e-9, RTOL = 1e-9;
    private static final Map<String, double[]> VALUES = new HashMap<>();
    private static final Map<String, int[]> SHAPES = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        var in = GoldenTest.class.getResourceAsStream("/golden/torch_golden.txt");
        assertNotNull(in, "golden/torch_golden.txt missing: run /usr/bin/python3 tests/golden/make_golden.py");
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split(" ");
                String[] dims = f[1].split(",");
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) shape[i] = Integer.parseInt(dims[i]);
                double[] v = new double[f.length - 2];
                for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(f[i + 2]);
                VALUES.put(f[0], v);
                SHAPES.put(f[0], shape);
            }
        }
    }

    private static double[] v(String key) {
        double[] a = VALUES.get(key);
        if (a == null) throw new AssertionError("golden value " + key + " missing from torch_golden.txt");
        return a;
    }

    /** A leaf holding a golden tensor (a "parameter" so that it gets a gradient). */
    private static Tensor p(String key) { return Tensor.parameter(REF, key, SHAPES.get(key)).write(v(key)); }

    private static Tensor buf(String key) { return Tensor.buffer(REF, key, SHAPES.get(key)).write(v(key)); }

    private static void eq(String key, double[] got) { assertClose("golden " + key, v(key), got, ATOL, RTOL); }

    private static void eq(String key, Tensor got) { eq(key, got.toDoubles()); }

    private static Tensor projectBy(Tape t, Tensor y, String rKey) {
        return Sum.sum(t, Mul.apply(t, y, constant(t, v(rKey), y.shape)));
    }

    @Test
    void linearBatchNorm1dLeakyRelu() {
        String c = "linear_bn_lrelu.";
        Tensor x = p(c + "x"), w = p(c + "w"), b = p(c + "b"), g = p(c + "gamma"), be = p(c + "beta");
        Tensor rm = buf(c + "rm0"), rv = buf(c + "rv0");
        Tape t = new Tape(REF);
        Tensor h = Add.apply(t, MatMul.apply(t, x, false, w, true), b);                    // (4, 5)
        Tensor y = Activate.leakyRelu(t, BatchNorm.apply(t, h, g, be, rm, rv, true, 0.1, 1e-5), 0.2);
        Tensor loss = projectBy(t, y, c + "r");
        t.backward(loss);
        eq(c + "y", y);
        eq(c + "loss", loss);
        eq(c + "rm1", rm);
        eq(c + "rv1", rv);
        eq(c + "dx", x.grad);
        eq(c + "dw", w.grad);
        eq(c + "db", b.grad);
        eq(c + "dgamma", g.grad);
        eq(c + "dbeta", be.grad);
    }

    @Test
    void conv4x4Stride2Pad1BatchNorm2d() {
        String c = "conv_bn.";
        Tensor x = p(c + "x"), w = p(c + "w"), g = p(c + "gamma"), be = p(c + "beta");
        Tensor rm = buf(c + "rm0"), rv = buf(c + "rv0");
        Tape t = new Tape(REF);
        Tensor y = BatchNorm.apply(t, Conv2d.apply(t, x, w, 2, 1), g, be, rm, rv, true, 0.1, 1e-5);   // (2, 4, 3, 2)
        Tensor loss = projectBy(t, y, c + "r");
        t.backward(loss);
        eq(c + "y", y);
        eq(c + "loss", loss);
        eq(c + "rm1", rm);
        eq(c + "rv1", rv);
        eq(c + "dx", x.grad);
        eq(c + "dw", w.grad);
        eq(c + "dgamma", g.grad);
        eq(c + "dbeta", be.grad);
    }

    @Test
    void convTranspose4x4Stride2Pad1() {
        String c = "conv_transpose.";
        Tensor x = p(c + "x"), w = p(c + "w");
        Tape t = new Tape(REF);
        Tensor y = ConvTranspose2d.apply(t, x, w, 2, 1);                                  // (2, 3, 6, 4)
        Tensor loss = projectBy(t, y, c + "r");
        t.backward(loss);
        eq(c + "y", y);
        eq(c + "loss", loss);
        eq(c + "dx", x.grad);
        eq(c + "dw", w.grad);
    }

    @Test
    void bceWithLogits() {
        String c = "bce.";
        Tensor z = p(c + "z");
        Tape t = new Tape(REF);
        Tensor loss = BceWithLogits.apply(t, z, constant(t, v(c + "t"), z.shape));
        t.backward(loss);
        eq(c + "loss", loss);
        eq(c + "dz", z.grad);
    }

    @Test
    void crossEntropy() {
        String c = "ce.";
        Tensor z = p(c + "z");
        Tape t = new Tape(REF);
        Tensor loss = SoftmaxCrossEntropy.apply(t, z, constant(t, v(c + "labels"), z.dim(0)));
        t.backward(loss);
        eq(c + "loss", loss);
        eq(c + "dz", z.grad);
    }

    @Test
    void gaussianNll() {
        String c = "gaussian_nll.";
        Tensor mu = p(c + "mu"), ls = p(c + "log_sigma");
        Tape t = new Tape(REF);
        Tensor loss = GaussianNll.apply(t, constant(t, v(c + "x"), mu.shape), mu, ls);
        t.backward(loss);
        eq(c + "loss", loss);
        eq(c + "dmu", mu.grad);
        eq(c + "dlog_sigma", ls.grad);
    }

    @Test
    void adamThreeStepsTwoGroups() {
        String c = "adam.";
        Tensor p1 = p(c + "p1_0"), p2 = p(c + "p2_0");
        Adam a1 = new Adam(List.of(p1), 1e-2, 0.5, 0.999, 1e-8), a2 = new Adam(List.of(p2), 2e-4, 0.5, 0.999, 1e-8);
        for (int s = 1; s <= 3; s++) {
            p1.grad = Tensor.buffer(REF, "g1", p1.shape).write(v(c + "g1_" + s));
            p2.grad = Tensor.buffer(REF, "g2", p2.shape).write(v(c + "g2_" + s));
            a1.step();
            a2.step();
            eq(c + "p1_" + s, p1);
            eq(c + "p2_" + s, p2);
        }
    }
}
