package infogan.bench;

import infogan.engine.backend.cpu.CpuThreads;
import infogan.engine.backend.cpu.Sgemm;
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
 * GemmBench: {@link Sgemm#sgemm} at the InfoGAN fully connected shapes, batch 100.
 *
 * <p>Shape names are {@code <what>_<m>x<k>x<n>} for C(m×n) = op(A)(m×k)·op(B)(k×n):
 * <ul>
 *   <li>{@code fc_fwd}: Y = X·W, NN (G's 1024→6272 layer and D's 6272→1024 layer);</li>
 *   <li>{@code fc_dW}: dW = Xᵀ·dY, transA;</li>
 *   <li>{@code fc_dX}: dX = dY·Wᵀ, transB;</li>
 *   <li>{@code sq}: a 2048³ NN product, for comparison with OpenBLAS.</li>
 * </ul>
 * {@code threads} is the engine pool size ({@link CpuThreads#setThreads}); run JMH itself with {@code -t 1}.
 * {@code impl} picks the micro-kernel: {@code vector} (the one {@code sgemm} uses on this CPU), {@code broadcast},
 * {@code prebroadcast} (see {@link Sgemm#BROADCAST_A}) or {@code scalar} (auto-vectorised). Setup checks the result against
 * a float64 loop on a sample of entries and throws if off. GFLOP/s is the {@code :gflop} line (see {@link Flops}).
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar GemmBench -t 1 -f 1 -wi 3 -i 5 \
 *        -p threads=1,2 -p impl=vector [-prof gc]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GemmBench {

    @Param({"fc_fwd_100x1024x6272", "fc_fwd_100x6272x1024", "fc_dW_1024x100x6272", "fc_dW_6272x100x1024",
            "fc_dX_100x6272x1024", "fc_dX_100x1024x6272", "sq_2048x2048x2048"})
    public String shape;

    @Param({"2"})
    public int threads;

    @Param({"vector"})
    public String impl;

    boolean tA, tB;
    Sgemm.Micro micro;
    int m, n, k;
    float[] a, b, c;
    double gflopPerCall;

    @Setup(Level.Trial)
    public void setup() {
        String[] dims = shape.substring(shape.lastIndexOf('_') + 1).split("x");
        m = Integer.parseInt(dims[0]);
        k = Integer.parseInt(dims[1]);
        n = Integer.parseInt(dims[2]);
        tA = shape.contains("_dW_");
        tB = shape.contains("_dX_");
        micro = switch (impl) {
            case "vector" -> Sgemm.DEFAULT;                      // what sgemm uses on this CPU
            case "broadcast" -> Sgemm.Micro.BROADCAST;
            case "prebroadcast" -> Sgemm.Micro.PREBROADCAST;
            case "scalar" -> Sgemm.Micro.SCALAR;
            default -> throw new IllegalArgumentException("impl " + impl + ": vector, broadcast, prebroadcast or scalar");
        };
        CpuThreads.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() - 0.5);
        for (int i = 0; i < b.length; i++) b[i] = (float) (rnd.nextDouble() - 0.5);
        gflopPerCall = 2.0 * m * n * k / 1e9;
        call();
        check(rnd);
    }

    private void call() {
        int lda = tA ? m : k, ldb = tB ? k : n;
        Sgemm.sgemm(micro, tA, tB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
    }

    /** Compares 200 random entries of C with a float64 dot product. */
    private void check(SplittableRandom rnd) {
        checkSample(tA, tB, m, n, k, a, b, c, rnd);
    }

    /** Compares 200 random entries of C = op(A)·op(B) (dense, row-major) with a float64 dot product; throws if off. */
    static void checkSample(boolean tA, boolean tB, int m, int n, int k, float[] a, float[] b, float[] c,
                            SplittableRandom rnd) {
        int lda = tA ? m : k, ldb = tB ? k : n;
        String shape = m + "x" + k + "x" + n + (tA ? " transA" : "") + (tB ? " transB" : "");
        for (int t = 0; t < 200; t++) {
            int i = rnd.nextInt(m), j = rnd.nextInt(n);
            double s = 0, mag = 0;
            for (int p = 0; p < k; p++) {
                double x = tA ? a[p * lda + i] : a[i * lda + p], y = tB ? b[j * ldb + p] : b[p * ldb + j];
                s += x * y;
                mag += Math.abs(x * y);
            }
            if (Math.abs(c[i * n + j] - s) > 1e-5 + 1e-5 * mag)
                throw new IllegalStateException(shape + ": C[" + i + "," + j + "] = " + c[i * n + j] + ", want " + s);
        }
    }

    @Benchmark
    public float gemm(Flops flops) {
        call();
        flops.gflop += gflopPerCall;
        return c[0];
    }
}
