package infogan.engine.backend.cuda;

import infogan.engine.backend.Storage;

/** A float32 device buffer of {@code length} elements from the backend's caching allocator. */
public final class CudaStorage implements Storage {
    final CudaBackend owner;
    final RawDevPtr ptr;
    private final int length;
    boolean released;

    CudaStorage(CudaBackend owner, RawDevPtr ptr, int length) {
        this.owner = owner;
        this.ptr = ptr;
        this.length = length;
    }

    @Override
    public int length() { return length; }

    /** The raw device address (for FFM calls). */
    public long address() { return ptr.address(); }

    long bytes() { return 4L * length; }

    @Override
    public String toString() { return "CudaStorage[" + length + " @0x" + Long.toHexString(ptr.address()) + "]"; }
}
