package infogan.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * How the benchmarks report GFLOP/s: a JMH auxiliary counter.
 *
 * <p>Each benchmark method takes a {@code Flops} argument and adds the operation's floating-point work, in GFLOP,
 * to {@link #gflop} on every invocation. With {@code @AuxCounters(OPERATIONS)} JMH treats the field like the
 * primary "ops" count and divides it by the measured time, so in Throughput mode with seconds as the unit the
 * secondary result line {@code <bench>:gflop} reads directly in GFLOP/s (one multiply-add counts as 2 flops).
 * The primary line stays the usual ops/s (calls per second).
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Flops {
    /** Accumulated GFLOP this iteration; JMH reports it as a rate. */
    public double gflop;

    @Setup(Level.Iteration)
    public void reset() {
        gflop = 0;
    }
}
