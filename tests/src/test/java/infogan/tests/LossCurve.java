package infogan.tests;

import infogan.data.BatchSampler;
import infogan.data.Datasets;
import infogan.engine.backend.cpu.CpuBackend;
import infogan.model.InfoGan;
import infogan.model.ModelConfig;

/**
 * Prints the loss curve of the default MNIST model on the CPU backend (seed 1, sampler seed 7, the embedded digits)
 * as 50-iteration means, one line per window: the statistics {@link CudaTrainingTest} compares between backends.
 * <p>
 * It calibrates that test's tolerances. CPU runs that differ only in the GEMM's k-blocking
 * ({@code -Dinfogan.sgemm.kc=64|128|256|512}), that is in the order of float32 sums, part as a CUDA and a CPU run
 * do: both differences start at the last bit of a rounding, and a GAN amplifies whatever it is given.
 * <pre>
 *   mvn -q install -DskipTests
 *   mvn -q -pl tests dependency:build-classpath -Dmdep.outputFile=/tmp/tests.cp
 *   for kc in 64 128 256 512; do java --add-modules jdk.incubator.vector -Dinfogan.sgemm.kc=$kc \
 *       -cp "$(cat /tmp/tests.cp):tests/target/test-classes" infogan.tests.LossCurve 200 2 > kc$kc.txt; done
 * </pre>
 * Largest |difference| over the six pairs (Zen 1, AVX2, 2026-12-04), columns as printed:
 * <pre>
 *   window   d_loss  g_loss  d_real  d_fake  ce_cat1 nll_cont1 nll_cont2
 *   1-50     0.0004  0.0003  0.0001  0.0002  0.0016  0.0001    0.0003
 *   51-100   0.0017  0.0022  0.0003  0.0006  0.0014  0.0004    0.0004
 *   101-150  0.1036  0.0900  0.0166  0.0162  0.0148  0.0211    0.0271
 *   151-200  0.0949  0.2517  0.0137  0.0068  0.0256  0.0215    0.0240
 * </pre>
 */
public final class LossCurve {
    private LossCurve() {}

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        ModelConfig cfg = ModelConfig.mnistDefaults();
        Datasets.Split data = Datasets.mnistEmbedded();
        InfoGan gan = new InfoGan(new CpuBackend(threads), cfg, 1);
        BatchSampler sampler = new BatchSampler(data.train(), cfg.batch(), 7);
        float[] batch = new float[cfg.batch() * 784];
        System.out.println("# iteration " + String.join(" ", CudaTrainingTest.NAMES) + " (means over the 50 iterations before)");
        for (int it = 1; it <= iterations; it++) {
            sampler.next(batch);
            gan.step(batch);
            if (it % 50 == 0) {
                double[] v = CudaTrainingTest.values(gan.readStats());
                StringBuilder sb = new StringBuilder(String.valueOf(it));
                for (double x : v) sb.append(' ').append(String.format("%.6f", x));
                System.out.println(sb);
            }
        }
    }
}
