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
 * can be handed to the next launch safely. A recorded CUDA graph keeps the blocks released while it was recorded
 * ({@link #beginCapture}).
 */
final class DeviceAllocator implements AutoCloseable {
    /** The two driver calls this allocator makes (a test substitutes them to run without a GPU). */
    interface Driver {
        void alloc(RawDevPtr p, long bytes);
        void free(RawDevPtr p);
    }

    static final Driver CUDA = new Driver() {
        @Override public void alloc(RawDevPtr p, long bytes) { cuMemAlloc(p, bytes); }
        @Override public void free(RawDevPtr p) { cuMemFree(p); }
    };

    private final Driver driver;
    private final Map<Long, ArrayDeque<RawDevPtr>> free = new HashMap<>();
    private final List<RawDevPtr> all = new ArrayList<>();
    private long reservedBytes, inUseBytes, driverAllocs;
    /** While a CUDA graph is being recorded: the blocks released during the recording (see {@link #beginCapture}). */
    private Map<Long, ArrayDeque<RawDevPtr>> captured;

    DeviceAllocator() { this(CUDA); }

    DeviceAllocator(Driver driver) { this.driver = driver; }

    /**
     * From now until {@link #endCapture}, a released block goes to a pool of the recording instead of the free lists:
     * the graph will write it at every replay, so no one outside the graph may get it. Allocations during the
     * recording take from that pool first (the graph's nodes run in recording order, so reuse inside it is safe).
     */
    void beginCapture() {
        if (captured != null) throw new IllegalStateException("already recording a graph");
        captured = new HashMap<>();
    }

    /** Ends the recording; the returned blocks belong to the graph until {@link #releaseCaptured} is called. */
    Map<Long, ArrayDeque<RawDevPtr>> endCapture() {
        Map<Long, ArrayDeque<RawDevPtr>> pool = captured;
        captured = null;
        pool.forEach((size, q) -> inUseBytes += size * q.size());
        return pool;
    }

    /** Gives a closed graph's blocks back to the free lists. */
    void releaseCaptured(Map<Long, ArrayDeque<RawDevPtr>> pool) {
        pool.forEach((size, q) -> { for (RawDevPtr p : q) release(p, size); });
        pool.clear();
    }

    RawDevPtr alloc(long bytes) {
        long size = Math.max(bytes, 4);
        ArrayDeque<RawDevPtr> c = captured == null ? null : captured.get(size);
        RawDevPtr p = c == null ? null : c.poll();
        if (p == null) {
            ArrayDeque<RawDevPtr> q = free.get(size);
            p = q == null ? null : q.poll();
        }
        if (p == null) {
            p = new RawDevPtr();
            try {
                driver.alloc(p, size);
            } catch (CudaException e) {             // out of memory: give the cached blocks back and try once more
                if (captured != null) throw e;      // not while recording: cuMemFree there may end the capture
                trim();
                driver.alloc(p, size);
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
        (captured != null ? captured : free).computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
        inUseBytes -= size;
    }

    /** Frees every cached (unused) block. */
    void trim() {
        for (Map.Entry<Long, ArrayDeque<RawDevPtr>> e : free.entrySet()) {
            for (RawDevPtr p : e.getValue()) {
                driver.free(p);
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
        captured = null;
        for (RawDevPtr p : all) driver.free(p);
        all.clear();
        free.clear();
        reservedBytes = inUseBytes = 0;
    }
}
