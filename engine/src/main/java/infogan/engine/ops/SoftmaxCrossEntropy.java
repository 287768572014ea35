package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Tensor;

/**
 * Fused softmax + cross-entropy with integer labels (F.cross_entropy), averaged over the batch:
 * L = (1/B) Σ_r [logsumexp(z_r) − z_r[y_r]], ∂L/∂z = (softmax(z) − onehot(y))/B.
 * In InfoGAN this is Q's categorical term: E[log Q(c|x)] = −L, and the MI lower bound of a Cat(K) code is ln K − L.
 * labels (B) holds class indices as numbers.
 */
public final class SoftmaxCrossEntropy extends Op {
    private final Tensor probs;

    private SoftmaxCrossEntropy(Tensor probs) { super("softmax_cross_entropy"); this.probs = probs; }

    public static Tensor apply(Tape t, Tensor logits, Tensor labels) {
        if (logits.rank() != 2 || labels.size != logits.dim(0))
            throw new IllegalArgumentException("softmax_cross_entropy: logits " + infogan.engine.tensor.Shapes.str(logits.shape)
                    + " need (B, K) with B labels, got " + labels.size);
        int b = logits.dim(0), k = logits.dim(1);
        Tensor loss = t.tensor(1), probs = t.tensor(b, k);
        t.backend.softmaxCrossEntropyForward(loss.data, probs.data, logits.data, labels.data, b, k);
        SoftmaxCrossEntropy op = new SoftmaxCrossEntropy(probs);
        if (t.needsGrad(logits)) op.save(labels);
        return t.record(op, loss, logits);
    }

    @Override
    protected void backward(Tape t, Tensor dloss) {
        Tensor z = inputs[0];
        t.backend.softmaxCrossEntropyBackward(t.grad(z).data, dloss.data, probs.data, saved()[0].data, z.dim(0), z.dim(1));
    }
}
