package infogan.model;

import infogan.engine.autodiff.Tape;
import infogan.engine.ops.Activate;
import infogan.engine.ops.Add;
import infogan.engine.ops.GaussianNll;
import infogan.engine.ops.Scale;
import infogan.engine.ops.Slice;
import infogan.engine.ops.SoftmaxCrossEntropy;
import infogan.engine.tensor.Tensor;

/**
 * <b>L_I, the variational lower bound on the mutual information I(c; G(z, c))</b> (InfoGAN eq. 4):
 * <pre>
 *   L_I(G, Q) = E_{c ~ P(c), x ~ G(z, c)} [ log Q(c | x) ] + H(c)  ≤  I(c; G(z, c))
 * </pre>
 * Q's output for a batch of generated images is split per code:
 * <ul>
 *   <li>a categorical code Cat(K): −E[log Q(c|x)] is the softmax cross-entropy CE of Q's logits against the sampled
 *       category, and H(c) = ln K, so its bound is <b>ln K − CE</b> (it reaches ln 10 ≈ 2.303 for MNIST's c1);</li>
 *   <li>a continuous code c ~ U(−1, 1): −E[log Q(c|x)] is the Gaussian NLL of c under N(μ, σ²), and H(c) = ln 2, so
 *       its bound is <b>ln 2 − NLL</b> (negative when σ = 1: NLL ≥ ½ ln 2π ≈ 0.919; that is normal).</li>
 * </ul>
 * Both G and Q maximise L_I, i.e. minimise the weighted sum {@link Terms#loss} = Σ λ_cat·CE + Σ λ_cont·NLL, which this
 * class builds on the tape (the entropies are constants and do not change the gradients).
 * With a learned σ, log σ = B·tanh(raw/B) keeps it within ±{@value #LOG_SIGMA_BOUND} (a smooth bound, so σ cannot
 * collapse to 0 and make the gradients explode; the authors' MNIST run fixes σ = 1, which is our default).
 */
public final class InfoLoss {
    public static final double LOG_SIGMA_BOUND = 3.0;

    /** The loss to minimise, plus the per-code terms for logging. */
    public record Terms(Tensor loss, Tensor[] crossEntropy, Tensor[] nll, Tensor logSigma) { }

    private InfoLoss() { }

    /**
     * @param q          Q's output (B, spec.qOutputs())
     * @param catLabels  per categorical code, the sampled category of each row (B), as numbers
     * @param cont       the sampled continuous codes (B, spec.continuous()), or null if none
     * @param zeros      a (B, 1) tensor of zeros used as log σ when σ is fixed at 1 (log σ = 0)
     */
    public static Terms compute(Tape t, LatentSpec spec, Tensor q, Tensor[] catLabels, Tensor cont, Tensor zeros,
                                double lambdaCat, double lambdaCont) {
        int off = 0;
        Tensor total = null;
        Tensor[] ce = new Tensor[spec.categorical().length];
        for (int k = 0; k < ce.length; k++) {
            int K = spec.categorical()[k];
            Tensor logits = Slice.apply(t, q, 1, off, K);                                   // (B, K)
            ce[k] = SoftmaxCrossEntropy.apply(t, logits, catLabels[k]);                      // scalar
            total = plus(t, total, Scale.apply(t, ce[k], lambdaCat));
            off += K;
        }
        int nc = spec.continuous();
        Tensor[] nll = new Tensor[nc];
        Tensor logSigmaAll = null;
        if (nc > 0) {
            if (spec.learnSigma()) {
                Tensor raw = Slice.apply(t, q, 1, off + nc, nc);                             // (B, nc)
                logSigmaAll = Scale.apply(t, Activate.tanh(t, Scale.apply(t, raw, 1 / LOG_SIGMA_BOUND)), LOG_SIGMA_BOUND);
            }
            for (int j = 0; j < nc; j++) {
                Tensor mu = Slice.apply(t, q, 1, off + j, 1);                                // (B, 1)
                Tensor c = Slice.apply(t, cont, 1, j, 1);                                   // (B, 1)
                Tensor ls = logSigmaAll == null ? zeros : Slice.apply(t, logSigmaAll, 1, j, 1);
                nll[j] = GaussianNll.apply(t, c, mu, ls);                                   // scalar
                total = plus(t, total, Scale.apply(t, nll[j], lambdaCont));
            }
        }
        return new Terms(total, ce, nll, logSigmaAll);
    }

    private static Tensor plus(Tape t, Tensor a, Tensor b) { return a == null ? b : Add.apply(t, a, b); }

    /** ln K − CE: the MI lower bound of a Cat(K) code, in nats. */
    public static double categoricalBound(int k, double crossEntropy) { return Math.log(k) - crossEntropy; }

    /** ln 2 − NLL: the MI lower bound of a U(−1, 1) code, in nats. */
    public static double continuousBound(double nll) { return Math.log(2) - nll; }
}
