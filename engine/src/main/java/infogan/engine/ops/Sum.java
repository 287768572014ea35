package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Tensor;

/** s = alpha · Σ x over all elements (sum: alpha 1; mean: alpha 1/n). Backward: dx += alpha · ds. */
public final class Sum extends Op {
    private final double alpha;

    private Sum(double alpha, String name) { super(name); this.alpha = alpha; }

    public static Tensor sum(Tape t, Tensor x) { return apply(t, x, 1.0, "sum"); }

    public static Tensor mean(Tape t, Tensor x) { return apply(t, x, 1.0 / x.size, "mean"); }

    private static Tensor apply(Tape t, Tensor x, double alpha, String name) {
        Tensor s = t.tensor(1);
        t.backend.sum(s.data, x.data, x.size, alpha);
        return t.record(new Sum(alpha, name), s, x);
    }

    @Override
    protected void backward(Tape t, Tensor ds) {
        t.backend.broadcastScalarAcc(t.grad(inputs[0]).data, ds.data, inputs[0].size, alpha);
    }
}
