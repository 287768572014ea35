package infogan.tests;

import infogan.engine.backend.Backend;
import infogan.engine.backend.cpu.CpuBackend;

/** The fast float32 CPU backend against the float64 reference, kernel by kernel (see {@link BackendConformance}). */
class CpuBackendConformanceTest extends BackendConformance {
    @Override
    protected Backend createBackend() { return new CpuBackend(2); }
}
