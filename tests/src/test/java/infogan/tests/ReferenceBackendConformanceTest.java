package infogan.tests;

import infogan.engine.backend.Backend;
import infogan.engine.backend.ref.ReferenceBackend;

/** The harness run on a second ReferenceBackend: trivially conformant, it proves the harness itself runs end to end. */
class ReferenceBackendConformanceTest extends BackendConformance {
    @Override protected Backend createBackend() { return new ReferenceBackend(); }
}
