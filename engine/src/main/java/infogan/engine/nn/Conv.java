package infogan.engine.nn;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.ops.Add;
import infogan.engine.ops.Conv2d;
import infogan.engine.ops.ConvTranspose2d;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

import java.util.List;

/**
 * Convolution layers: {@code Conv.conv} (torch.nn.Conv2d, weight (out, in, k, k)) and {@code Conv.transposed}
 * (torch.nn.ConvTranspose2d, weight (in, out, k, k)), with an optional per-channel bias. Weights N(0, 0.02).
 */
public final class Conv extends Module {
    public final Tensor weight, bias;
    public final int stride, pad;
    public final boolean transposed;

    private Conv(Backend be, String name, int[] wShape, int outChannels, int stride, int pad, boolean withBias, boolean transposed, Rng rng) {
        this.weight = Tensor.parameter(be, name + ".weight", wShape);
        Init.normal(weight, rng, 0, 0.02);
        this.bias = withBias ? Tensor.parameter(be, name + ".bias", outChannels, 1, 1) : null;
        this.stride = stride;
        this.pad = pad;
        this.transposed = transposed;
    }

    public static Conv conv(Backend be, String name, int in, int out, int k, int stride, int pad, boolean bias, Rng rng) {
        return new Conv(be, name, new int[]{out, in, k, k}, out, stride, pad, bias, false, rng);
    }

    public static Conv transposed(Backend be, String name, int in, int out, int k, int stride, int pad, boolean bias, Rng rng) {
        return new Conv(be, name, new int[]{in, out, k, k}, out, stride, pad, bias, true, rng);
    }

    public Tensor forward(Tape t, Tensor x) {
        Tensor y = transposed ? ConvTranspose2d.apply(t, x, weight, stride, pad) : Conv2d.apply(t, x, weight, stride, pad);
        return bias == null ? y : Add.apply(t, y, bias);
    }

    @Override
    protected List<Tensor> ownParameters() { return bias == null ? List.of(weight) : List.of(weight, bias); }
}
