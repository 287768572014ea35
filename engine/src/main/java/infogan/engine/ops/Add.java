package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * y = x + b with b broadcast (numpy rules, right-aligned) when b's non-1 dimensions form one contiguous block of
 * x's dimensions: same shape, a bias (C) on (N, C), (1, C, 1, 1) or (C, 1, 1) on (N, C, H, W), a scalar, ...
 * That covers every bias and broadcast add InfoGAN needs with one kernel pair: y[o, j, i] = x[o, j, i] + b[j],
 * db[j] += Σ_{o,i} dy[o, j, i].
 */
public final class Add extends Op {
    private final int outer, c, inner;

    private Add(int outer, int c, int inner) {
        super("add");
        this.outer = outer; this.c = c; this.inner = inner;
    }

    public static Tensor apply(Tape t, Tensor x, Tensor b) {
        int[] split = split(x.shape, b.shape);
        Tensor y = t.tensor(x.shape.clone());
        if (split[0] == 1 && split[2] == 1) t.backend.add(y.data, x.data, b.data, x.size);
        else t.backend.biasAdd(y.data, x.data, b.data, split[0], split[1], split[2]);
        return t.record(new Add(split[0], split[1], split[2]), y, x, b);
    }

    /** (outer, c, inner) with x = outer·c·inner and b = c, or an error naming both shapes. */
    static int[] split(int[] xs, int[] bs) {
        if (bs.length > xs.length) throw bad(xs, bs);
        int off = xs.length - bs.length, first = -1, last = -1;
        for (int i = 0; i < bs.length; i++) {
            if (bs[i] == 1 && xs[off + i] != 1) continue;
            if (bs[i] != xs[off + i]) throw bad(xs, bs);
            if (first < 0) first = off + i;
            if (last >= 0 && last != off + i - 1) throw bad(xs, bs);
            last = off + i;
        }
        if (first < 0) return new int[]{Shapes.size(xs), 1, 1};
        return new int[]{Shapes.prod(xs, 0, first), Shapes.prod(xs, first, last + 1), Shapes.prod(xs, last + 1, xs.length)};
    }

    private static IllegalArgumentException bad(int[] xs, int[] bs) {
        return new IllegalArgumentException("add: shape " + Shapes.str(bs) + " does not broadcast onto " + Shapes.str(xs));
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor x = inputs[0], b = inputs[1];
        if (x.requiresGrad()) t.backend.axpy(t.grad(x).data, dy.data, dy.size, 1.0);
        if (b.requiresGrad()) {
            if (outer == 1 && inner == 1) t.backend.axpy(t.grad(b).data, dy.data, dy.size, 1.0);
            else t.backend.biasGrad(t.grad(b).data, dy.data, outer, c, inner);
        }
    }
}
