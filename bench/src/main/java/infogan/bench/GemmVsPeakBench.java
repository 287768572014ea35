package infogan.bench;

import infogan.engine.backend.cpu.CpuThreads;
import infogan.engine.backend.cpu.Sgemm;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * GemmVsPeakBench: GEMM efficiency as a fraction of the FMA peak <em>measured a few milliseconds earlier</em>.
 *
 * <p>Why: the development machine is a shared 2-vCPU VM whose throughput swings up to 2× with its neighbours' load
 * (the same GEMM measured 11.5 ms and 20 ms minutes apart). A GEMM figure and a peak figure taken in separate JMH
 * runs can land in different weather, so their ratio means little. Here every invocation runs, back to back on the
 * engine's pool ({@code threads} threads, as the engine runs a GEMM):
 * <ol>
 *   <li>the peak loop: on each thread {@link PeakBench#chains} (12 independent {@code FloatVector} FMA chains),
 *       repeated to do as many flops per thread as the GEMM;</li>
 *   <li>one {@link Sgemm#sgemm} call of the shape.</li>
 * </ol>
 * Each is timed with {@link System#nanoTime}; the pair gives one ratio (GEMM GFLOP/s ÷ peak GFLOP/s). The
 * iteration's median ratio, and its GFLOP/s figures, are printed at the end of every JMH iteration, and the median
 * over all measured pairs at the end of the trial, e.g.
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar GemmVsPeakBench -t 1 -f 1 -wi 2 -i 5 -w 2 -r 2
 * </pre>
 * The primary JMH score (pairs per second) is not the result; the printed ratios are.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GemmVsPeakBench {

    @Param({"fc_fwd_100x1024x6272", "fc_fwd_100x6272x1024", "fc_dW_1024x100x6272", "fc_dW_6272x100x1024",
            "fc_dX_100x6272x1024", "fc_dX_100x1024x6272"})
    public String shape;

    @Param({"2"})
    public int threads;

    boolean tA, tB;
    int m, n, k, peakCalls;
    float x = 1.0000001f, y = 0.9999999f;
    float[] a, b, c;
    double gemmGflop, peakGflop;
    final float[] sink = new float[64];
    double[] ratios = new double[1 << 12], gemmRates = new double[1 << 12], peakRates = new double[1 << 12];
    int count, iterationStart;
    boolean measuring;
    double[] allRatios = new double[0];

    @Setup(Level.Trial)
    public void setup() {
        String[] dims = shape.substring(shape.lastIndexOf('_') + 1).split("x");
        m = Integer.parseInt(dims[0]);
        k = Integer.parseInt(dims[1]);
        n = Integer.parseInt(dims[2]);
        tA = shape.contains("_dW_");
        tB = shape.contains("_dX_");
        CpuThreads.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextDouble() - 0.5);
        for (int i = 0; i < b.length; i++) b[i] = (float) (rnd.nextDouble() - 0.5);
        gemmGflop = 2.0 * m * n * k / 1e9;
        // as many FMAs per thread as the GEMM has per thread: about the same duration at the same efficiency
        peakCalls = (int) Math.max(1, Math.round(gemmGflop / threads / PeakBench.GFLOP_PER_CALL));
        peakGflop = peakCalls * PeakBench.GFLOP_PER_CALL * threads;
        gemm();
        GemmBench.checkSample(tA, tB, m, n, k, a, b, c, rnd);
    }

    private void gemm() {
        Sgemm.sgemm(tA, tB, m, n, k, 1f, a, 0, tA ? m : k, b, 0, tB ? k : n, 0f, c, 0, n);
    }

    /** {@link PeakBench#chains} {@code peakCalls} times on every pool thread (sums go to sink so the JIT keeps them). */
    private void peak() {
        final int calls = peakCalls;
        CpuThreads.parallel((part, parts) -> {
            float s = 0;
            for (int i = 0; i < calls; i++) s += PeakBench.chains(x, y);
            sink[part] = s;
        });
    }

    @Benchmark
    public void pair() {
        long t0 = System.nanoTime();
        peak();
        long t1 = System.nanoTime();
        gemm();
        long t2 = System.nanoTime();
        if (count == ratios.length) count = iterationStart = 0;   // long iteration: start over (the print covers the rest)
        {
            double peakRate = peakGflop / ((t1 - t0) * 1e-9), gemmRate = gemmGflop / ((t2 - t1) * 1e-9);
            peakRates[count] = peakRate;
            gemmRates[count] = gemmRate;
            ratios[count++] = gemmRate / peakRate;
        }
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams ip) {
        iterationStart = count;
        measuring = ip.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        int from = iterationStart, to = count;
        if (to <= from) return;
        System.out.printf("  [%s] pairs %d: GEMM %.1f GFLOP/s, peak %.1f GFLOP/s, ratio %.1f%% (medians)%n", shape, to - from,
                median(gemmRates, from, to), median(peakRates, from, to), 100 * median(ratios, from, to));
        if (measuring) {                      // the trial summary leaves warmup pairs out
            int old = allRatios.length;
            allRatios = Arrays.copyOf(allRatios, old + to - from);
            System.arraycopy(ratios, from, allRatios, old, to - from);
        }
    }

    @TearDown(Level.Trial)
    public void summary() {
        if (allRatios.length == 0) return;
        System.out.printf("  [%s] all %d measured pairs: median ratio %.1f%% (quartiles %.1f%% .. %.1f%%)%n", shape,
                allRatios.length, 100 * median(allRatios, 0, allRatios.length),
                100 * quantile(allRatios, 0.25), 100 * quantile(allRatios, 0.75));
    }

    static double median(double[] x, int from, int to) {
        double[] s = Arrays.copyOfRange(x, from, to);
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double quantile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
    }
}
