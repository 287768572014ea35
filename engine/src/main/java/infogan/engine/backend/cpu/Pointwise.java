package infogan.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 elementwise kernels of {@link CpuBackend}, each over an index range [from, to) so the backend can
 * split a long vector across threads. Most are plain counted loops over arrays that C2's superword pass turns into
 * AVX/AVX-512 code by itself. Leaky ReLU (forward and backward) is the exception: its select does not
 * auto-vectorise as a ternary, and the branch-free max/min loop lost to the Vector API in ElementwiseBench
 * (627,200 floats, 1 thread, 2-core shared AVX-512 box, JMH 1.37, -f 1 -wi 3 -i 5):
 * Vector API 158 ± 82 µs, max/min loop 344 ± 325 µs, ternary loop 4,123 ± 2,729 µs (scalar, mispredicted).
 * So those two use {@link FloatVector} at {@link FloatVector#SPECIES_PREFERRED} width, one loop for any width.
 */
public final class Pointwise {
    private Pointwise() { }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** y = x > 0 ? x : alpha·x (RELU is alpha = 0): blend(alpha·x, x, x > 0), scalar tail. */
    public static void leakyRelu(float[] y, float[] x, float alpha, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = x[i] > 0f ? x[i] : alpha * x[i];
    }

    /** dx += dy · (x > 0 ? 1 : alpha): blend(alpha·dy, dy, x > 0) added to dx, scalar tail. */
    static void leakyReluBackward(float[] dx, float[] dy, float[] x, float alpha, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, i);
            FloatVector d = FloatVector.fromArray(S, dx, i);
            d.add(g.mul(alpha).blend(g, FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f)))
                    .intoArray(dx, i);
        }
        for (; i < to; i++) dx[i] += x[i] > 0f ? dy[i] : alpha * dy[i];
    }

    /** y = 1 / (1 + e^−x). */
    static void sigmoid(float[] y, float[] x, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
    }

    /** dx += dy · y (1 − y). */
    static void sigmoidBackward(float[] dx, float[] dy, float[] y, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    /** y = tanh x. */
    static void tanh(float[] y, float[] x, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) Math.tanh(x[i]);
    }

    /** dx += dy · (1 − y²). */
    static void tanhBackward(float[] dx, float[] dy, float[] y, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    /** y = e^x. */
    static void exp(float[] y, float[] x, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) Math.exp(x[i]);
    }

    /** y = ln x. */
    static void log(float[] y, float[] x, int from, int to) {
        for (int i = from; i < to; i++) y[i] = (float) Math.log(x[i]);
    }

    /** dx += dy · y (the derivative of e^x is e^x). */
    static void expBackward(float[] dx, float[] dy, float[] y, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += dy[i] * y[i];
    }

    /** dx += dy / x. */
    static void logBackward(float[] dx, float[] dy, float[] x, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += dy[i] / x[i];
    }

    /** y = a + b. */
    static void add(float[] y, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i++) y[i] = a[i] + b[i];
    }

    /** y += alpha · x. */
    static void axpy(float[] y, float[] x, float alpha, int from, int to) {
        for (int i = from; i < to; i++) y[i] += alpha * x[i];
    }

    /** y = alpha · x. */
    static void scale(float[] y, float[] x, float alpha, int from, int to) {
        for (int i = from; i < to; i++) y[i] = alpha * x[i];
    }

    /** y = a · b. */
    static void mul(float[] y, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i++) y[i] = a[i] * b[i];
    }

    /** y += a · b. */
    static void mulAcc(float[] y, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i++) y[i] += a[i] * b[i];
    }

    /** y += v (the backward of a scaled sum: v = alpha · dy[0]). */
    static void addScalar(float[] y, float v, int from, int to) {
        for (int i = from; i < to; i++) y[i] += v;
    }

    /** Σ x[from, to) with one float accumulator, left to right. */
    static float sum(float[] x, int from, int to) {
        float s = 0f;
        for (int i = from; i < to; i++) s += x[i];
        return s;
    }

    /**
     * m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²; p −= lr·(m/bc1) / (sqrt(v/bc2) + eps). The constants arrive
     * precomputed in double (c1 = 1−β1, c2 = 1−β2, stepScale = lr/bc1, invBc2 = 1/bc2): 1f − 0.999f is off by 5e-5.
     */
    static void adam(float[] p, float[] g, float[] m, float[] v, float b1, float c1, float b2, float c2,
                     float stepScale, float invBc2, float eps, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + c1 * gi, vi = b2 * v[i] + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= stepScale * mi / ((float) Math.sqrt(vi * invBc2) + eps);
        }
    }
}
