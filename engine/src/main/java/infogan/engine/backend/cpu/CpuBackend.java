package infogan.engine.backend.cpu;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;

/**
 * The fast CPU backend: every {@link Backend} kernel in float32 on {@link F32Storage}, multi-threaded on the shared pool
 * {@link CpuThreads} (through {@link ThreadTeam}). Contents:
 * <ul>
 *   <li>memory: an exact-size pool ({@link F32Pool}), host copies from float[] and double[];</li>
 *   <li>elementwise ops and activations ({@link Pointwise}), split into contiguous ranges across threads when a
 *       vector is long enough to pay for the dispatch;</li>
 *   <li>GEMM and convolution: the packed Vector-API {@link Sgemm} and the im2col + GEMM {@link Conv2d};</li>
 *   <li>BatchNorm, bias and reductions parallel over channels / fixed-size blocks;</li>
 *   <li>fused, numerically stable losses and a fused Adam step.</li>
 * </ul>
 * Determinism: every parallel loop gives each part disjoint outputs, and reductions sum fixed-size blocks combined
 * in a fixed order, so results are bit-identical for any thread count. Statistics and loss sums are accumulated in
 * double (a handful of values per channel or per batch; storage and elementwise math stay float32).
 * Not thread-safe: one training loop drives one backend.
 */
public final class CpuBackend implements Backend {

    /**
     * Elementwise vectors shorter than this stay on the calling thread. Measured (ElementwiseBench, leaky ReLU on
     * 627,200 floats, shared 2-core box): 1 thread 260 µs, 2 threads 3,253 µs — the op is memory-bound and the
     * second core was busy, so the worker's wake-up dominated. Hence 1 Mi floats: InfoGAN's elementwise ops stay
     * serial; BatchNorm, GEMM and convolution (compute-bound, parallel over channels/rows/images) still split.
     */
    static final int GRAIN = 1 << 20;
    /** Block size of {@link #sum}: fixed, so the summation order does not depend on the thread count. */
    static final int SUM_BLOCK = 1 << 12;

    private final ThreadTeam team;
    private final F32Pool pool = new F32Pool();
    private float[] partials = new float[64];

    /** A backend on {@code threads} threads (the caller counts as one). */
    public CpuBackend(int threads) {
        this.team = new ThreadTeam(threads);   // sets the shared pool CpuThreads, which Sgemm and Conv2d use too
    }

    /** A backend on all available processors. */
    public CpuBackend() { this(Runtime.getRuntime().availableProcessors()); }

    @Override public String name() { return "cpu-f32"; }

    public int threads() { return team.threads; }

    @Override public void close() { team.close(); }

    private static float[] f(Storage s) { return ((F32Storage) s).a; }

    // ---------------------------------------------------------------- memory
    @Override public F32Storage alloc(int n) { return pool.alloc(n); }

    @Override public void release(Storage s) { pool.release((F32Storage) s); }

    @Override public void write(Storage dst, float[] src) { System.arraycopy(src, 0, f(dst), 0, src.length); }

    @Override public void write(Storage dst, double[] src) {
        float[] d = f(dst);
        for (int i = 0; i < src.length; i++) d[i] = (float) src[i];
    }

    @Override public void read(Storage src, float[] dst) { System.arraycopy(f(src), 0, dst, 0, dst.length); }

    @Override public void read(Storage src, double[] dst) {
        float[] s = f(src);
        for (int i = 0; i < dst.length; i++) dst[i] = s[i];
    }

    // ---------------------------------------------------------------- parallel ranges
    /** A kernel over the index range [from, to). */
    private interface Range { void run(int from, int to); }

    /** Runs body over [0, n) in min(threads, n/GRAIN) contiguous parts, each a multiple of 16 floats long. */
    private void forRange(int n, Range body) {
        int parts = Math.min(team.threads, (n + GRAIN - 1) / GRAIN);
        if (parts <= 1) { body.run(0, n); return; }
        int per = ((n + parts - 1) / parts + 15) & ~15;
        team.run(parts, (p, w) -> body.run(p * per, Math.min(n, (p + 1) * per)));
    }

    /** Runs body over channel ranges [j0, j1) of [0, c), one per thread. */
    private void forChannels(int c, Range body) {
        int parts = Math.min(team.threads, c), per = (c + parts - 1) / parts;
        team.run(parts, (p, w) -> body.run(p * per, Math.min(c, (p + 1) * per)));
    }

    // ---------------------------------------------------------------- elementwise
    @Override public void fill(Storage y, int n, double v) { java.util.Arrays.fill(f(y), 0, n, (float) v); }

    @Override public void copy(Storage y, Storage x, int n) { System.arraycopy(f(x), 0, f(y), 0, n); }

    /** dst[dstOff + r·dstStride + j] (= or +=) src[srcOff + r·srcStride + j]. */
    @Override
    public void copyBlock(Storage dst, int dstOff, int dstStride, Storage src, int srcOff, int srcStride,
                          int rows, int cols, boolean accumulate) {
        float[] d = f(dst), s = f(src);
        for (int r = 0; r < rows; r++) {
            int di = dstOff + r * dstStride, si = srcOff + r * srcStride;
            if (accumulate) for (int j = 0; j < cols; j++) d[di + j] += s[si + j];
            else System.arraycopy(s, si, d, di, cols);
        }
    }

    @Override public void add(Storage y, Storage a, Storage b, int n) {
        float[] ya = f(y), aa = f(a), ba = f(b);
        forRange(n, (from, to) -> Pointwise.add(ya, aa, ba, from, to));
    }

    @Override public void axpy(Storage y, Storage x, int n, double alpha) {
        float[] ya = f(y), xa = f(x);
        float al = (float) alpha;
        forRange(n, (from, to) -> Pointwise.axpy(ya, xa, al, from, to));
    }

    @Override public void scale(Storage y, Storage x, int n, double alpha) {
        float[] ya = f(y), xa = f(x);
        float al = (float) alpha;
        forRange(n, (from, to) -> Pointwise.scale(ya, xa, al, from, to));
    }

    @Override public void mul(Storage y, Storage a, Storage b, int n) {
        float[] ya = f(y), aa = f(a), ba = f(b);
        forRange(n, (from, to) -> Pointwise.mul(ya, aa, ba, from, to));
    }

    @Override public void mulAcc(Storage y, Storage a, Storage b, int n) {
        float[] ya = f(y), aa = f(a), ba = f(b);
        forRange(n, (from, to) -> Pointwise.mulAcc(ya, aa, ba, from, to));
    }

    /** y = f(x), see {@link Activation}. */
    @Override public void activationForward(Activation fn, Storage y, Storage x, int n, double alpha) {
        float[] ya = f(y), xa = f(x);
        float al = fn == Activation.RELU ? 0f : (float) alpha;
        switch (fn) {
            case RELU, LEAKY_RELU -> forRange(n, (from, to) -> Pointwise.leakyRelu(ya, xa, al, from, to));
            case SIGMOID -> forRange(n, (from, to) -> Pointwise.sigmoid(ya, xa, from, to));
            case TANH -> forRange(n, (from, to) -> Pointwise.tanh(ya, xa, from, to));
            case EXP -> forRange(n, (from, to) -> Pointwise.exp(ya, xa, from, to));
            case LOG -> forRange(n, (from, to) -> Pointwise.log(ya, xa, from, to));
            default -> throw new UnsupportedOperationException("cpu-f32: no kernel for activation " + fn);
        }
    }

    /** dx += f'(x) · dy. */
    @Override public void activationBackward(Activation fn, Storage dx, Storage dy, Storage x, Storage y, int n,
                                             double alpha) {
        float[] dxa = f(dx), dya = f(dy);
        float al = fn == Activation.RELU ? 0f : (float) alpha;
        switch (fn) {
            case RELU, LEAKY_RELU -> {
                float[] xa = f(x);
                forRange(n, (from, to) -> Pointwise.leakyReluBackward(dxa, dya, xa, al, from, to));
            }
            case SIGMOID -> {
                float[] ya = f(y);
                forRange(n, (from, to) -> Pointwise.sigmoidBackward(dxa, dya, ya, from, to));
            }
            case TANH -> {
                float[] ya = f(y);
                forRange(n, (from, to) -> Pointwise.tanhBackward(dxa, dya, ya, from, to));
            }
            case EXP -> {
                float[] ya = f(y);
                forRange(n, (from, to) -> Pointwise.expBackward(dxa, dya, ya, from, to));
            }
            case LOG -> {
                float[] xa = f(x);
                forRange(n, (from, to) -> Pointwise.logBackward(dxa, dya, xa, from, to));
            }
            default -> throw new UnsupportedOperationException("cpu-f32: no kernel for activation " + fn);
        }
    }

    // ---------------------------------------------------------------- broadcasting and reductions
    /** y[o, j, i] = x[o, j, i] + b[j]; parallel over o. */
    @Override public void biasAdd(Storage y, Storage x, Storage b, int outer, int c, int inner) {
        float[] ya = f(y), xa = f(x), ba = f(b);
        int parts = Math.min(team.threads, Math.max(1, outer * c * inner / GRAIN));
        int per = (outer + parts - 1) / parts;
        team.run(parts, (p, w) -> {
            for (int o = p * per, o1 = Math.min(outer, o + per); o < o1; o++)
                if (inner == 1) {                                           // one row of (outer, c): vectorised
                    for (int j = 0, r = o * c; j < c; j++) ya[r + j] = xa[r + j] + ba[j];
                } else for (int j = 0; j < c; j++) {
                    int base = (o * c + j) * inner;
                    float bj = ba[j];
                    for (int i = base; i < base + inner; i++) ya[i] = xa[i] + bj;
                }
        });
    }

    /** db[j] += Σ_{o,i} dy[o, j, i]; each channel summed in float in (o, i) order, parallel over channels. */
    @Override public void biasGrad(Storage db, Storage dy, int outer, int c, int inner) {
        float[] dba = f(db), d = f(dy);
        forChannels(c, (j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                float s = 0f;
                for (int o = 0; o < outer; o++) s += Pointwise.sum(d, (o * c + j) * inner, (o * c + j + 1) * inner);
                dba[j] += s;
            }
        });
    }

    /** y[0] = alpha · Σ x: float sums of SUM_BLOCK-sized blocks, combined in block order. */
    @Override public void sum(Storage y, Storage x, int n, double alpha) {
        float[] xa = f(x);
        int blocks = Math.max(1, (n + SUM_BLOCK - 1) / SUM_BLOCK);
        if (partials.length < blocks) partials = new float[blocks];
        float[] part = partials;
        int parts = Math.min(team.threads, Math.max(1, n / GRAIN)), per = (blocks + parts - 1) / parts;
        team.run(parts, (p, w) -> {
            for (int bl = p * per, b1 = Math.min(blocks, bl + per); bl < b1; bl++)
                part[bl] = Pointwise.sum(xa, bl * SUM_BLOCK, Math.min(n, (bl + 1) * SUM_BLOCK));
        });
        float s = 0f;
        for (int bl = 0; bl < blocks; bl++) s += part[bl];
        f(y)[0] = (float) (alpha * s);
    }

    /** dx[i] += alpha · dy[0]. */
    @Override public void broadcastScalarAcc(Storage dx, Storage dy, int n, double alpha) {
        float[] dxa = f(dx);
        float v = (float) (alpha * f(dy)[0]);
        forRange(n, (from, to) -> Pointwise.addScalar(dxa, v, from, to));
    }

    // ---------------------------------------------------------------- matmul
    /** c = alpha · op(a) · op(b) + beta · c: the packed {@link Sgemm}, which splits the output across threads itself. */
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Storage a, Storage b,
                     double beta, Storage c) {
        Sgemm.sgemm(transA, transB, m, n, k, (float) alpha, f(a), 0, transA ? m : k, f(b), 0, transB ? k : n,
                (float) beta, f(c), 0, n);
    }

    // ---------------------------------------------------------------- convolution (im2col + GEMM, Conv2d)
    @Override public void conv2dForward(Storage y, Storage x, Storage w, ConvGeom g) {
        Conv2d.forward(f(y), f(x), f(w), g.n(), g.c(), g.h(), g.w(), g.oc(), g.kh(), g.kw(), g.stride(), g.pad(), g.oh(), g.ow());
    }

    @Override public void conv2dBackwardData(Storage dx, Storage dy, Storage w, ConvGeom g) {
        Conv2d.backwardData(f(dx), f(dy), f(w), g.n(), g.c(), g.h(), g.w(), g.oc(), g.kh(), g.kw(), g.stride(), g.pad(), g.oh(), g.ow());
    }

    @Override public void conv2dBackwardFilter(Storage dw, Storage dy, Storage x, ConvGeom g) {
        Conv2d.backwardFilter(f(dw), f(dy), f(x), g.n(), g.c(), g.h(), g.w(), g.oc(), g.kh(), g.kw(), g.stride(), g.pad(), g.oh(), g.ow());
    }

    // ---------------------------------------------------------------- batch normalisation
    /**
     * Per channel j over m = outer·inner values: mean, biased var (two passes, double accumulators) → invStd;
     * y = gamma (x − mean) invStd + beta; running stats with momentum and the unbiased variance.
     */
    @Override
    public void batchNormForwardTrain(Storage y, Storage mean, Storage invStd, Storage x, Storage gamma, Storage beta,
                                      Storage runMean, Storage runVar, int outer, int c, int inner,
                                      double momentum, double eps) {
        float[] ya = f(y), ma = f(mean), isa = f(invStd), xa = f(x), ga = f(gamma), ba = f(beta);
        float[] rm = f(runMean), rv = f(runVar);
        int m = outer * inner;
        forChannels(c, (j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                double s = 0;
                for (int o = 0; o < outer; o++)
                    for (int i = (o * c + j) * inner, e = i + inner; i < e; i++) s += xa[i];
                double mu = s / m, ss = 0;
                for (int o = 0; o < outer; o++)
                    for (int i = (o * c + j) * inner, e = i + inner; i < e; i++) { double d = xa[i] - mu; ss += d * d; }
                double var = ss / m, is = 1.0 / Math.sqrt(var + eps);
                ma[j] = (float) mu;
                isa[j] = (float) is;
                float scale = (float) (ga[j] * is), shift = (float) (ba[j] - mu * ga[j] * is);
                for (int o = 0; o < outer; o++)
                    for (int i = (o * c + j) * inner, e = i + inner; i < e; i++) ya[i] = xa[i] * scale + shift;
                double unbiased = m > 1 ? ss / (m - 1) : var;
                rm[j] = (float) ((1 - momentum) * rm[j] + momentum * mu);
                rv[j] = (float) ((1 - momentum) * rv[j] + momentum * unbiased);
            }
        });
    }

    /** y = gamma (x − runMean) / sqrt(runVar + eps) + beta, folded into one scale and shift per channel. */
    @Override
    public void batchNormForwardEval(Storage y, Storage x, Storage gamma, Storage beta, Storage runMean,
                                     Storage runVar, int outer, int c, int inner, double eps) {
        float[] ya = f(y), xa = f(x), ga = f(gamma), ba = f(beta), rm = f(runMean), rv = f(runVar);
        forChannels(c, (j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                double is = 1.0 / Math.sqrt(rv[j] + eps);
                float scale = (float) (ga[j] * is), shift = (float) (ba[j] - rm[j] * ga[j] * is);
                for (int o = 0; o < outer; o++)
                    for (int i = (o * c + j) * inner, e = i + inner; i < e; i++) ya[i] = xa[i] * scale + shift;
            }
        });
    }

    /** dbeta += Σdy; dgamma += Σ dy·x̂; dx += gamma·invStd/m · (m·dy − Σdy − x̂·Σ(dy·x̂)); per channel. */
    @Override
    public void batchNormBackward(Storage dx, Storage dgamma, Storage dbeta, Storage dy, Storage x, Storage mean,
                                  Storage invStd, Storage gamma, int outer, int c, int inner) {
        float[] dxa = dx == null ? null : f(dx), dga = dgamma == null ? null : f(dgamma);
        float[] dba = dbeta == null ? null : f(dbeta);
        float[] dya = f(dy), xa = f(x), ma = f(mean), isa = f(invStd), ga = f(gamma);
        int m = outer * inner;
        forChannels(c, (j0, j1) -> {
            for (int j = j0; j < j1; j++) {
                float mu = ma[j], is = isa[j];
                double sdy = 0, sdyx = 0;
                for (int o = 0; o < outer; o++)
                    for (int i = (o * c + j) * inner, e = i + inner; i < e; i++) {
                        sdy += dya[i];
                        sdyx += dya[i] * ((xa[i] - mu) * is);
                    }
                if (dba != null) dba[j] += (float) sdy;
                if (dga != null) dga[j] += (float) sdyx;
                if (dxa == null) continue;
                float k = ga[j] * is / m, fm = m, fsdy = (float) sdy, fsdyx = (float) sdyx;
                for (int o = 0; o < outer; o++)
                    for (int i = (o * c + j) * inner, e = i + inner; i < e; i++)
                        dxa[i] += k * (fm * dya[i] - fsdy - (xa[i] - mu) * is * fsdyx);
            }
        });
    }

    // ---------------------------------------------------------------- fused losses
    /** loss = (1/n) Σ max(z,0) − z·t + log1p(e^−|z|): no exp of a positive number, exact at |z| = 400. */
    @Override public void bceWithLogitsForward(Storage loss, Storage logits, Storage targets, int n) {
        float[] z = f(logits), t = f(targets);
        double s = 0;
        for (int i = 0; i < n; i++) {
            float zi = z[i];
            s += Math.max(zi, 0f) - zi * t[i] + (float) Math.log1p(Math.exp(-Math.abs(zi)));
        }
        f(loss)[0] = (float) (s / n);
    }

    /** dz += dloss · (sigmoid(z) − t) / n, sigmoid evaluated on the side where e^{−|z|} cannot overflow. */
    @Override public void bceWithLogitsBackward(Storage dlogits, Storage dloss, Storage logits, Storage targets, int n) {
        float[] dz = f(dlogits), z = f(logits), t = f(targets);
        float k = f(dloss)[0] / n;
        for (int i = 0; i < n; i++) dz[i] += k * (stableSigmoid(z[i]) - t[i]);
    }

    static float stableSigmoid(float z) {
        float e = (float) Math.exp(-Math.abs(z));               // in (0, 1]
        return z >= 0 ? 1f / (1f + e) : e / (1f + e);
    }

    /** Per row: probs = e^{z − max} / Σ, loss += max + log Σ − z[label]; loss /= b. */
    @Override
    public void softmaxCrossEntropyForward(Storage loss, Storage probs, Storage logits, Storage labels, int b,
                                           int classes) {
        float[] z = f(logits), p = f(probs), lab = f(labels);
        double total = 0;
        for (int r = 0; r < b; r++) {
            int o = r * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, z[o + k]);
            float s = 0f;
            for (int k = 0; k < classes; k++) s += p[o + k] = (float) Math.exp(z[o + k] - max);
            float inv = 1f / s;
            for (int k = 0; k < classes; k++) p[o + k] *= inv;
            total += max + Math.log(s) - z[o + (int) lab[r]];
        }
        f(loss)[0] = (float) (total / b);
    }

    /** dz += dloss · (probs − onehot(label)) / b. */
    @Override
    public void softmaxCrossEntropyBackward(Storage dlogits, Storage dloss, Storage probs, Storage labels, int b,
                                            int classes) {
        float[] dz = f(dlogits), p = f(probs), lab = f(labels);
        float k = f(dloss)[0] / b;
        for (int r = 0; r < b; r++) {
            int o = r * classes;
            for (int q = 0; q < classes; q++) dz[o + q] += k * p[o + q];
            dz[o + (int) lab[r]] -= k;
        }
    }

    /**
     * loss = (1/b) Σ logSigma + ½ ln 2π + ½ u², with u = (x − mu)·e^{−logSigma}: squaring after scaling keeps
     * e^{−2 logSigma} (up to e^{60} for logSigma = −30) out of any Inf·0 product.
     */
    @Override public void gaussianNllForward(Storage loss, Storage x, Storage mu, Storage logSigma, int b, int d) {
        float[] xa = f(x), ma = f(mu), ls = f(logSigma);
        final float halfLog2Pi = (float) (0.5 * Math.log(2 * Math.PI));
        double s = 0;
        for (int i = 0; i < b * d; i++) {
            float u = (xa[i] - ma[i]) * (float) Math.exp(-ls[i]);
            s += ls[i] + halfLog2Pi + 0.5f * u * u;
        }
        f(loss)[0] = (float) (s / b);
    }

    /** dmu += dloss/b · (mu − x) e^{−2 logSigma} = −k·u·e^{−logSigma}; dlogSigma += dloss/b · (1 − u²). */
    @Override
    public void gaussianNllBackward(Storage dmu, Storage dlogSigma, Storage dloss, Storage x, Storage mu,
                                    Storage logSigma, int b, int d) {
        float[] xa = f(x), ma = f(mu), ls = f(logSigma);
        float[] dm = dmu == null ? null : f(dmu), dl = dlogSigma == null ? null : f(dlogSigma);
        float k = f(dloss)[0] / b;
        for (int i = 0; i < b * d; i++) {
            float inv = (float) Math.exp(-ls[i]), u = (xa[i] - ma[i]) * inv;
            if (dm != null) dm[i] -= k * u * inv;
            if (dl != null) dl[i] += k * (1f - u * u);
        }
    }

    // ---------------------------------------------------------------- optimiser
    /** Fused Adam: m, v and p updated in one pass, see {@link Pointwise#adam}. */
    @Override
    public void adamStep(Storage p, Storage g, Storage m, Storage v, int n, double lr, double beta1, double beta2,
                         double eps, Storage step) {
        float[] pa = f(p), ga = f(g), ma = f(m), va = f(v);
        double t = f(step)[0], bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        float b1 = (float) beta1, c1 = (float) (1 - beta1), b2 = (float) beta2, c2 = (float) (1 - beta2),
                stepScale = (float) (lr / bc1), invBc2 = (float) (1 / bc2), fe = (float) eps;
        forRange(n, (from, to) -> Pointwise.adam(pa, ga, ma, va, b1, c1, b2, c2, stepScale, invBc2, fe, from, to));
    }
}
