package infogan.tests;

import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;
import infogan.engine.backend.cpu.CpuBackend;
import infogan.engine.nn.Module;
import infogan.engine.optim.Adam;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import infogan.model.InfoGan;
import infogan.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A training step recorded once and replayed (what the CUDA backend does with a CUDA graph) must compute exactly what
 * eager steps compute. {@link RecordingBackend} records on the CPU with the rules of stream capture, so this runs
 * without a GPU; the CUDA conformance suite repeats the comparison with real graphs on a GPU.
 */
class RecordedStepTest {
    static final ModelConfig CFG = ModelConfig.mnistDefaults().withBatch(16);

    static float[] batch(Rng r) {
        float[] x = new float[CFG.batch() * 784];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    /** Every parameter, buffer (BatchNorm running statistics) and Adam moment, read back. */
    static List<float[]> state(InfoGan m) {
        List<float[]> s = new ArrayList<>();
        for (Module mod : m.modules()) {
            for (Tensor p : mod.parameters()) s.add(p.toFloats());
            for (Tensor b : mod.buffers()) s.add(b.toFloats());
        }
        for (Adam opt : List.of(m.optD, m.optG))
            for (int i = 0; i < opt.params.size(); i++) {
                float[] a = new float[opt.params.get(i).size], b = new float[a.length];
                m.backend.read(opt.firstMoment(i), a);
                m.backend.read(opt.secondMoment(i), b);
                s.add(a);
                s.add(b);
            }
        return s;
    }

    @Test
    void recordedAndReplayedStepsMatchEagerStepsBitForBit() {
        RecordingBackend rec = new RecordingBackend(new CpuBackend(2));
        InfoGan eager = new InfoGan(new CpuBackend(2), CFG, 5), replayed = new InfoGan(rec.backend, CFG, 5);
        Rng r = new Rng(9);
        for (int step = 1; step <= 5; step++) {
            float[] x = batch(r);
            if (step == 3) rec.resetCounts();
            eager.step(x);
            replayed.step(x);
            if (step == 1) assertEquals(0, rec.recordings, "the first step runs eagerly (it sizes every buffer)");
        }
        // Step 2 was recorded (and replayed); steps 3-5 are one replay each and nothing else but the input uploads:
        // real batch, latent matrix, c1's labels, the continuous codes.
        assertEquals(1, rec.recordings);
        assertEquals(3, rec.replays);
        assertEquals(Map.of("write", 3 * 4), rec.direct, "steps after the recording issue no kernel directly");
        assertEquals(0, eager.recordedOperations(), "the CPU backend does not record");
        System.out.printf("one recorded InfoGAN step = %d backend operations (batch %d)%n", replayed.recordedOperations(), CFG.batch());
        assertTrue(replayed.recordedOperations() > 100, "a whole step is hundreds of kernels: " + replayed.recordedOperations());

        InfoGan.StepStats a = eager.readStats(), b = replayed.readStats();
        assertEquals(5, b.steps());
        assertEquals(a.dLoss(), b.dLoss(), 0.0);
        assertEquals(a.gLoss(), b.gLoss(), 0.0);
        assertEquals(a.dReal(), b.dReal(), 0.0);
        assertEquals(a.dFake(), b.dFake(), 0.0);
        assertArrayEquals(a.crossEntropy(), b.crossEntropy(), 0.0);
        assertArrayEquals(a.nll(), b.nll(), 0.0);
        List<float[]> sa = state(eager), sb = state(replayed);
        assertEquals(sa.size(), sb.size());
        for (int i = 0; i < sa.size(); i++) assertArrayEquals(sa.get(i), sb.get(i), "state tensor " + i);
        assertEquals(5, eager.optD.steps());
        assertEquals(5, replayed.optD.steps());
        assertEquals(5, replayed.optG.steps());
    }

    @Test
    void aHostValueFrozenIntoARecordingIsWhatTheComparisonCatches() {
        // The mistake the rules prevent: a per-step host value passed as a kernel argument. Eagerly, y counts 1, 2, 3;
        // recorded at the second step, every replay repeats 2. (Adam's t lives in a storage for this reason.)
        RecordingBackend rec = new RecordingBackend(new CpuBackend(1));
        Backend be = rec.backend;
        Storage y = be.zeros(1), step = be.zeros(1), one = be.alloc(1);
        be.fill(one, 1, 1.0);
        long[] hostT = {0};
        Runnable work = () -> {
            hostT[0]++;
            be.fill(y, 1, hostT[0]);                 // frozen at recording
            be.axpy(step, one, 1, 1.0);              // counted on the backend: advances at every replay
        };
        work.run();
        Backend.Replay replay = be.capture(work);
        for (int i = 0; i < 3; i++) replay.replay();
        double[] yv = new double[1], tv = new double[1];
        be.read(y, yv);
        be.read(step, tv);
        assertEquals(2.0, yv[0], "replays repeat the recorded argument");
        assertEquals(4.0, tv[0], "a count kept in a storage advances: 1 eager + 3 replays");
        replay.close();
    }

    @Test
    void hostCopiesAreRefusedWhileRecordingAndTheBackendStaysUsable() {
        RecordingBackend rec = new RecordingBackend(new CpuBackend(1));
        Backend be = rec.backend;
        Storage y = be.zeros(3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> be.capture(() -> be.write(y, new float[] {1, 2, 3})));
        assertTrue(e.getMessage().contains("write while recording"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> be.capture(() -> be.read(y, new float[3])));
        be.write(y, new float[] {4, 5, 6});
        float[] back = new float[3];
        be.read(y, back);
        assertArrayEquals(new float[] {4, 5, 6}, back);
    }

    @Test
    void adamCountsItsStepsOnTheBackend() {
        CpuBackend be = new CpuBackend(1);
        Tensor p = Tensor.parameter(be, "p", 2);
        Adam opt = new Adam(List.of(p), 0.1, 0.9, 0.999, 1e-8);
        opt.setSteps(1234);
        assertEquals(1234, opt.steps());
        opt.setSteps(Adam.MAX_STEPS);
        assertEquals(Adam.MAX_STEPS, opt.steps(), "2^24 is exact in the float32 counter");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.setSteps(Adam.MAX_STEPS + 1));
        assertTrue(e.getMessage().contains("16777217"), e.getMessage());
        assertEquals(0, new Adam(List.of(), 0.1, 0.9, 0.999, 1e-8).steps(), "an empty group has taken no steps");
        assertTrue(Arrays.equals(new float[2], p.toFloats()));
    }
}
