package infogan.engine.optim;

import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;
import infogan.engine.tensor.Tensor;

import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015) over one parameter group with its own learning rate, PyTorch's formulation
 * (bias corrections folded into the step; see {@link Backend#adamStep}). The InfoGAN setup uses β1 = 0.5,
 * β2 = 0.999, eps 1e-8, lr 2e-4 for D/Q and 1e-3 for G, each network with its own Adam.
 * <p>
 * A step writes every parameter in place, so it bumps their versions: a backward that still needs the old
 * values (saved before the step) then fails loudly instead of computing a wrong gradient.
 */
public final class Adam {
    public final List<Tensor> params;
    public double lr;
    public final double beta1, beta2, eps;
    private final Storage[] m, v;
    private long t;

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps) {
        this.params = List.copyOf(params);
        this.lr = lr; this.beta1 = beta1; this.beta2 = beta2; this.eps = eps;
        m = new Storage[params.size()];
        v = new Storage[params.size()];
        for (int i = 0; i < m.length; i++) {
            Tensor p = this.params.get(i);
            m[i] = p.backend.zeros(p.size);
            v[i] = p.backend.zeros(p.size);
        }
    }

    /** Sets every gradient of the group to zero (gradients accumulate across backward passes). */
    public void zeroGrad() {
        for (Tensor p : params) if (p.grad != null) p.backend.fill(p.grad.data, p.size, 0.0);
    }

    public void step() {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < m.length; i++) {
            Tensor p = params.get(i);
            if (p.grad == null) continue;
            p.backend.adamStep(p.data, p.grad.data, m[i], v[i], p.size, lr, beta1, beta2, eps, bc1, bc2);
            p.bumpVersion();
        }
    }

    public long steps() { return t; }

    /** Moment estimates, for checkpoints. */
    public Storage firstMoment(int i) { return m[i]; }

    public Storage secondMoment(int i) { return v[i]; }

    public void setSteps(long steps) { t = steps; }
}
