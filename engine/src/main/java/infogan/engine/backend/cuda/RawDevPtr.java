package infogan.engine.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * A {@link CUdeviceptr} that exposes its raw address, so the same buffer can go to cuBLAS/cuDNN through FFM.
 * JCuda's {@code getNativePointer()} is protected; a subclass may call it (workaround, see gpu-stack.md §1c).
 */
final class RawDevPtr extends CUdeviceptr {
    long address() { return getNativePointer() + getByteOffset(); }

    /** The CUstream twin: cudaStream_t and CUstream are the same pointer. */
    static final class Stream extends CUstream {
        long address() { return getNativePointer(); }
    }
}
