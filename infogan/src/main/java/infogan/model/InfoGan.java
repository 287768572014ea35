package infogan.model;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.nn.Module;
import infogan.engine.ops.Add;
import infogan.engine.ops.BceWithLogits;
import infogan.engine.optim.Adam;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * InfoGAN: a generator G(z, c), a discriminator D and a posterior network Q(c | x) sharing D's trunk, trained as in
 * the authors' code:
 * <pre>
 *   D/Q step:  min over trunk, D head, Q head   BCE(D(x), 1) + BCE(D(G(z,c)), 0) − λ·L_I     (Adam lr 2e-4)
 *   G step:    min over G                       BCE(D(G(z,c)), 1) − λ·L_I                     (Adam lr 1e-3)
 * </pre>
 * The G loss is the non-saturating −log D(G(z)). L_I ({@link InfoLoss}) trains G, Q's head <b>and the shared trunk</b>
 * (through the D/Q step); several ports leave the trunk out of Q's optimiser and lose that.
 * <p>
 * One {@link #step} draws one latent batch: G runs once; the D/Q step sees the fakes detached; after D's Adam step the
 * G step runs D again on the same fakes (a fresh forward: reusing the pre-update D forward would be the classic bug, and
 * the tape's version check would refuse it). During the G step D's parameters are frozen, so no weight gradients are
 * computed for them.
 */
public final class InfoGan {
    public final ModelConfig cfg;
    public final Backend backend;
    public final Networks.Generator g;
    public final Networks.Trunk trunk;
    public final Networks.DHead dHead;
    public final Networks.QHead qHead;
    public final Adam optD, optG;
    public final Rng rng;
    private final Tape tape;

    // host staging buffers for one latent batch (reused every step)
    private final float[] latent, cont, ones, zerosB;
    private final float[][] catLabels;

    public InfoGan(Backend backend, ModelConfig cfg, long seed) {
        this.cfg = cfg;
        this.backend = backend;
        this.rng = new Rng(seed);
        Rng init = new Rng(seed ^ 0x5DEECE66DL);
        LatentSpec s = cfg.latent();
        g = new Networks.Generator(backend, s, init);
        trunk = new Networks.Trunk(backend, cfg.leak(), init);
        dHead = new Networks.DHead(backend, init);
        qHead = new Networks.QHead(backend, s, cfg.leak(), init);
        List<Tensor> dq = new ArrayList<>(trunk.parameters());
        dq.addAll(dHead.parameters());
        dq.addAll(qHead.parameters());
        optD = new Adam(dq, cfg.lrD(), cfg.beta1(), cfg.beta2(), 1e-8);
        optG = new Adam(g.parameters(), cfg.lrG(), cfg.beta1(), cfg.beta2(), 1e-8);
        tape = new Tape(backend);
        int b = cfg.batch();
        latent = new float[b * s.size()];
        cont = new float[b * Math.max(1, s.continuous())];
        catLabels = new float[s.categorical().length][b];
        ones = new float[b];
        zerosB = new float[b];
        java.util.Arrays.fill(ones, 1f);
    }

    /** All modules, in a fixed order (checkpoints and mode switches iterate this). */
    public List<Module> modules() { return List.of(g, trunk, dHead, qHead); }

    /** What one step measured (read back from the backend). */
    public record StepStats(double dLoss, double gLoss, double dReal, double dFake, double[] crossEntropy,
                            double[] nll, double logSigmaMin, double logSigmaMax) { }

    /**
     * Draws z ~ U(−1,1)^noise, each categorical code uniformly, each continuous code ~ U(−1,1), into the host buffers.
     * Returns the latent matrix (B, L); the codes stay in {@link #catLabels} and {@link #cont}.
     */
    public float[] sampleLatent() {
        LatentSpec s = cfg.latent();
        int b = cfg.batch(), L = s.size();
        for (int r = 0; r < b; r++) {
            int base = r * L;
            for (int i = 0; i < s.noise(); i++) latent[base + i] = (float) rng.uniform(-1, 1);
            for (int k = 0; k < s.categorical().length; k++) {
                int K = s.categorical()[k], off = s.categoricalOffset(k), c = rng.nextInt(K);
                for (int j = 0; j < K; j++) latent[base + off + j] = j == c ? 1f : 0f;
                catLabels[k][r] = c;
            }
            for (int j = 0; j < s.continuous(); j++) {
                float v = (float) rng.uniform(-1, 1);
                latent[base + s.noise() + s.categoricalWidth() + j] = v;
                cont[r * s.continuous() + j] = v;
            }
        }
        return latent;
    }

    /** One D/Q step and one G step on a batch of real images (B·784 values in [0, 1]). */
    public StepStats step(float[] realImages) {
        LatentSpec s = cfg.latent();
        int b = cfg.batch();
        Tape t = tape;
        try {
            Tensor real = t.constant(realImages, b, 1, 28, 28);
            sampleLatent();
            Tensor z = t.constant(latent, b, s.size());
            Tensor[] labels = new Tensor[catLabels.length];
            for (int k = 0; k < labels.length; k++) labels[k] = t.constant(catLabels[k], b);
            Tensor c = s.continuous() > 0 ? t.constant(cont, b, s.continuous()) : null;
            Tensor onesT = t.constant(ones, b, 1), zerosT = t.constant(zerosB, b, 1);

            Tensor fake = g.forward(t, z);                                         // (B, 1, 28, 28), G's graph kept for the G step
            Tensor fakeDetached = new Tensor(backend, fake.data, fake.shape, null, false);

            // ---- D/Q step: D learns real vs fake, Q (and the trunk) learn to recover the codes.
            setTrainable(true);
            optD.zeroGrad();
            Tensor dRealLogit = dHead.forward(t, trunk.forward(t, real));          // (B, 1)
            Tensor hFake = trunk.forward(t, fakeDetached);                         // (B, 1024)
            Tensor dFakeLogit = dHead.forward(t, hFake);                           // (B, 1)
            InfoLoss.Terms infoD = InfoLoss.compute(t, s, qHead.forward(t, hFake), labels, c, zerosT, cfg.lambdaCat(), cfg.lambdaCont());
            Tensor dGan = Add.apply(t, BceWithLogits.apply(t, dRealLogit, onesT), BceWithLogits.apply(t, dFakeLogit, zerosT));
            t.backward(Add.apply(t, dGan, infoD.loss()));
            optD.step();

            // ---- G step: G learns to fool the updated D and to make its codes recoverable by Q.
            setTrainable(false);
            optG.zeroGrad();
            Tensor h = trunk.forward(t, fake);
            Tensor gGan = BceWithLogits.apply(t, dHead.forward(t, h), onesT);
            InfoLoss.Terms info = InfoLoss.compute(t, s, qHead.forward(t, h), labels, c, zerosT, cfg.lambdaCat(), cfg.lambdaCont());
            t.backward(Add.apply(t, gGan, info.loss()));
            optG.step();

            return stats(dGan, gGan, dRealLogit, dFakeLogit, infoD);
        } finally {
            setTrainable(true);
            t.reset();
        }
    }

    private void setTrainable(boolean dSide) {
        trunk.setRequiresGrad(dSide);
        dHead.setRequiresGrad(dSide);
        qHead.setRequiresGrad(dSide);
    }

    private StepStats stats(Tensor dLoss, Tensor gGan, Tensor dRealLogit, Tensor dFakeLogit, InfoLoss.Terms info) {
        double[] ce = new double[info.crossEntropy().length], nll = new double[info.nll().length];
        for (int k = 0; k < ce.length; k++) ce[k] = info.crossEntropy()[k].item();
        for (int j = 0; j < nll.length; j++) nll[j] = info.nll()[j].item();
        double lsMin = 0, lsMax = 0;
        if (info.logSigma() != null) {
            float[] ls = info.logSigma().toFloats();
            lsMin = Double.POSITIVE_INFINITY; lsMax = Double.NEGATIVE_INFINITY;
            for (float v : ls) { lsMin = Math.min(lsMin, v); lsMax = Math.max(lsMax, v); }
        }
        return new StepStats(dLoss.item(), gGan.item(), meanSigmoid(dRealLogit), meanSigmoid(dFakeLogit), ce, nll, lsMin, lsMax);
    }

    private static double meanSigmoid(Tensor logits) {
        float[] v = logits.toFloats();
        double s = 0;
        for (float x : v) s += x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
        return s / v.length;
    }

    public Tape tape() { return tape; }
}
