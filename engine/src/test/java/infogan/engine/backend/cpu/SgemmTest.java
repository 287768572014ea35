package infogan.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link Sgemm#sgemm} (both vector micro-kernels, which must agree bit for bit, the scalar variant and the
 * float reference) against a float64 triple loop,
 * over all four transpose combinations, sizes that are not multiples of the vector width or tile, offsets and
 * padded leading dimensions, alpha/beta including beta = 0 over a NaN-filled C; and that 1 and 2 threads give
 * bit-identical results.
 */
class SgemmTest {

    private static final int[] SIZES = {1, 3, 17, 65, 129};

    @AfterAll
    static void restoreThreads() {
        CpuThreads.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @FunctionalInterface
    interface Gemm {
        void run(boolean tA, boolean tB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                 float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);
    }

    /** One random problem: operands with offsets and padded leading dimensions. */
    record Problem(boolean tA, boolean tB, int m, int n, int k, float alpha, float beta,
                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

        static Problem random(SplittableRandom rnd, boolean tA, boolean tB, int m, int n, int k,
                              float alpha, float beta) {
            int aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
            int lda = aCols + rnd.nextInt(3), ldb = bCols + rnd.nextInt(3), ldc = n + rnd.nextInt(3);
            int aOff = rnd.nextInt(5), bOff = rnd.nextInt(5), cOff = rnd.nextInt(5);
            float[] a = fill(rnd, aOff + aRows * lda + 3), b = fill(rnd, bOff + bRows * ldb + 3);
            float[] c = fill(rnd, cOff + m * ldc + 3);
            if (beta == 0) java.util.Arrays.fill(c, Float.NaN);
            return new Problem(tA, tB, m, n, k, alpha, beta, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        float[] run(Gemm g) {
            float[] out = c.clone();
            g.run(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        /** Exact-ish answer in double, and the magnitude Σ|a·b| + |beta·c| used to scale the tolerance. */
        void check(float[] got, String what) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0, mag = 0;
                    for (int p = 0; p < k; p++) {
                        double x = tA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        double y = tB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        sum += x * y;
                        mag += Math.abs(x * y);
                    }
                    int ci = cOff + i * ldc + j;
                    double old = beta == 0 ? 0 : (double) beta * c[ci];
                    double want = alpha * sum + old;
                    double tol = 1e-5 + 2e-6 * (Math.abs(alpha) * mag + Math.abs(old)) * Math.sqrt(k + 1);
                    if (!(Math.abs(got[ci] - want) <= tol))
                        fail(what + " " + this.shape() + " at (" + i + "," + j + "): got " + got[ci] + " want " + want);
                }
            }
            // Everything outside the m×n window of C is untouched.
            for (int x = 0; x < c.length; x++) {
                int r = (x - cOff) / ldc, col = (x - cOff) % ldc;
                boolean inside = x >= cOff && r < m && col < n;
                if (!inside && Float.floatToRawIntBits(got[x]) != Float.floatToRawIntBits(c[x]))
                    fail(what + " " + shape() + " wrote outside C at " + x);
            }
        }

        String shape() {
            return "tA=" + tA + " tB=" + tB + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + beta;
        }
    }

    /** Both vector kernels, whichever the machine's default is (the other one is what another CPU runs). */
    static void broadcast(boolean tA, boolean tB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        Sgemm.sgemm(Sgemm.Micro.BROADCAST, tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    static void prebroadcast(boolean tA, boolean tB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        Sgemm.sgemm(Sgemm.Micro.PREBROADCAST, tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    static float[] fill(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    @Test
    void allTransposesOddSizesAgainstFloat64() {
        SplittableRandom rnd = new SplittableRandom(42);
        float[][] ab = {{1f, 0f}, {0.5f, 1f}, {-2f, 0.25f}};
        for (boolean tA : new boolean[] {false, true})
            for (boolean tB : new boolean[] {false, true})
                for (int m : SIZES)
                    for (int n : SIZES)
                        for (int k : SIZES) {
                            float[] albe = ab[rnd.nextInt(ab.length)];
                            Problem pr = Problem.random(rnd, tA, tB, m, n, k, albe[0], albe[1]);
                            pr.check(pr.run(Sgemm::sgemm), "sgemm");
                            float[] bc = pr.run(SgemmTest::broadcast), pre = pr.run(SgemmTest::prebroadcast);
                            pr.check(bc, "sgemm BROADCAST");
                            assertArrayEquals(bc, pre, "BROADCAST and PREBROADCAST kernels differ: " + pr.shape());
                            if (m * n * k < 20_000) {
                                pr.check(pr.run(Sgemm::sgemmScalar), "sgemmScalar");
                                pr.check(pr.run(Sgemm::sgemmReference), "sgemmReference");
                            }
                        }
    }

    @Test
    void multipleKcBlocksAndEdgeTiles() {
        // k > KC exercises the ACCUMULATE fold; m, n past MC / one NR panel with ragged edges.
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] shapes = {{100, 70, 600}, {131, 33, 257}, {7, 300, 513}};
        for (int[] s : shapes)
            for (boolean tA : new boolean[] {false, true})
                for (boolean tB : new boolean[] {false, true})
                    for (float beta : new float[] {0f, 1f, -0.5f}) {
                        Problem pr = Problem.random(rnd, tA, tB, s[0], s[1], s[2], 1.5f, beta);
                        pr.check(pr.run(Sgemm::sgemm), "sgemm");
                        pr.check(pr.run(SgemmTest::broadcast), "sgemm BROADCAST");
                        pr.check(pr.run(SgemmTest::prebroadcast), "sgemm PREBROADCAST");
                    }
    }

    @Test
    void kZeroScalesC() {
        SplittableRandom rnd = new SplittableRandom(3);
        Problem pr = Problem.random(rnd, false, false, 5, 9, 0, 1f, 0.5f);
        pr.check(pr.run(Sgemm::sgemm), "k=0");
        Problem z = Problem.random(rnd, true, true, 5, 9, 0, 1f, 0f);
        float[] got = z.run(Sgemm::sgemm);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 9; j++) assertEquals(0f, got[z.cOff + i * z.ldc + j]);
    }

    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[][] shapes = {{100, 301, 300}, {301, 100, 300}, {64, 200, 129}, {257, 257, 65}};
        for (int[] s : shapes)
            for (boolean tA : new boolean[] {false, true})
                for (boolean tB : new boolean[] {false, true}) {
                    Problem pr = Problem.random(rnd, tA, tB, s[0], s[1], s[2], 1f, 0.5f);
                    CpuThreads.setThreads(1);
                    float[] one = pr.run(Sgemm::sgemm);
                    CpuThreads.setThreads(2);
                    float[] two = pr.run(Sgemm::sgemm);
                    CpuThreads.setThreads(3);
                    float[] three = pr.run(Sgemm::sgemm);
                    assertArrayEquals(one, two, pr.shape());
                    assertArrayEquals(one, three, pr.shape());
                }
    }
}
