package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * A new shape over the same values (torch.reshape / flatten / view). The output shares the input's storage, so
 * nothing is copied; backward adds dy into dx element by element. One dimension may be −1 (inferred).
 */
public final class Reshape extends Op {
    private Reshape() { super("reshape"); }

    public static Tensor apply(Tape t, Tensor x, int... shape) {
        int[] s = shape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Shapes.str(shape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0 && known > 0 && x.size % known == 0) s[infer] = x.size / known;
        if (Shapes.size(s) != x.size) throw new IllegalArgumentException("reshape: cannot view " + Shapes.str(x.shape) + " as " + Shapes.str(shape));
        Tensor y = x.view(s);                                       // shares x's storage and version counter
        return t.record(new Reshape(), y, x);
    }

    /** (N, ...) → (N, rest). */
    public static Tensor flatten(Tape t, Tensor x) { return apply(t, x, x.dim(0), -1); }

    @Override
    protected void backward(Tape t, Tensor dy) {
        t.backend.axpy(t.grad(inputs[0]).data, dy.data, dy.size, 1.0);
    }
}
