package infogan.bench;

import infogan.engine.backend.Activation;
import infogan.engine.backend.cpu.CpuBackend;
import infogan.engine.backend.cpu.F32Storage;
import infogan.engine.backend.cpu.Pointwise;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

/**
 * Leaky ReLU forward on 627,200 floats (the (100, 64, 14, 14) activation of the InfoGAN discriminator), four ways:
 * an auto-vectorised branch-free loop (max/min), a ternary loop, a hand-written Vector API kernel, CpuBackend's
 * kernel ({@link Pointwise#leakyRelu}, the Vector API winner) and the whole backend call on 1 and 2 threads. Run with {@code -prof gc} to see that
 * the kernels allocate nothing. Results are in {@link Pointwise}'s and the report's notes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseBench {
    static final int N = 627_200;
    static final float ALPHA = 0.2f;
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    float[] x = new float[N], y = new float[N];
    CpuBackend one, two;
    F32Storage xs, ys;

    @Setup public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < N; i++) x[i] = (float) r.nextGaussian();
        one = new CpuBackend(1);
        two = new CpuBackend(2);
        xs = one.alloc(N);
        ys = one.alloc(N);
        one.write(xs, x);
    }

    @TearDown public void tearDown() { one.close(); two.close(); }

    /** Branch-free loop y = max(x,0) + alpha·min(x,0), auto-vectorised by C2 (MaxVF/MinVF). */
    @Benchmark public float[] loopMaxMin() {
        float[] yy = y, xx = x;
        for (int i = 0; i < N; i++) { float v = xx[i]; yy[i] = Math.max(v, 0f) + ALPHA * Math.min(v, 0f); }
        return yy;
    }

    /** The kernel CpuBackend uses (the winner, Vector API), called directly. */
    @Benchmark public float[] pointwiseKernel() {
        Pointwise.leakyRelu(y, x, ALPHA, 0, N);
        return y;
    }

    /** y = x > 0 ? x : alpha·x as a plain loop (vectorised only if C2 turns the select into a vector blend). */
    @Benchmark public float[] loopTernary() {
        float[] yy = y, xx = x;
        for (int i = 0; i < N; i++) { float v = xx[i]; yy[i] = v > 0f ? v : ALPHA * v; }
        return yy;
    }

    /** Vector API: blend(x, alpha·x, x > 0), SPECIES_PREFERRED lanes (16 on AVX-512), scalar tail. */
    @Benchmark public float[] vectorApi() {
        float[] yy = y, xx = x;
        int i = 0;
        for (int bound = S.loopBound(N); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, xx, i);
            v.mul(ALPHA).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(yy, i);
        }
        for (; i < N; i++) { float v = xx[i]; yy[i] = v > 0f ? v : ALPHA * v; }
        return yy;
    }

    /** The backend call on 1 thread (no dispatch). */
    @Benchmark public F32Storage backend1Thread() {
        one.activationForward(Activation.LEAKY_RELU, ys, xs, N, ALPHA);
        return ys;
    }

    /** The backend call on 2 threads (two parts of 313,600 floats, one on a worker). */
    @Benchmark public F32Storage backend2Threads() {
        two.activationForward(Activation.LEAKY_RELU, ys, xs, N, ALPHA);
        return ys;
    }
}
