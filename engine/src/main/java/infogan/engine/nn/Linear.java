package infogan.engine.nn;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.ops.Add;
import infogan.engine.ops.MatMul;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

import java.util.List;

/** Fully connected layer y = x·Wᵀ + b (torch.nn.Linear; W is (out, in)). Weights N(0, 0.02), bias 0. */
public final class Linear extends Module {
    public final Tensor weight, bias;   // (out, in), (out) or null

    public Linear(Backend be, String name, int in, int out, boolean withBias, Rng rng) {
        weight = Tensor.parameter(be, name + ".weight", out, in);
        Init.normal(weight, rng, 0, 0.02);
        bias = withBias ? Tensor.parameter(be, name + ".bias", out) : null;
    }

    public Tensor forward(Tape t, Tensor x) {
        Tensor y = MatMul.apply(t, x, false, weight, true);        // (B, out)
        return bias == null ? y : Add.apply(t, y, bias);
    }

    @Override
    protected List<Tensor> ownParameters() { return bias == null ? List.of(weight) : List.of(weight, bias); }
}
