package infogan.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * PeakBench: the machine's fp32 FMA peak as seen from the Vector API.
 *
 * <p>{@code ACC} independent accumulator chains of {@code FloatVector.SPECIES_PREFERRED} each take a fused
 * multiply-add per step, so nothing but FMA throughput limits the loop (12 chains cover the 4-5 cycle FMA latency
 * times 2 FMA pipes). Flops per call = ITERS · ACC · VL · 2. Run with JMH threads {@code -t 1} for one core and
 * {@code -t 2} for two (the engine's own pool is not involved):
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar PeakBench -f 1 -wi 3 -i 5 -t 2
 * </pre>
 * The {@code PeakBench.fma:gflop} line is GFLOP/s summed over the JMH threads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ITERS = 100_000, ACC = 12;
    static final double GFLOP_PER_CALL = (double) ITERS * ACC * S.length() * 2 / 1e9;

    float x = 1.0000001f, y = 0.9999999f;

    @Benchmark
    public float fma(Flops flops) {
        flops.gflop += GFLOP_PER_CALL;
        return chains(x, y);
    }

    /** ITERS steps of ACC independent FMA chains (GFLOP_PER_CALL flops); also the peak half of {@link GemmVsPeakBench}. */
    static float chains(float x, float y) {
        FloatVector a = FloatVector.broadcast(S, x), b = FloatVector.broadcast(S, y);
        FloatVector c0 = FloatVector.broadcast(S, 0.1f), c1 = c0.add(1), c2 = c0.add(2), c3 = c0.add(3),
                c4 = c0.add(4), c5 = c0.add(5), c6 = c0.add(6), c7 = c0.add(7), c8 = c0.add(8), c9 = c0.add(9),
                c10 = c0.add(10), c11 = c0.add(11);
        for (int i = 0; i < ITERS; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
