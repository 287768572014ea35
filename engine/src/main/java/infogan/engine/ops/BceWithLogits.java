package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * Binary cross-entropy of sigmoid(z) against targets t, averaged (F.binary_cross_entropy_with_logits):
 * L = (1/n) Σ max(z, 0) − z·t + log(1 + e^{−|z|}). This form never exponentiates a positive number, so it is finite
 * and exact for logits of ±400 where log(sigmoid(z)) would give −inf. ∂L/∂z = (sigmoid(z) − t)/n.
 * It is the GAN loss: D's real/fake terms and G's non-saturating −log D(G(z)).
 */
public final class BceWithLogits extends Op {
    private BceWithLogits() { super("bce_with_logits"); }

    public static Tensor apply(Tape t, Tensor logits, Tensor targets) {
        Shapes.requireSame("bce_with_logits", logits.shape, targets.shape);
        Tensor loss = t.tensor(1);
        t.backend.bceWithLogitsForward(loss.data, logits.data, targets.data, logits.size);
        BceWithLogits op = new BceWithLogits();
        if (t.needsGrad(logits)) op.save(logits, targets);
        return t.record(op, loss, logits);
    }

    @Override
    protected void backward(Tape t, Tensor dloss) {
        Tensor z = inputs[0], targets = saved()[1];
        t.backend.bceWithLogitsBackward(t.grad(z).data, dloss.data, z.data, targets.data, z.size);
    }
}
