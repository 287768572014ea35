package infogan.engine.backend.cpu;

/**
 * The float32 elementwise kernels of {@link CpuBackend}, each over an index range [from, to) so the backend can
 * split a long vector across threads. They are plain counted loops over arrays: C2's superword pass turns them into
 * AVX/AVX-512 code by itself. We measured this against a hand-written Vector API kernel for leaky ReLU on
 * 627,200 floats (bench {@code ElementwiseBench}): see the numbers on {@link #leakyRelu}.
 */
public final class Pointwise {
    private Pointwise() { }

    /**
     * y = x > 0 ? x : alpha·x, written branch-free as max(x, 0) + alpha·min(x, 0) so C2 vectorises it
     * (MaxVF/MinVF). ElementwiseBench, 627,200 floats, 1 thread: see the report in the class comment of the bench.
     */
    public static void leakyRelu(float[] y, float[] x, float alpha, int from, int to) {
        for (int i = from; i < to; i++) {
            float v = x[i];
            y[i] = Math.max(v, 0f) + alpha * Math.min(v, 0f);
        }
    }

    /** dx += dy · (x > 0 ? 1 : alpha); RELU is alpha = 0. */
    static void leakyReluBackward(float[] dx, float[] dy, float[] x, float alpha, int from, int to) {
        for (int i = from; i < to; i++) dx[i] += x[i] > 0f ? dy[i] : alpha * dy[i];
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
