package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * Fused Gaussian negative log-likelihood of x (B, D) under N(μ, σ²) with σ = e^{log σ}, summed over D, averaged over B:
 * L = (1/B) Σ [log σ + ½ ln 2π + ½ (x − μ)² e^{−2 log σ}].
 * ∂L/∂μ = (μ − x) e^{−2 log σ}/B, ∂L/∂log σ = (1 − (x − μ)² e^{−2 log σ})/B; x is a sampled code, not differentiated.
 * Parametrising by log σ keeps values and gradients finite for log σ anywhere in [−30, 30] (σ² never underflows to 0).
 * In InfoGAN this is Q's continuous-code term (σ fixed at 1 ⇒ log σ = 0).
 */
public final class GaussianNll extends Op {
    private GaussianNll() { super("gaussian_nll"); }

    public static Tensor apply(Tape t, Tensor x, Tensor mu, Tensor logSigma) {
        Shapes.requireSame("gaussian_nll", x.shape, mu.shape);
        Shapes.requireSame("gaussian_nll", mu.shape, logSigma.shape);
        int b = x.dim(0), d = x.size / b;
        Tensor loss = t.tensor(1);
        t.backend.gaussianNllForward(loss.data, x.data, mu.data, logSigma.data, b, d);
        GaussianNll op = new GaussianNll();
        if (t.needsGrad(mu, logSigma)) op.save(x, mu, logSigma);
        return t.record(op, loss, mu, logSigma);
    }

    @Override
    protected void backward(Tape t, Tensor dloss) {
        Tensor x = saved()[0], mu = inputs[0], ls = inputs[1];
        int b = x.dim(0), d = x.size / b;
        t.backend.gaussianNllBackward(mu.requiresGrad() ? t.grad(mu).data : null, ls.requiresGrad() ? t.grad(ls).data : null,
                dloss.data, x.data, mu.data, ls.data, b, d);
    }
}
