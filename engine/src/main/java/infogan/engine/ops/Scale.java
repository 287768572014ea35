package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Tensor;

/** y = alpha · x for a constant alpha (loss weights such as λ). Backward: dx += alpha · dy. */
public final class Scale extends Op {
    private final double alpha;

    private Scale(double alpha) { super("scale"); this.alpha = alpha; }

    public static Tensor apply(Tape t, Tensor x, double alpha) {
        Tensor y = t.tensor(x.shape.clone());
        t.backend.scale(y.data, x.data, x.size, alpha);
        return t.record(new Scale(alpha), y, x);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        t.backend.axpy(t.grad(inputs[0]).data, dy.data, dy.size, alpha);
    }
}
