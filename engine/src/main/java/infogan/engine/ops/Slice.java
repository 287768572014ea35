package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * x[..., start:start+len, ...] along one axis (InfoGAN splits Q's output into logits, means and log σ).
 * Forward copies a strided block; backward adds dy into that block of dx.
 */
public final class Slice extends Op {
    private final int axis, start;

    private Slice(int axis, int start) { super("slice"); this.axis = axis; this.start = start; }

    public static Tensor apply(Tape t, Tensor x, int axis, int start, int len) {
        if (axis < 0 || axis >= x.rank() || start < 0 || len <= 0 || start + len > x.dim(axis))
            throw new IllegalArgumentException("slice [" + start + ", " + (start + len) + ") along axis " + axis + " is outside " + Shapes.str(x.shape));
        int[] shape = x.shape.clone();
        shape[axis] = len;
        Tensor y = t.tensor(shape);
        int rows = Shapes.prod(x.shape, 0, axis), inner = Shapes.prod(x.shape, axis + 1, x.rank());
        t.backend.copyBlock(y.data, 0, len * inner, x.data, start * inner, x.dim(axis) * inner, rows, len * inner, false);
        return t.record(new Slice(axis, start), y, x);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor x = inputs[0];
        int rows = Shapes.prod(x.shape, 0, axis), inner = Shapes.prod(x.shape, axis + 1, x.rank()), len = dy.dim(axis);
        t.backend.copyBlock(t.grad(x).data, start * inner, x.dim(axis) * inner, dy.data, 0, len * inner, rows, len * inner, true);
    }
}
