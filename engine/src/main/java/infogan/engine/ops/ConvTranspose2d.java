package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * Transposed 2-d convolution ("upconv", torch.nn.functional.conv_transpose2d without bias):
 * x (N, Cin, H, W) with w (Cin, Cout, KH, KW) → y (N, Cout, OH, OW), OH = (H − 1)·stride − 2·pad + KH.
 * <p>
 * It is exactly the backward-data pass of the convolution that maps y's shape to x's shape with the same weight,
 * so it reuses the three convolution kernels with roles swapped (geometry g below is that convolution's):
 * y = conv2dBackwardData(x, w); dx = conv2dForward(dy, w); dw += conv2dBackwardFilter(x, dy).
 */
public final class ConvTranspose2d extends Op {
    private final ConvGeom g;

    private ConvTranspose2d(ConvGeom g) { super("conv_transpose2d"); this.g = g; }

    public static Tensor apply(Tape t, Tensor x, Tensor w, int stride, int pad) {
        if (x.rank() != 4 || w.rank() != 4 || x.dim(1) != w.dim(0))
            throw new IllegalArgumentException("conv_transpose2d: input " + Shapes.str(x.shape) + " and weight " + Shapes.str(w.shape)
                    + " do not match (want (N,Cin,H,W) and (Cin,Cout,KH,KW))");
        int kh = w.dim(2), kw = w.dim(3);
        int oh = (x.dim(2) - 1) * stride - 2 * pad + kh, ow = (x.dim(3) - 1) * stride - 2 * pad + kw;
        // The convolution y-shape → x-shape: input channels Cout, output channels Cin.
        ConvGeom g = new ConvGeom(x.dim(0), w.dim(1), oh, ow, w.dim(0), kh, kw, stride, pad, x.dim(2), x.dim(3));
        Tensor y = t.zeros(g.n(), g.c(), g.h(), g.w());                // (N, Cout, OH, OW)
        t.backend.conv2dBackwardData(y.data, x.data, w.data, g);
        ConvTranspose2d op = new ConvTranspose2d(g);
        if (t.needsGrad(x, w)) op.save(x, w);
        return t.record(op, y, x, w);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor x = inputs[0], w = inputs[1];
        if (x.requiresGrad()) {
            Storage tmp = t.scratch(x.size);       // conv2dForward overwrites; gradients accumulate
            t.backend.conv2dForward(tmp, dy.data, w.data, g);
            t.backend.axpy(t.grad(x).data, tmp, x.size, 1.0);
        }
        if (w.requiresGrad()) t.backend.conv2dBackwardFilter(t.grad(w).data, x.data, dy.data, g);
    }
}
