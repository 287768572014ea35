package infogan.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;

/**
 * A caching device allocator: exact-size free lists over {@code cuMemAlloc}. InfoGAN's shapes are static, so after
 * the first training step every request is served from a free list and the hot loop never calls the driver.
 * Nothing is freed by the garbage collector; {@link #close()} frees every block this allocator ever handed out.
 * Blocks are reused in stream order: all work runs on one stream, so a block released after a launch was enqueued
 * can be handed to the next launch safely.
 */
final class DeviceAllocator implements AutoCloseable {
    private final Map<Long, ArrayDeque<RawDevPtr>> free = new HashMap<>();
    private final List<RawDevPtr> all = new ArrayList<>();
    private long reservedBytes, inUseBytes, driverAllocs;

    RawDevPtr alloc(long bytes) {
        long size = Math.max(bytes, 4);
        ArrayDeque<RawDevPtr> q = free.get(size);
        RawDevPtr p = q == null ? null : q.poll();
        if (p == null) {
            p = new RawDevPtr();
            try {
                cuMemAlloc(p, size);
            } catch (CudaException e) {             // out of memory: give the cached blocks back and try once more
                trim();
                cuMemAlloc(p, size);
            }
            all.add(p);
            reservedBytes += size;
            driverAllocs++;
        }
        inUseBytes += size;
        return p;
    }

    void release(RawDevPtr p, long bytes) {
        long size = Math.max(bytes, 4);
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
        inUseBytes -= size;
    }

    /** Frees every cached (unused) block. */
    void trim() {
        for (Map.Entry<Long, ArrayDeque<RawDevPtr>> e : free.entrySet()) {
            for (RawDevPtr p : e.getValue()) {
                cuMemFree(p);
                all.remove(p);
                reservedBytes -= e.getKey();
            }
            e.getValue().clear();
        }
    }

    long reservedBytes() { return reservedBytes; }
    long inUseBytes() { return inUseBytes; }
    long driverAllocs() { return driverAllocs; }

    @Override
    public void close() {
        for (RawDevPtr p : all) cuMemFree(p);
        all.clear();
        free.clear();
        reservedBytes = inUseBytes = 0;
    }
}
