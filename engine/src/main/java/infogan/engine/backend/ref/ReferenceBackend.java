package infogan.engine.backend.ref;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;

/**
 * The specification: every {@link Backend} kernel in float64, as plain loops a reader can check by eye.
 * Gradient checks run here (central differences need float64), and the fast backends are tested against it.
 * Nothing here is optimised, pooled or parallel; that is the point.
 */
public final class ReferenceBackend implements Backend {

    @Override public String name() { return "reference-f64"; }

    private static double[] d(Storage s) { return ((F64Storage) s).a; }

    // ---------------------------------------------------------------- memory
    @Override public Storage alloc(int n) { return new F64Storage(n); }
    @Override public Storage zeros(int n) { return new F64Storage(n); }
    @Override public void release(Storage s) { }
    @Override public void write(Storage dst, float[] src) { double[] y = d(dst); for (int i = 0; i < src.length; i++) y[i] = src[i]; }
    @Override public void write(Storage dst, double[] src) { System.arraycopy(src, 0, d(dst), 0, src.length); }
    @Override public void read(Storage src, float[] dst) { double[] x = d(src); for (int i = 0; i < dst.length; i++) dst[i] = (float) x[i]; }
    @Override public void read(Storage src, double[] dst) { System.arraycopy(d(src), 0, dst, 0, dst.length); }

    // ---------------------------------------------------------------- elementwise
    @Override public void fill(Storage y, int n, double v) { java.util.Arrays.fill(d(y), 0, n, v); }
    @Override public void copy(Storage y, Storage x, int n) { System.arraycopy(d(x), 0, d(y), 0, n); }

    @Override
    public void copyBlock(Storage dst, int dstOff, int dstStride, Storage src, int srcOff, int srcStride,
                          int rows, int cols, boolean accumulate) {
        double[] y = d(dst), x = d(src);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) {
                int o = dstOff + r * dstStride + j;
                y[o] = (accumulate ? y[o] : 0) + x[srcOff + r * srcStride + j];
            }
    }

    @Override public void add(Storage y, Storage a, Storage b, int n) { double[] o = d(y), p = d(a), q = d(b); for (int i = 0; i < n; i++) o[i] = p[i] + q[i]; }
    @Override public void axpy(Storage y, Storage x, int n, double alpha) { double[] o = d(y), p = d(x); for (int i = 0; i < n; i++) o[i] += alpha * p[i]; }
    @Override public void scale(Storage y, Storage x, int n, double alpha) { double[] o = d(y), p = d(x); for (int i = 0; i < n; i++) o[i] = alpha * p[i]; }
    @Override public void mul(Storage y, Storage a, Storage b, int n) { double[] o = d(y), p = d(a), q = d(b); for (int i = 0; i < n; i++) o[i] = p[i] * q[i]; }
    @Override public void mulAcc(Storage y, Storage a, Storage b, int n) { double[] o = d(y), p = d(a), q = d(b); for (int i = 0; i < n; i++) o[i] += p[i] * q[i]; }

    @Override
    public void activationForward(Activation f, Storage y, Storage x, int n, double alpha) {
        double[] o = d(y), in = d(x);
        for (int i = 0; i < n; i++) {
            double v = in[i];
            o[i] = switch (f) {
                case RELU -> v > 0 ? v : 0;
                case LEAKY_RELU -> v > 0 ? v : alpha * v;
                case SIGMOID -> sigmoid(v);
                case TANH -> Math.tanh(v);
                case EXP -> Math.exp(v);
                case LOG -> Math.log(v);
            };
        }
    }

    @Override
    public void activationBackward(Activation f, Storage dx, Storage dy, Storage x, Storage y, int n, double alpha) {
        double[] g = d(dx), up = d(dy);
        for (int i = 0; i < n; i++) {
            double slope = switch (f) {
                case RELU -> d(x)[i] > 0 ? 1 : 0;
                case LEAKY_RELU -> d(x)[i] > 0 ? 1 : alpha;
                case SIGMOID -> d(y)[i] * (1 - d(y)[i]);
                case TANH -> 1 - d(y)[i] * d(y)[i];
                case EXP -> d(y)[i];
                case LOG -> 1 / d(x)[i];
            };
            g[i] += slope * up[i];
        }
    }

    static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }

    // ---------------------------------------------------------------- broadcasting and reductions
    @Override
    public void biasAdd(Storage y, Storage x, Storage b, int outer, int c, int inner) {
        double[] o = d(y), in = d(x), bias = d(b);
        for (int p = 0; p < outer; p++)
            for (int j = 0; j < c; j++)
                for (int i = 0; i < inner; i++) {
                    int k = (p * c + j) * inner + i;
                    o[k] = in[k] + bias[j];
                }
    }

    @Override
    public void biasGrad(Storage db, Storage dy, int outer, int c, int inner) {
        double[] g = d(db), up = d(dy);
        for (int p = 0; p < outer; p++)
            for (int j = 0; j < c; j++)
                for (int i = 0; i < inner; i++) g[j] += up[(p * c + j) * inner + i];
    }

    @Override
    public void sum(Storage y, Storage x, int n, double alpha) {
        double s = 0;
        double[] in = d(x);
        for (int i = 0; i < n; i++) s += in[i];
        d(y)[0] = alpha * s;
    }

    @Override
    public void broadcastScalarAcc(Storage dx, Storage dy, int n, double alpha) {
        double[] g = d(dx);
        double v = alpha * d(dy)[0];
        for (int i = 0; i < n; i++) g[i] += v;
    }

    // ---------------------------------------------------------------- matmul
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Storage a, Storage b,
                     double beta, Storage c) {
        double[] A = d(a), B = d(b), C = d(c);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (transA ? A[p * m + i] : A[i * k + p]) * (transB ? B[j * k + p] : B[p * n + j]);
                C[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * C[i * n + j]);
            }
    }

    // ---------------------------------------------------------------- convolution (direct loops)
    /** What a convolution does at one (output element, input element, weight) triple. */
    private interface Tap { void at(int y, int x, int w); }

    /**
     * Visits every output position (b, co, oy, ox) and kernel tap (ci, ky, kx) whose input pixel lies inside x
     * (taps in the zero padding contribute nothing), passing the flat indices into y, x and w. The three
     * convolution kernels are this one loop with different bodies.
     */
    private static void forEachTap(ConvGeom g, Tap f) {
        for (int b = 0; b < g.n(); b++)
            for (int co = 0; co < g.oc(); co++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int yi = ((b * g.oc() + co) * g.oh() + oy) * g.ow() + ox;
                        for (int ci = 0; ci < g.c(); ci++)
                            for (int ky = 0; ky < g.kh(); ky++)
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int iy = oy * g.stride() - g.pad() + ky, ix = ox * g.stride() - g.pad() + kx;
                                    if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                                    f.at(yi, ((b * g.c() + ci) * g.h() + iy) * g.w() + ix, ((co * g.c() + ci) * g.kh() + ky) * g.kw() + kx);
                                }
                    }
    }

    /** y[b,co,oy,ox] = Σ_{ci,ky,kx} x[b, ci, oy·s − p + ky, ox·s − p + kx] · w[co, ci, ky, kx]. */
    @Override
    public void conv2dForward(Storage y, Storage x, Storage w, ConvGeom g) {
        double[] Y = d(y), X = d(x), W = d(w);
        java.util.Arrays.fill(Y, 0, g.outputSize(), 0.0);
        forEachTap(g, (yi, xi, wi) -> Y[yi] += X[xi] * W[wi]);
    }

    @Override
    public void conv2dBackwardData(Storage dx, Storage dy, Storage w, ConvGeom g) {
        double[] DX = d(dx), DY = d(dy), W = d(w);
        forEachTap(g, (yi, xi, wi) -> DX[xi] += DY[yi] * W[wi]);
    }

    @Override
    public void conv2dBackwardFilter(Storage dw, Storage dy, Storage x, ConvGeom g) {
        double[] DW = d(dw), DY = d(dy), X = d(x);
        forEachTap(g, (yi, xi, wi) -> DW[wi] += DY[yi] * X[xi]);
    }

    // ---------------------------------------------------------------- batch normalisation
    @Override
    public void batchNormForwardTrain(Storage y, Storage mean, Storage invStd, Storage x, Storage gamma, Storage beta,
                                      Storage runMean, Storage runVar, int outer, int c, int inner,
                                      double momentum, double eps) {
        double[] Y = d(y), X = d(x), M = d(mean), IS = d(invStd), G = d(gamma), B = d(beta), RM = d(runMean), RV = d(runVar);
        int m = outer * inner;
        for (int j = 0; j < c; j++) {
            double s = 0;
            for (int p = 0; p < outer; p++) for (int i = 0; i < inner; i++) s += X[(p * c + j) * inner + i];
            double mu = s / m, v = 0;
            for (int p = 0; p < outer; p++) for (int i = 0; i < inner; i++) { double e = X[(p * c + j) * inner + i] - mu; v += e * e; }
            v /= m;
            double is = 1 / Math.sqrt(v + eps);
            M[j] = mu;
            IS[j] = is;
            for (int p = 0; p < outer; p++)
                for (int i = 0; i < inner; i++) {
                    int k = (p * c + j) * inner + i;
                    Y[k] = G[j] * (X[k] - mu) * is + B[j];
                }
            RM[j] = (1 - momentum) * RM[j] + momentum * mu;
            RV[j] = (1 - momentum) * RV[j] + momentum * (m > 1 ? v * m / (m - 1) : v);
        }
    }

    @Override
    public void batchNormForwardEval(Storage y, Storage x, Storage gamma, Storage beta, Storage runMean, Storage runVar,
                                     int outer, int c, int inner, double eps) {
        double[] Y = d(y), X = d(x), G = d(gamma), B = d(beta), RM = d(runMean), RV = d(runVar);
        for (int p = 0; p < outer; p++)
            for (int j = 0; j < c; j++)
                for (int i = 0; i < inner; i++) {
                    int k = (p * c + j) * inner + i;
                    Y[k] = G[j] * (X[k] - RM[j]) / Math.sqrt(RV[j] + eps) + B[j];
                }
    }

    @Override
    public void batchNormBackward(Storage dx, Storage dgamma, Storage dbeta, Storage dy, Storage x, Storage mean,
                                  Storage invStd, Storage gamma, int outer, int c, int inner) {
        double[] DY = d(dy), X = d(x), M = d(mean), IS = d(invStd), G = d(gamma);
        int m = outer * inner;
        for (int j = 0; j < c; j++) {
            double sdy = 0, sdyx = 0;
            for (int p = 0; p < outer; p++)
                for (int i = 0; i < inner; i++) {
                    int k = (p * c + j) * inner + i;
                    sdy += DY[k];
                    sdyx += DY[k] * (X[k] - M[j]) * IS[j];
                }
            if (dbeta != null) d(dbeta)[j] += sdy;
            if (dgamma != null) d(dgamma)[j] += sdyx;
            if (dx != null) {
                double[] DX = d(dx);
                for (int p = 0; p < outer; p++)
                    for (int i = 0; i < inner; i++) {
                        int k = (p * c + j) * inner + i;
                        double xhat = (X[k] - M[j]) * IS[j];
                        DX[k] += G[j] * IS[j] / m * (m * DY[k] - sdy - xhat * sdyx);
                    }
            }
        }
    }

    // ---------------------------------------------------------------- fused losses
    @Override
    public void bceWithLogitsForward(Storage loss, Storage logits, Storage targets, int n) {
        double[] z = d(logits), t = d(targets);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.max(z[i], 0) - z[i] * t[i] + Math.log1p(Math.exp(-Math.abs(z[i])));
        d(loss)[0] = s / n;
    }

    @Override
    public void bceWithLogitsBackward(Storage dlogits, Storage dloss, Storage logits, Storage targets, int n) {
        double[] g = d(dlogits), z = d(logits), t = d(targets);
        double up = d(dloss)[0] / n;
        for (int i = 0; i < n; i++) g[i] += up * (sigmoid(z[i]) - t[i]);
    }

    @Override
    public void softmaxCrossEntropyForward(Storage loss, Storage probs, Storage logits, Storage labels, int b, int classes) {
        double[] z = d(logits), p = d(probs), y = d(labels);
        double s = 0;
        for (int r = 0; r < b; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) max = Math.max(max, z[r * classes + j]);
            double se = 0;
            for (int j = 0; j < classes; j++) se += Math.exp(z[r * classes + j] - max);
            for (int j = 0; j < classes; j++) p[r * classes + j] = Math.exp(z[r * classes + j] - max) / se;
            s += max + Math.log(se) - z[r * classes + label(y[r], classes)];
        }
        d(loss)[0] = s / b;
    }

    @Override
    public void softmaxCrossEntropyBackward(Storage dlogits, Storage dloss, Storage probs, Storage labels, int b, int classes) {
        double[] g = d(dlogits), p = d(probs), y = d(labels);
        double up = d(dloss)[0] / b;
        for (int r = 0; r < b; r++) {
            int l = label(y[r], classes);
            for (int j = 0; j < classes; j++) g[r * classes + j] += up * (p[r * classes + j] - (j == l ? 1 : 0));
        }
    }

    private static int label(double v, int classes) {
        int l = (int) v;
        if (l != v || l < 0 || l >= classes) throw new IllegalArgumentException("label " + v + " is not a class index in [0, " + classes + ")");
        return l;
    }

    private static final double HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

    @Override
    public void gaussianNllForward(Storage loss, Storage x, Storage mu, Storage logSigma, int b, int dims) {
        double[] X = d(x), M = d(mu), L = d(logSigma);
        double s = 0;
        for (int i = 0; i < b * dims; i++) {
            double e = X[i] - M[i];
            s += L[i] + HALF_LN_2PI + 0.5 * e * e * Math.exp(-2 * L[i]);
        }
        d(loss)[0] = s / b;
    }

    @Override
    public void gaussianNllBackward(Storage dmu, Storage dlogSigma, Storage dloss, Storage x, Storage mu,
                                    Storage logSigma, int b, int dims) {
        double[] X = d(x), M = d(mu), L = d(logSigma);
        double up = d(dloss)[0] / b;
        for (int i = 0; i < b * dims; i++) {
            double e = X[i] - M[i], prec = Math.exp(-2 * L[i]);
            if (dmu != null) d(dmu)[i] += up * (-e) * prec;
            if (dlogSigma != null) d(dlogSigma)[i] += up * (1 - e * e * prec);
        }
    }

    // ---------------------------------------------------------------- optimiser
    @Override
    public void adamStep(Storage p, Storage g, Storage m, Storage v, int n, double lr, double beta1, double beta2,
                         double eps, Storage step) {
        double[] P = d(p), G = d(g), M = d(m), V = d(v);
        double t = d(step)[0], bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < n; i++) {
            M[i] = beta1 * M[i] + (1 - beta1) * G[i];
            V[i] = beta2 * V[i] + (1 - beta2) * G[i] * G[i];
            P[i] -= lr * (M[i] / bc1) / (Math.sqrt(V[i] / bc2) + eps);
        }
    }
}
