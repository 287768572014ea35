package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * torch.cat along one axis (InfoGAN assembles its latent input [z | c1 | c2 c3] this way). With rows = the product of
 * the dimensions before the axis, each input is a (rows × cols_i) block copied side by side; backward copies the
 * blocks of dy back (accumulating).
 */
public final class Concat extends Op {
    private final int axis;

    private Concat(int axis) { super("concat"); this.axis = axis; }

    public static Tensor apply(Tape t, int axis, Tensor... xs) {
        int[] shape = xs[0].shape.clone();
        int total = 0;
        for (Tensor x : xs) {
            if (x.rank() != shape.length) throw new IllegalArgumentException("concat: ranks differ: " + Shapes.str(xs[0].shape) + " and " + Shapes.str(x.shape));
            for (int d = 0; d < shape.length; d++)
                if (d != axis && x.dim(d) != shape[d])
                    throw new IllegalArgumentException("concat along " + axis + ": shapes " + Shapes.str(xs[0].shape) + " and " + Shapes.str(x.shape) + " differ off the axis");
            total += x.dim(axis);
        }
        shape[axis] = total;
        Tensor y = t.tensor(shape);
        int rows = Shapes.prod(shape, 0, axis), inner = Shapes.prod(shape, axis + 1, shape.length), yCols = total * inner, off = 0;
        for (Tensor x : xs) {
            int cols = x.dim(axis) * inner;
            t.backend.copyBlock(y.data, off, yCols, x.data, 0, cols, rows, cols, false);
            off += cols;
        }
        return t.record(new Concat(axis), y, xs);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        int rows = Shapes.prod(dy.shape, 0, axis), inner = Shapes.prod(dy.shape, axis + 1, dy.rank()), yCols = dy.dim(axis) * inner, off = 0;
        for (Tensor x : inputs) {
            int cols = x.dim(axis) * inner;
            if (x.requiresGrad()) t.backend.copyBlock(t.grad(x).data, 0, cols, dy.data, off, yCols, rows, cols, true);
            off += cols;
        }
    }
}
