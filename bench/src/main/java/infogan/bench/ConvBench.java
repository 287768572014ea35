package infogan.bench;

import infogan.engine.backend.cpu.Conv2d;
import infogan.engine.backend.cpu.CpuThreads;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ConvBench: {@link Conv2d} forward / backwardData / backwardFilter at the InfoGAN convolution shapes, batch 100.
 *
 * <ul>
 *   <li>{@code d1}: D conv1, x(100,1,28,28) → (100,64,14,14), k4 s2 p1 (its backwardData is G's last upconv);</li>
 *   <li>{@code d2}: D conv2, x(100,64,14,14) → (100,128,7,7), k4 s2 p1 (its backwardData is G's first upconv).</li>
 * </ul>
 * Each op does 2·N·OC·OH·OW·C·KH·KW flops (the im2col-GEMM count, padding included). Setup runs each fast op
 * once and compares with the direct-loop reference (throws if off). GFLOP/s is the {@code :gflop} line
 * ({@link Flops}); the primary score in ops/s inverts to the time per call.
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvBench -t 1 -f 1 -wi 3 -i 5 \
 *        -p threads=1,2 [-prof gc]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConvBench {

    @Param({"d1", "d2"})
    public String layer;

    @Param({"2"})
    public int threads;

    int N = 100, C, H, W, OC, K = 4, S = 2, P = 1, OH, OW;
    float[] x, w, y, dx, dw;
    double gflopPerCall;

    @Setup(Level.Trial)
    public void setup() {
        switch (layer) {
            case "d1" -> { C = 1; H = W = 28; OC = 64; }
            case "d2" -> { C = 64; H = W = 14; OC = 128; }
            default -> throw new IllegalArgumentException(layer);
        }
        OH = (H + 2 * P - K) / S + 1;
        OW = (W + 2 * P - K) / S + 1;
        CpuThreads.setThreads(threads);
        SplittableRandom r = new SplittableRandom(3);
        x = fill(r, N * C * H * W);
        w = fill(r, OC * C * K * K);
        y = fill(r, N * OC * OH * OW);              // also used as dy
        dx = new float[x.length];
        dw = new float[w.length];
        gflopPerCall = 2.0 * N * OC * OH * OW * C * K * K / 1e9;
        verify();
    }

    private static float[] fill(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() - 0.5);
        return a;
    }

    /** One call of each fast op against the reference, on the first 4 images to keep setup short. */
    private void verify() {
        int n = 4;
        float[] xs = java.util.Arrays.copyOf(x, n * C * H * W), dys = java.util.Arrays.copyOf(y, n * OC * OH * OW);
        float[] a = new float[dys.length], b = new float[dys.length];
        Conv2d.forward(a, xs, w, n, C, H, W, OC, K, K, S, P, OH, OW);
        Conv2d.forwardReference(b, xs, w, n, C, H, W, OC, K, K, S, P, OH, OW);
        compare(a, b, "forward");
        a = new float[xs.length]; b = new float[xs.length];
        Conv2d.backwardData(a, dys, w, n, C, H, W, OC, K, K, S, P, OH, OW);
        Conv2d.backwardDataReference(b, dys, w, n, C, H, W, OC, K, K, S, P, OH, OW);
        compare(a, b, "backwardData");
        a = new float[w.length]; b = new float[w.length];
        Conv2d.backwardFilter(a, dys, xs, n, C, H, W, OC, K, K, S, P, OH, OW);
        Conv2d.backwardFilterReference(b, dys, xs, n, C, H, W, OC, K, K, S, P, OH, OW);
        compare(a, b, "backwardFilter");
    }

    private void compare(float[] got, float[] want, String what) {
        for (int i = 0; i < got.length; i++)
            if (Math.abs(got[i] - want[i]) > 1e-4 + 1e-4 * Math.abs(want[i]))
                throw new IllegalStateException(layer + " " + what + " off at " + i + ": " + got[i] + " vs " + want[i]);
    }

    @Benchmark
    public float forward(Flops f) {
        Conv2d.forward(y, x, w, N, C, H, W, OC, K, K, S, P, OH, OW);
        f.gflop += gflopPerCall;
        return y[0];
    }

    @Benchmark
    public float backwardData(Flops f) {
        java.util.Arrays.fill(dx, 0f);              // keep values bounded; dx += is the op being measured
        Conv2d.backwardData(dx, y, w, N, C, H, W, OC, K, K, S, P, OH, OW);
        f.gflop += gflopPerCall;
        return dx[0];
    }

    @Benchmark
    public float backwardFilter(Flops f) {
        Conv2d.backwardFilter(dw, y, x, N, C, H, W, OC, K, K, S, P, OH, OW);
        f.gflop += gflopPerCall;
        return dw[0];
    }
}
