package infogan.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the im2col+GEMM {@link Conv2d} against its direct-loop references on seeded shapes covering stride 1/2/3,
 * pad 0/1/2, kernels 1/3/4 and odd sizes (including the InfoGAN ones at small batch), that the backward passes
 * accumulate, and that 1 and 2 threads give bit-identical results.
 */
class Conv2dTest {

    /** N, C, H, W, OC, KH, KW, stride, pad. */
    private static final int[][] SHAPES = {
            {2, 3, 7, 5, 4, 3, 3, 1, 1},
            {3, 2, 9, 9, 5, 3, 3, 2, 0},
            {1, 1, 28, 28, 64, 4, 4, 2, 1},     // InfoGAN D conv1 (batch 1)
            {2, 64, 14, 14, 128, 4, 4, 2, 1},   // InfoGAN D conv2 (batch 2)
            {2, 5, 6, 7, 3, 1, 1, 1, 0},
            {2, 4, 5, 5, 6, 4, 4, 1, 2},
            {3, 3, 11, 8, 2, 3, 4, 3, 2},
            {1, 2, 3, 3, 3, 4, 4, 2, 2},        // kernel larger than the image
    };

    @AfterAll
    static void restoreThreads() {
        CpuThreads.setThreads(Runtime.getRuntime().availableProcessors());
    }

    static float[] rand(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static void close(float[] want, float[] got, double scale, String what) {
        for (int i = 0; i < want.length; i++)
            if (!(Math.abs(want[i] - got[i]) <= 1e-5 + 1e-5 * scale + 1e-5 * Math.abs(want[i])))
                fail(what + " at " + i + ": got " + got[i] + " want " + want[i]);
    }

    interface Op {
        void run(float[] out, float[] in1, float[] in2, int N, int C, int H, int W, int OC, int KH, int KW,
                 int stride, int pad, int OH, int OW);
    }

    /** Runs all three fast ops on one shape and returns their outputs concatenated (for determinism checks). */
    private static float[][] runAll(int[] s, long seed, boolean check) {
        int N = s[0], C = s[1], H = s[2], W = s[3], OC = s[4], KH = s[5], KW = s[6], st = s[7], pad = s[8];
        int OH = (H + 2 * pad - KH) / st + 1, OW = (W + 2 * pad - KW) / st + 1;
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = rand(r, N * C * H * W), w = rand(r, OC * C * KH * KW), dy = rand(r, N * OC * OH * OW);
        float[] dx0 = rand(r, x.length), dw0 = rand(r, w.length);   // backward ops accumulate into these
        String tag = java.util.Arrays.toString(s);

        float[] y = new float[N * OC * OH * OW];
        java.util.Arrays.fill(y, Float.NaN);                         // forward must overwrite
        Conv2d.forward(y, x, w, N, C, H, W, OC, KH, KW, st, pad, OH, OW);
        float[] dx = dx0.clone();
        Conv2d.backwardData(dx, dy, w, N, C, H, W, OC, KH, KW, st, pad, OH, OW);
        float[] dw = dw0.clone();
        Conv2d.backwardFilter(dw, dy, x, N, C, H, W, OC, KH, KW, st, pad, OH, OW);

        if (check) {
            float[] yr = new float[y.length];
            Conv2d.forwardReference(yr, x, w, N, C, H, W, OC, KH, KW, st, pad, OH, OW);
            close(yr, y, Math.sqrt(C * KH * KW), "forward " + tag);
            float[] dxr = dx0.clone();
            Conv2d.backwardDataReference(dxr, dy, w, N, C, H, W, OC, KH, KW, st, pad, OH, OW);
            close(dxr, dx, Math.sqrt(OC * KH * KW), "backwardData " + tag);
            float[] dwr = dw0.clone();
            Conv2d.backwardFilterReference(dwr, dy, x, N, C, H, W, OC, KH, KW, st, pad, OH, OW);
            close(dwr, dw, Math.sqrt(N * OH * OW), "backwardFilter " + tag);
        }
        return new float[][] {y, dx, dw};
    }

    @Test
    void matchesReference() {
        for (int i = 0; i < SHAPES.length; i++) runAll(SHAPES[i], 100 + i, true);
    }

    @Test
    void referenceAgreesWithGemmFormulation() {
        // A 1×1 conv with stride 1 is a plain matrix product per image: y[n] = Wm · x[n].
        SplittableRandom r = new SplittableRandom(5);
        int N = 2, C = 3, H = 4, W = 5, OC = 2;
        float[] x = rand(r, N * C * H * W), w = rand(r, OC * C), y = new float[N * OC * H * W];
        Conv2d.forwardReference(y, x, w, N, C, H, W, OC, 1, 1, 1, 0, H, W);
        for (int n = 0; n < N; n++) {
            float[] yn = new float[OC * H * W];
            Sgemm.sgemmReference(false, false, OC, H * W, C, 1f, w, 0, C, x, n * C * H * W, H * W, 0f, yn, 0, H * W);
            close(yn, java.util.Arrays.copyOfRange(y, n * OC * H * W, (n + 1) * OC * H * W), 1, "1x1");
        }
    }

    @Test
    void oneAndTwoThreadsAreBitIdentical() {
        for (int i = 0; i < SHAPES.length; i++) {
            CpuThreads.setThreads(1);
            float[][] one = runAll(SHAPES[i], 200 + i, false);
            CpuThreads.setThreads(2);
            float[][] two = runAll(SHAPES[i], 200 + i, false);
            for (int t = 0; t < 3; t++) assertArrayEquals(one[t], two[t], "output " + t + " of shape " + i);
        }
    }
}
