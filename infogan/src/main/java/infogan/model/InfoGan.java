package infogan.model;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.nn.Module;
import infogan.engine.ops.Activate;
import infogan.engine.ops.Add;
import infogan.engine.ops.Sum;
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
 * <p>
 * A step is two halves: the host draws the latent codes and uploads them with the batch into persistent input
 * buffers; the backend then runs {@link #deviceStep}, which reads nothing but those buffers and the parameters. That
 * split is what lets the CUDA backend record the device half once as a CUDA graph (after one eager step has sized every
 * buffer and warmed cuBLAS/cuDNN) and replay it with one launch per step. On the CPU backends it simply runs.
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
    private final float[] latent, cont;
    private final float[][] catLabels;
    // persistent backend tensors: the GAN targets, and the running sums of the step statistics (see readStats)
    private final Tensor ones, zeros, statSums, lastLogSigma;
    // persistent step inputs, rewritten before every step: the real batch, the latent matrix, the codes
    private final Tensor realIn, latentIn, contIn;
    private final Tensor[] labelsIn;
    private int statSteps;
    private long stepsRun;
    /** The recorded device half of a step (a CUDA graph), once recorded; null on backends that do not record. */
    private Backend.Replay recorded;
    private boolean tryRecording = true;      // false once the backend declined or failed to record
    private static final int D_GAN = 0, G_GAN = 1, D_REAL = 2, D_FAKE = 3, CODES = 4;

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
        ones = Tensor.buffer(backend, "targets.ones", b, 1);
        backend.fill(ones.data, b, 1.0);
        zeros = Tensor.buffer(backend, "targets.zeros", b, 1);
        statSums = Tensor.buffer(backend, "stats.sums", CODES + s.categorical().length + s.continuous());
        lastLogSigma = s.learnSigma() ? Tensor.buffer(backend, "stats.log_sigma", b, s.continuous()) : null;
        realIn = Tensor.buffer(backend, "input.real", b, 1, 28, 28);
        latentIn = Tensor.buffer(backend, "input.latent", b, s.size());
        labelsIn = new Tensor[catLabels.length];
        for (int k = 0; k < labelsIn.length; k++) labelsIn[k] = Tensor.buffer(backend, "input.c" + (k + 1), b);
        contIn = s.continuous() > 0 ? Tensor.buffer(backend, "input.continuous", b, s.continuous()) : null;
    }

    /** Frees the recorded step (and the device memory it holds); the next step runs eagerly and may record again. */
    public void releaseRecording() {
        if (recorded != null) {
            recorded.close();
            recorded = null;
        }
    }

    /** The number of operations one replay runs, or 0 while steps run eagerly. */
    public int recordedOperations() { return recorded == null ? 0 : recorded.operations(); }

    private java.util.function.Consumer<String> dotSink;

    /** The next step hands its whole tape (both backward passes' graphs) as Graphviz DOT to sink, once. */
    public void dumpNextStep(java.util.function.Consumer<String> sink) { dotSink = sink; }

    /** All modules, in a fixed order (checkpoints and mode switches iterate this). */
    public List<Module> modules() { return List.of(g, trunk, dHead, qHead); }

    /**
     * Means over the steps since the last {@link #readStats}: GAN losses, mean D(x) and D(G(z)), each categorical
     * code's cross-entropy and each continuous code's NLL (all measured in the D/Q step), and the range of the
     * learned log σ in the latest step (0, 0 when σ is fixed).
     */
    public record StepStats(int steps, double dLoss, double gLoss, double dReal, double dFake, double[] crossEntropy,
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

    /**
     * One D/Q step and one G step on a batch of real images (B·784 values in [0, 1]). Nothing is read back: the
     * statistics are summed on the backend and read by {@link #readStats} every N steps (on a GPU, the only
     * device-to-host traffic of training besides this upload of the step's inputs).
     */
    public void step(float[] realImages) {
        if (realImages.length != realIn.size)
            throw new IllegalArgumentException("step: " + realImages.length + " image values, expected " + realIn.size);
        // 1. Host: draw this step's codes and upload them with the batch into the persistent input buffers.
        sampleLatent();
        backend.write(realIn.data, realImages);
        backend.write(latentIn.data, latent);
        for (int k = 0; k < labelsIn.length; k++) backend.write(labelsIn[k].data, catLabels[k]);
        if (contIn != null) backend.write(contIn.data, cont);
        // 2. Device: the step proper; recorded once after the first (eager) step where the backend records.
        if (recorded == null && tryRecording && stepsRun >= 1 && dotSink == null) {
            recorded = backend.capture(this::deviceStep);
            tryRecording = recorded != null;
        }
        if (recorded != null) recorded.replay();
        else deviceStep();
        statSteps++;
        stepsRun++;
    }

    /** The device half of a step: reads the input buffers and the parameters, writes parameters and statistics. */
    private void deviceStep() {
        LatentSpec s = cfg.latent();
        Tape t = tape;
        try {
            Tensor real = realIn, z = latentIn, c = contIn;
            Tensor[] labels = labelsIn;
            Tensor onesT = ones, zerosT = zeros;

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

            accumulateStats(t, dGan, gGan, dRealLogit, dFakeLogit, infoD);
            if (dotSink != null) {
                dotSink.accept(t.toDot());
                dotSink = null;
            }
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

    /** Adds this step's scalars into {@link #statSums} (slot by slot, on the backend). */
    private void accumulateStats(Tape t, Tensor dGan, Tensor gGan, Tensor dRealLogit, Tensor dFakeLogit, InfoLoss.Terms info) {
        try (var ng = t.noGrad()) {
            add(dGan, D_GAN);
            add(gGan, G_GAN);
            add(Sum.mean(t, Activate.sigmoid(t, dRealLogit)), D_REAL);
            add(Sum.mean(t, Activate.sigmoid(t, dFakeLogit)), D_FAKE);
            int slot = CODES;
            for (Tensor ce : info.crossEntropy()) add(ce, slot++);
            for (Tensor nll : info.nll()) add(nll, slot++);
            if (lastLogSigma != null) backend.copy(lastLogSigma.data, info.logSigma().data, lastLogSigma.size);
        }
    }

    private void add(Tensor scalar, int slot) {
        backend.copyBlock(statSums.data, slot, 1, scalar.data, 0, 1, 1, 1, true);
    }

    /** Whether every statistic summed since the last {@link #readStats} is finite (a NaN or Inf anywhere poisons its sum). */
    public boolean statsFinite() {
        for (double x : statSums.toDoubles()) if (!Double.isFinite(x)) return false;
        return true;
    }

    /** The means of the statistics since the last call (null if no step ran), and a reset of the sums. */
    public StepStats readStats() {
        if (statSteps == 0) return null;
        double[] v = statSums.toDoubles();
        int n = statSteps;
        statSteps = 0;
        backend.fill(statSums.data, statSums.size, 0.0);
        int nc = cfg.latent().categorical().length, nk = cfg.latent().continuous();
        double[] ce = new double[nc], nll = new double[nk];
        for (int k = 0; k < nc; k++) ce[k] = v[CODES + k] / n;
        for (int j = 0; j < nk; j++) nll[j] = v[CODES + nc + j] / n;
        double lsMin = 0, lsMax = 0;
        if (lastLogSigma != null) {
            lsMin = Double.POSITIVE_INFINITY; lsMax = Double.NEGATIVE_INFINITY;
            for (float x : lastLogSigma.toFloats()) { lsMin = Math.min(lsMin, x); lsMax = Math.max(lsMax, x); }
        }
        return new StepStats(n, v[D_GAN] / n, v[G_GAN] / n, v[D_REAL] / n, v[D_FAKE] / n, ce, nll, lsMin, lsMax);
    }

}
