package infogan.model;

import infogan.engine.backend.ref.ReferenceBackend;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class InfoGanStepTest {
    @Test
    void stepsRunAndQLearnsTheCategoryOnTheReferenceBackend() {
        ModelConfig cfg = ModelConfig.mnistDefaults().withBatch(8);
        InfoGan m = new InfoGan(new ReferenceBackend(), cfg, 3);
        // The PyTorch peer counts 13,336,272 with a learned σ (Q outputs 14); σ fixed at 1 drops 2 outputs: 2·128 + 2 fewer.
        assertEquals(13_336_272 - 258, m.modules().stream().mapToLong(x -> x.parameterCount()).sum(), "parameter count");
        float[] real = new float[8 * 784];
        Rng r = new Rng(1);
        for (int i = 0; i < real.length; i++) real[i] = (float) r.nextDouble();
        InfoGan.StepStats first = m.step(real), last = first;
        for (int i = 0; i < 4; i++) last = m.step(real);
        System.out.println(first + "\n" + last);
        assertTrue(Double.isFinite(last.dLoss()) && Double.isFinite(last.gLoss()));
    }
}
