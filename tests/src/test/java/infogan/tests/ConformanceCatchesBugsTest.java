package infogan.tests;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;
import infogan.engine.backend.ref.ReferenceBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BackendConformance} must fail on a backend with a planted bug, and say where. */
class ConformanceCatchesBugsTest {

    /** Runs one check of the harness against the given backend. */
    private static AssertionError failureOf(Backend buggy, java.util.function.Consumer<BackendConformance> check) {
        BackendConformance h = new BackendConformance() {
            @Override protected Backend createBackend() { return buggy; }
        };
        h.open();
        return assertThrows(AssertionError.class, () -> check.accept(h));
    }

    @Test
    void gemmOffByOneElementIsCaught() {
        Backend buggy = new DelegatingBackend(new ReferenceBackend()) {
            @Override public void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, Storage a, Storage b, double beta, Storage c) {
                base.gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
                double[] v = new double[m * n];
                base.read(c, v);
                v[m * n - 1] += 1e-2;            // the last element of C is off
                base.write(c, v);
            }
        };
        AssertionError e = failureOf(buggy, BackendConformance::gemm);
        assertTrue(e.getMessage().contains("gemm") && e.getMessage().contains("max diff") && e.getMessage().contains("1 of"), e.getMessage());
    }

    @Test
    void assigningInsteadOfAccumulatingIsCaught() {
        Backend buggy = new DelegatingBackend(new ReferenceBackend()) {
            @Override public void activationBackward(Activation f, Storage dx, Storage dy, Storage x, Storage y, int n, double alpha) {
                fill(dx, n, 0);                  // "=" instead of "+="
                base.activationBackward(f, dx, dy, x, y, n, alpha);
            }
        };
        AssertionError e = failureOf(buggy, BackendConformance::activations);
        assertTrue(e.getMessage().contains("activationBackward"), e.getMessage());
    }

    @Test
    void float32RoundingPasses() {
        // a backend that rounds every result to float32 stays inside the float32 tolerances
        Backend f32 = new DelegatingBackend(new ReferenceBackend()) {
            @Override public void read(Storage src, double[] dst) {
                base.read(src, dst);
                for (int i = 0; i < dst.length; i++) dst[i] = (float) dst[i];
            }
        };
        BackendConformance h = new BackendConformance() {
            @Override protected Backend createBackend() { return f32; }
        };
        h.open();
        h.gemm();
        h.batchNorm();
        h.conv2d();
    }
}
