package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.ref.ReferenceBackend;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Gradient checking in float64 on the reference backend: the analytic gradient from the tape against central
 * differences (f(x + h) − f(x − h)) / 2h, element by element, with |analytic − numeric| ≤ atol + rtol·|numeric|.
 * On failure the message lists the first mismatches and the largest difference.
 */
public final class GradCheck {
    public static final ReferenceBackend REF = new ReferenceBackend();

    private GradCheck() { }

    /** A parameter-like leaf with seeded values uniform in [lo, hi). */
    public static Tensor leaf(Rng rng, double lo, double hi, int... shape) {
        Tensor t = Tensor.parameter(REF, "x", shape);
        double[] v = new double[t.size];
        for (int i = 0; i < v.length; i++) v[i] = rng.uniform(lo, hi);
        return t.write(v);
    }

    /** Like {@link #leaf} but every value has |x| ≥ margin (signs random): keeps ReLU-type inputs away from the kink. */
    public static Tensor leafAwayFromZero(Rng rng, double margin, double hi, int... shape) {
        Tensor t = Tensor.parameter(REF, "x", shape);
        double[] v = new double[t.size];
        for (int i = 0; i < v.length; i++) v[i] = (rng.nextDouble() < 0.5 ? -1 : 1) * rng.uniform(margin, hi);
        return t.write(v);
    }

    /** A tape-owned constant (not differentiated) with the given values. */
    public static Tensor constant(Tape t, double[] values, int... shape) {
        Tensor c = t.tensor(shape);
        if (values.length != c.size) throw new IllegalArgumentException(values.length + " values for shape " + shapeStr(c));
        t.backend.write(c.data, values);
        return c;
    }

    /**
     * Asserts |actual − expected| ≤ atol + rtol·|expected| element by element (NaN and ±inf never pass unless equal);
     * on failure lists the first mismatches and the largest difference.
     */
    public static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        if (expected.length != actual.length)
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        List<String> bad = new ArrayList<>();
        double maxDiff = 0;
        int nBad = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            boolean ok = expected[i] == actual[i] || diff <= atol + rtol * Math.abs(expected[i]);
            if (!Double.isNaN(diff)) maxDiff = Math.max(maxDiff, diff);
            else maxDiff = Double.NaN;
            if (!ok && nBad++ < 8)
                bad.add(String.format("[%d]: got %.10g expected %.10g diff %.3g", i, actual[i], expected[i], diff));
        }
        if (nBad > 0)
            throw new AssertionError(what + ": " + nBad + " of " + expected.length + " values differ (atol " + atol + ", rtol " + rtol
                    + ", max diff " + maxDiff + ")\n  " + String.join("\n  ", bad));
    }

    /**
     * Checks d loss / d input for every input. loss maps a tape to a scalar built from the inputs; it is evaluated
     * repeatedly, so it must be deterministic.
     */
    public static void check(String what, Function<Tape, Tensor> loss, double h, double atol, double rtol, Tensor... inputs) {
        Tape tape = new Tape(REF);
        for (Tensor in : inputs) in.grad = null;
        Tensor l = loss.apply(tape);
        tape.backward(l);
        List<String> bad = new ArrayList<>();
        double maxDiff = 0;
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (!in.requiresGrad()) continue;
            double[] x = in.toDoubles();
            double[] analytic = in.grad == null ? new double[in.size] : in.grad.toDoubles();
            for (int i = 0; i < x.length; i++) {
                double keep = x[i];
                x[i] = keep + h; in.write(x);
                double fp = eval(loss);
                x[i] = keep - h; in.write(x);
                double fm = eval(loss);
                x[i] = keep; in.write(x);
                double numeric = (fp - fm) / (2 * h), diff = Math.abs(analytic[i] - numeric);
                maxDiff = Math.max(maxDiff, diff);
                if (!(diff <= atol + rtol * Math.abs(numeric)) && bad.size() < 8)
                    bad.add(String.format("input %d %s[%d]: analytic %.10g numeric %.10g diff %.3g", k, shapeStr(in), i, analytic[i], numeric, diff));
            }
        }
        if (!bad.isEmpty())
            throw new AssertionError(what + ": gradient mismatch (atol " + atol + ", rtol " + rtol + ", max diff " + maxDiff + ")\n  " + String.join("\n  ", bad));
    }

    public static void check(String what, Function<Tape, Tensor> loss, Tensor... inputs) {
        check(what, loss, 1e-6, 1e-7, 1e-5, inputs);
    }

    private static double eval(Function<Tape, Tensor> loss) {
        Tape t = new Tape(REF);
        try (var ng = t.noGrad()) {
            return loss.apply(t).item();
        }
    }

    private static String shapeStr(Tensor t) { return infogan.engine.tensor.Shapes.str(t.shape); }

    /** A fixed random projection to turn any tensor into a scalar loss: Σ x ⊙ r, so every output element matters. */
    public static Tensor project(Tape t, Tensor y, long seed) {
        Rng rng = new Rng(seed);
        double[] r = new double[y.size];
        for (int i = 0; i < r.length; i++) r[i] = rng.uniform(-1, 1);
        Tensor w = t.tensor(y.shape.clone());
        REF.write(w.data, r);
        return infogan.engine.ops.Sum.sum(t, infogan.engine.ops.Mul.apply(t, y, w));
    }
}
