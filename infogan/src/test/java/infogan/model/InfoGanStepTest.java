package infogan.model;

import infogan.engine.backend.cpu.CpuBackend;
import infogan.engine.backend.ref.ReferenceBackend;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Whole InfoGAN steps: the float32 CPU backend follows the float64 reference, and every parameter trains. */
class InfoGanStepTest {
    static float[] images(int b) {
        float[] real = new float[b * 784];
        Rng r = new Rng(1);
        for (int i = 0; i < real.length; i++) real[i] = (float) r.nextDouble();
        return real;
    }

    @Test
    void parameterCountMatchesThePyTorchPeer() {
        InfoGan m = new InfoGan(new CpuBackend(1), ModelConfig.mnistDefaults(), 3);
        // The PyTorch peer counts 13,336,272 with a learned σ (Q outputs 14); σ fixed at 1 drops 2 outputs: 2·128 + 2 fewer.
        assertEquals(13_336_272 - 258, m.modules().stream().mapToLong(x -> x.parameterCount()).sum());
    }

    @Test
    void twoStepsOnTheCpuBackendMatchTheReferenceAndMoveEveryParameter() {
        ModelConfig cfg = ModelConfig.mnistDefaults().withBatch(4);
        InfoGan fast = new InfoGan(new CpuBackend(2), cfg, 3), ref = new InfoGan(new ReferenceBackend(), cfg, 3);
        List<float[]> before = new ArrayList<>();
        for (var mod : fast.modules()) for (Tensor p : mod.parameters()) before.add(p.toFloats());
        float[] x = images(4);
        for (int i = 0; i < 2; i++) { fast.step(x); ref.step(x); }
        InfoGan.StepStats f = fast.readStats(), r = ref.readStats();
        assertEquals(2, f.steps());
        double[][] pairs = {{f.dLoss(), r.dLoss()}, {f.gLoss(), r.gLoss()}, {f.dReal(), r.dReal()}, {f.dFake(), r.dFake()},
                {f.crossEntropy()[0], r.crossEntropy()[0]}, {f.nll()[0], r.nll()[0]}, {f.nll()[1], r.nll()[1]}};
        for (double[] p : pairs) assertEquals(p[1], p[0], 1e-4 + 1e-4 * Math.abs(p[1]), "cpu " + f + "\nref " + r);
        assertNull(fast.readStats(), "readStats resets the sums");
        int i = 0;
        for (var mod : fast.modules())
            for (Tensor p : mod.parameters()) {
                float[] b = before.get(i++), a = p.toFloats();
                double d = 0;
                for (int k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
                assertTrue(d > 0, p.name + " did not change");
            }
    }
}
