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
 * The step count t lives on the backend (one number, counted there by {@code t += 1}), not in a Java field: a
 * training step recorded as a CUDA graph then replays with t advancing, where a host-side t would be frozen into
 * the graph at its recorded value. A float counts steps exactly up to 2^24 (16.7 million).
 * <p>
 * A step writes every parameter in place, so it bumps their versions: a backward that still needs the old
 * values (saved before the step) then fails loudly instead of computing a wrong gradient.
 */
public final class Adam {
    /** The largest step count a float32 counter holds exactly. */
    public static final long MAX_STEPS = 1L << 24;

    public final List<Tensor> params;
    public final double lr;
    public final double beta1, beta2, eps;
    private final Storage[] m, v;
    /** step[0] = t, the number of steps taken; one[0] = 1, the increment. Null for an empty group. */
    private final Storage step, one;
    private final Backend backend;

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
        backend = this.params.isEmpty() ? null : this.params.get(0).backend;
        step = backend == null ? null : backend.zeros(1);
        one = backend == null ? null : backend.alloc(1);
        if (one != null) backend.fill(one, 1, 1.0);
    }

    /** Sets every gradient of the group to zero (gradients accumulate across backward passes). */
    public void zeroGrad() {
        for (Tensor p : params) if (p.grad != null) p.backend.fill(p.grad.data, p.size, 0.0);
    }

    public void step() {
        if (backend == null) return;
        backend.axpy(step, one, 1, 1.0);                  // t += 1, on the backend
        for (int i = 0; i < m.length; i++) {
            Tensor p = params.get(i);
            if (p.grad == null) continue;
            p.backend.adamStep(p.data, p.grad.data, m[i], v[i], p.size, lr, beta1, beta2, eps, step);
            p.bumpVersion();
        }
    }

    /** The number of steps taken (read back from the backend: for checkpoints, not for a hot loop). */
    public long steps() {
        if (backend == null) return 0;
        double[] t = new double[1];
        backend.read(step, t);
        return (long) t[0];
    }

    /** Moment estimates, for checkpoints. */
    public Storage firstMoment(int i) { return m[i]; }

    public Storage secondMoment(int i) { return v[i]; }

    /** Restores the step count (from a checkpoint). */
    public void setSteps(long steps) {
        if (steps < 0 || steps > MAX_STEPS)
            throw new IllegalArgumentException("Adam step count " + steps + " outside 0.." + MAX_STEPS);
        if (backend != null) backend.write(step, new double[] {steps});
    }
}
