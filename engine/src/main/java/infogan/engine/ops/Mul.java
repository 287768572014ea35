package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/** y = a ⊙ b (same shapes). Backward: da += dy ⊙ b, db += dy ⊙ a. */
public final class Mul extends Op {
    private Mul() { super("mul"); }

    public static Tensor apply(Tape t, Tensor a, Tensor b) {
        Shapes.requireSame("mul", a.shape, b.shape);
        Tensor y = t.tensor(a.shape.clone());
        t.backend.mul(y.data, a.data, b.data, a.size);
        Mul op = new Mul();
        if (t.needsGrad(a, b)) op.save(a, b);
        return t.record(op, y, a, b);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor a = inputs[0], b = inputs[1];
        if (a.requiresGrad()) t.backend.mulAcc(t.grad(a).data, dy.data, b.data, dy.size);
        if (b.requiresGrad()) t.backend.mulAcc(t.grad(b).data, dy.data, a.data, dy.size);
    }
}
