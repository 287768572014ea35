package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.backend.ConvGeom;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, torch.nn.functional.conv2d without bias):
 * x (N, C, H, W) * w (OC, C, KH, KW) → y (N, OC, OH, OW), OH = (H + 2·pad − KH)/stride + 1.
 * Backward: dx += conv_transpose(dy, w) (backend.conv2dBackwardData), dw += Σ dy ⊗ patches(x) (conv2dBackwardFilter).
 */
public final class Conv2d extends Op {
    private final ConvGeom g;

    private Conv2d(ConvGeom g) { super("conv2d"); this.g = g; }

    public static Tensor apply(Tape t, Tensor x, Tensor w, int stride, int pad) {
        if (x.rank() != 4 || w.rank() != 4 || x.dim(1) != w.dim(1))
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(x.shape) + " and weight " + Shapes.str(w.shape)
                    + " do not match (want (N,C,H,W) and (OC,C,KH,KW))");
        ConvGeom g = ConvGeom.of(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3), stride, pad);
        Tensor y = t.tensor(g.n(), g.oc(), g.oh(), g.ow());          // (N, OC, OH, OW)
        t.backend.conv2dForward(y.data, x.data, w.data, g);
        Conv2d op = new Conv2d(g);
        if (t.needsGrad(x, w)) op.save(x, w);
        return t.record(op, y, x, w);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor x = inputs[0], w = inputs[1];
        if (x.requiresGrad()) t.backend.conv2dBackwardData(t.grad(x).data, dy.data, w.data, g);
        if (w.requiresGrad()) t.backend.conv2dBackwardFilter(t.grad(w).data, dy.data, x.data, g);
    }
}
