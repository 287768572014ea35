package infogan.bench;

import infogan.engine.backend.cpu.CpuBackend;
import infogan.engine.backend.ref.ReferenceBackend;
import infogan.model.InfoGan;
import infogan.model.ModelConfig;
import infogan.engine.util.Rng;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * One whole InfoGAN training iteration (D/Q step + G step, {@link InfoGan#step}) of the paper's MNIST model at batch
 * 100 on the CPU backend: the number to put beside the PyTorch peer (../shared/peers/infogan_torch.py).
 * <p>
 * Setup first checks the engine end to end: one step at batch 8 on the float32 CPU backend and on the float64
 * reference backend from the same seed must give the same losses (to float32 accuracy), else it throws.
 * <p>
 * GFLOP/s ({@code :gflop}) counts the multiply-adds of the weight layers that this step really runs (×2):
 * per sample, G forward + weight grads + input grads (not fc1's); the trunk forward 3× (real, detached fake, fake),
 * weight grads 2× (the D/Q step; D is frozen in the G step), input grads 2× except conv1 in the D/Q step plus 1× in
 * the G step; the D head 3/2/3 and the Q head 2/1/2 likewise. BatchNorm, activations, losses and Adam are not counted.
 * <pre>
 *   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar TrainingStepBench -t 1 -f 1 -wi 5 -i 10 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainingStepBench {
    @Param({"2"})
    public int threads;

    static final int B = 100;
    InfoGan model;
    float[] batch;

    /** Multiply-adds of one iteration per sample (see the class comment). */
    static long macsPerSample() {
        long gFc1 = 74 * 1024, gFc2 = 1024L * 6272, up1 = 7 * 7 * 128 * 64 * 16, up2 = 14 * 14 * 64 * 16;
        long conv1 = 14 * 14 * 64 * 16, conv2 = 7 * 7 * 128 * 64 * 16, fc = 6272L * 1024, dHead = 1024, q1 = 1024 * 128, q2 = 128 * 12;
        long g = 3 * (gFc1 + gFc2 + up1 + up2) - gFc1;
        long trunk = 3 * (conv1 + conv2 + fc) + 2 * (conv1 + conv2 + fc) + 2 * (conv2 + fc) + (conv1 + conv2 + fc);
        long heads = (3 + 2 + 3) * dHead + (2 + 1 + 2) * (q1 + q2);
        return g + trunk + heads;
    }

    @Setup(Level.Trial)
    public void setup() {
        checkAgainstReference();
        model = new InfoGan(new CpuBackend(threads), ModelConfig.mnistDefaults().withBatch(B), 1);
        batch = randomImages(B, 2);
    }

    static float[] randomImages(int b, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[b * 784];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    static void checkAgainstReference() {
        ModelConfig cfg = ModelConfig.mnistDefaults().withBatch(8);
        float[] x = randomImages(8, 3);
        InfoGan fast = new InfoGan(new CpuBackend(2), cfg, 5), ref = new InfoGan(new ReferenceBackend(), cfg, 5);
        fast.step(x);
        ref.step(x);
        InfoGan.StepStats f = fast.readStats(), d = ref.readStats();
        double[][] pairs = {{f.dLoss(), d.dLoss()}, {f.gLoss(), d.gLoss()}, {f.crossEntropy()[0], d.crossEntropy()[0]}, {f.nll()[0], d.nll()[0]}};
        for (double[] p : pairs)
            if (Math.abs(p[0] - p[1]) > 1e-3 + 1e-3 * Math.abs(p[1]))
                throw new IllegalStateException("cpu-f32 step " + f + " differs from reference-f64 step " + d);
    }

    @Benchmark
    public void step(Flops flops) {
        model.step(batch);
        flops.gflop += 2.0 * macsPerSample() * B / 1e9;
    }
}
