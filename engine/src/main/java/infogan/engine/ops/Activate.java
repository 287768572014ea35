package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Activation;
import infogan.engine.tensor.Tensor;

/** y = f(x) for f in {@link Activation} (ReLU, leaky ReLU, sigmoid, tanh). Backward: dx += f'(x) ⊙ dy. */
public final class Activate extends Op {
    private final Activation f;
    private final double alpha;

    private Activate(Activation f, double alpha) {
        super(f.name().toLowerCase());
        this.f = f; this.alpha = alpha;
    }

    public static Tensor relu(Tape t, Tensor x) { return apply(t, Activation.RELU, x, 0); }
    public static Tensor leakyRelu(Tape t, Tensor x, double leak) { return apply(t, Activation.LEAKY_RELU, x, leak); }
    public static Tensor sigmoid(Tape t, Tensor x) { return apply(t, Activation.SIGMOID, x, 0); }
    public static Tensor tanh(Tape t, Tensor x) { return apply(t, Activation.TANH, x, 0); }
    public static Tensor exp(Tape t, Tensor x) { return apply(t, Activation.EXP, x, 0); }
    public static Tensor log(Tape t, Tensor x) { return apply(t, Activation.LOG, x, 0); }

    public static Tensor apply(Tape t, Activation f, Tensor x, double alpha) {
        Tensor y = t.tensor(x.shape.clone());
        t.backend.activationForward(f, y.data, x.data, x.size, alpha);
        Activate op = new Activate(f, alpha);
        if (t.needsGrad(x)) {
            if (f == Activation.RELU || f == Activation.LEAKY_RELU || f == Activation.LOG) op.save(x); else op.save(y);
        }
        return t.record(op, y, x);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor x = inputs[0];
        t.backend.activationBackward(f, t.grad(x).data, dy.data, x.data, out.data, dy.size, alpha);
    }
}
