package infogan.tests;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;
import infogan.engine.nn.Linear;
import infogan.engine.ops.*;
import infogan.engine.optim.Adam;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import static infogan.tests.GradCheck.*;
import static org.junit.jupiter.api.Assertions.*;

/** The tape's contract: accumulation, shared inputs, no-grad, freezing, single use, the version check, the arena. */
class TapeTest {

    private static double[] times(double[] v, double a) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) r[i] *= a;
        return r;
    }

    @Test
    void gradientsAccumulateAcrossTwoBackwardCalls() {
        Rng rng = new Rng(300);
        Linear fc = new Linear(REF, "fc", 3, 2, true, rng);
        Tensor x = leaf(rng, -1, 1, 4, 3);
        x.setRequiresGrad(false);
        Tape t = new Tape(REF);
        t.backward(project(t, fc.forward(t, x), 1));
        double[] once = fc.weight.grad.toDoubles(), onceB = fc.bias.grad.toDoubles();
        t.backward(project(t, fc.forward(t, x), 1));          // a second forward and backward, no zeroGrad
        assertClose("weight grad after two backwards", times(once, 2), fc.weight.grad.toDoubles(), 1e-14, 1e-14);
        assertClose("bias grad after two backwards", times(onceB, 2), fc.bias.grad.toDoubles(), 1e-14, 1e-14);
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothPaths() {
        Tensor x = Tensor.parameter(REF, "x", 3).write(new double[]{0.5, -1, 2});
        Tape t = new Tape(REF);
        Tensor h = Activate.tanh(t, x);          // h feeds two branches: 2h and h·h
        t.backward(Sum.sum(t, Add.apply(t, Scale.apply(t, h, 2), Mul.apply(t, h, h))));
        double[] xv = x.toDoubles(), want = new double[3];
        for (int i = 0; i < 3; i++) {
            double th = Math.tanh(xv[i]);
            want[i] = (2 + 2 * th) * (1 - th * th);
        }
        assertClose("d/dx Σ(2 tanh x + tanh² x)", want, x.grad.toDoubles(), 1e-14, 1e-14);
    }

    @Test
    void noGradRecordsNothing() {
        Rng rng = new Rng(310);
        Linear fc = new Linear(REF, "fc", 3, 2, true, rng);
        Tensor x = leaf(rng, -1, 1, 4, 3);
        Tape t = new Tape(REF);
        Tensor y;
        try (var ng = t.noGrad()) {
            assertFalse(t.recording());
            y = Activate.relu(t, fc.forward(t, x));
        }
        assertTrue(t.recording());
        assertTrue(t.ops().isEmpty(), "ops recorded under noGrad: " + t.ops());
        assertFalse(y.requiresGrad());
        assertNull(y.creator);
        Tensor loss = Sum.sum(t, y);
        assertThrows(IllegalStateException.class, () -> t.backward(loss));
    }

    @Test
    void frozenParametersGetNoGradient() {
        Rng rng = new Rng(320);
        Linear g = new Linear(REF, "G", 2, 3, true, rng), d = new Linear(REF, "D", 3, 1, true, rng);
        d.setRequiresGrad(false);                                 // G's step: D frozen
        Tensor z = leaf(rng, -1, 1, 4, 2);
        z.setRequiresGrad(false);
        Tape t = new Tape(REF);
        Tensor loss = BceWithLogits.apply(t, d.forward(t, Activate.relu(t, g.forward(t, z))), constant(t, new double[]{1, 1, 1, 1}, 4, 1));
        t.backward(loss);
        for (Tensor p : d.parameters()) assertNull(p.grad, p.name + " is frozen but got a gradient");
        for (Tensor p : g.parameters()) assertNotNull(p.grad, p.name + " got no gradient");
        assertNull(z.grad);
        // and the gradient G gets through a frozen D is still right
        check("G through frozen D", tp -> BceWithLogits.apply(tp, d.forward(tp, Activate.relu(tp, g.forward(tp, z))),
                constant(tp, new double[]{1, 1, 1, 1}, 4, 1)), g.weight, g.bias);
    }

    @Test
    void backwardTwiceThroughTheSameOpThrowsNamingIt() {
        Tensor x = Tensor.parameter(REF, "x", 2).write(new double[]{1, 2});
        Tape t = new Tape(REF);
        Tensor loss = Sum.sum(t, Activate.sigmoid(t, x));
        t.backward(loss);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.backward(loss));
        assertTrue(e.getMessage().contains("sum") || e.getMessage().contains("sigmoid"), e.getMessage());
        // a new loss that shares the consumed sigmoid is refused as well, naming the shared op
        Tape t2 = new Tape(REF);
        Tensor s = Activate.sigmoid(t2, x);
        t2.backward(Sum.sum(t2, s));
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> t2.backward(Sum.mean(t2, s)));
        assertTrue(e2.getMessage().contains("sigmoid"), e2.getMessage());
    }

    @Test
    void writeBetweenForwardAndBackwardThrowsNamingTheOp() {
        Tensor a = Tensor.parameter(REF, "a", 3).write(new double[]{1, 2, 3});
        Tensor b = Tensor.parameter(REF, "b", 3).write(new double[]{4, 5, 6});
        Tape t = new Tape(REF);
        Tensor loss = Sum.sum(t, Mul.apply(t, a, b));
        b.write(new double[]{0, 0, 0});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.backward(loss));
        assertTrue(e.getMessage().contains("mul") && e.getMessage().contains("b"), e.getMessage());
    }

    /**
     * The classic GAN bug: G's loss goes through D; D's optimizer step runs between G's forward and G's backward, so
     * G's gradient would be computed with D's new weights. The tape must refuse, naming D's op and weight.
     */
    @Test
    void discriminatorStepBetweenGeneratorForwardAndBackwardIsRefused() {
        Rng rng = new Rng(330);
        Linear g = new Linear(REF, "G", 2, 3, true, rng), d = new Linear(REF, "D", 3, 1, true, rng);
        Adam optD = new Adam(d.parameters(), 2e-4, 0.5, 0.999, 1e-8);
        Adam optG = new Adam(g.parameters(), 1e-3, 0.5, 0.999, 1e-8);
        Tensor z = leaf(rng, -1, 1, 4, 2);
        z.setRequiresGrad(false);
        double[] ones = {1, 1, 1, 1}, zerosT = {0, 0, 0, 0};

        Tape t = new Tape(REF);
        Tensor fake = g.forward(t, z);                                         // (4, 3)
        Tensor gLoss = BceWithLogits.apply(t, d.forward(t, fake), constant(t, ones, 4, 1));
        // D's step on the same fakes, detached from G (its own forward), then its optimizer step ...
        Tensor detached = constant(t, fake.toDoubles(), 4, 3);
        Tensor dLoss = BceWithLogits.apply(t, d.forward(t, detached), constant(t, zerosT, 4, 1));
        t.backward(dLoss);
        optD.step();
        // ... and only now G's backward, through D's forward that saved D's old weight
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.backward(gLoss));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("D.weight"), e.getMessage());

        // The right order: recompute D(G(z)) after D's step, then G's backward works.
        optG.zeroGrad();
        Tape t2 = new Tape(REF);
        Tensor gLoss2 = BceWithLogits.apply(t2, d.forward(t2, g.forward(t2, z)), constant(t2, ones, 4, 1));
        t2.backward(gLoss2);
        optG.step();
        assertNotNull(g.weight.grad);
    }

    @Test
    void backwardNeedsAScalar() {
        Tensor x = Tensor.parameter(REF, "x", 2, 2);
        Tape t = new Tape(REF);
        Tensor y = Activate.tanh(t, x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.backward(y));
        assertTrue(e.getMessage().contains("scalar"), e.getMessage());
    }

    /** Counts storages handed out and returned. */
    private static final class CountingBackend extends DelegatingBackend {
        final Set<Storage> live = Collections.newSetFromMap(new IdentityHashMap<>());

        CountingBackend(Backend base) { super(base); }

        @Override public Storage alloc(int n) { Storage s = base.alloc(n); live.add(s); return s; }
        @Override public Storage zeros(int n) { Storage s = alloc(n); fill(s, n, 0); return s; }
        @Override public void release(Storage s) {
            assertTrue(live.remove(s), "released a storage that is not live (double release?)");
            base.release(s);
        }
    }

    @Test
    void resetReturnsEveryTapeStorage() {
        CountingBackend be = new CountingBackend(REF);
        Rng rng = new Rng(340);
        Linear fc = new Linear(be, "fc", 3, 2, true, rng);
        Tensor x = new Tensor(be, be.alloc(12), new int[]{4, 3}, "x", false);
        be.write(x.data, new double[12]);
        Set<Storage> before = Collections.newSetFromMap(new IdentityHashMap<>());
        before.addAll(be.live);
        Tape t = new Tape(be);
        for (int step = 0; step < 2; step++) {
            Tensor loss = Sum.mean(t, Activate.leakyRelu(t, Reshape.flatten(t, fc.forward(t, x)), 0.2));
            t.backward(loss);
            assertTrue(be.live.size() > before.size() + 2);
            t.reset();
            assertTrue(t.ops().isEmpty());
            // what is still live: what existed before, plus the parameters' persistent gradients
            Set<Storage> expected = Collections.newSetFromMap(new IdentityHashMap<>());
            expected.addAll(before);
            expected.add(fc.weight.grad.data);
            expected.add(fc.bias.grad.data);
            assertEquals(expected, be.live, "storages still live after reset (step " + step + ")");
        }
    }

    /**
     * A reshape is a view over its input's storage, so an in-place write to the input changes the view's values too.
     * An op that saved the view must notice: views share their base's version counter (bug found by this test:
     * Reshape used to make a tensor with a fresh counter, so this backward silently used the new values).
     */
    @Test
    void writeThroughAViewIsSeenByOpsThatSavedTheView() {
        Tensor p = Tensor.parameter(REF, "p", 4).write(new double[]{1, 2, 3, 4});
        Tape t = new Tape(REF);
        Tensor v = Reshape.apply(t, p, 2, 2);
        Tensor loss = Sum.sum(t, Mul.apply(t, v, v));            // mul saves the view v
        p.write(new double[]{0, 0, 0, 0});                       // e.g. an optimizer step on p
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.backward(loss));
        assertTrue(e.getMessage().contains("mul"), e.getMessage());
        // and the other direction: writing the view bumps the base (ops that saved p see it)
        Tape t2 = new Tape(REF);
        Tensor loss2 = Sum.sum(t2, Mul.apply(t2, p, p));
        Reshape.apply(t2, p, 2, 2).write(new double[]{1, 1, 1, 1});
        assertThrows(IllegalStateException.class, () -> t2.backward(loss2));
    }
}
