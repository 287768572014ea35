package infogan.engine.backend.cuda;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The bookkeeping of a ring of pinned host memory for asynchronous host-to-device copies (pure Java: tested without
 * a GPU). {@code write} copies the caller's floats into the ring, enqueues the copy and returns; the region is not
 * written again until the event recorded behind its copy has completed. So uploading a step's inputs does not wait for
 * the previous step to finish: the host prepares step i+1 while the device runs step i.
 * <p>Regions are taken in order around the ring (a request that does not fit before the end starts again at 0).
 * Before a region is reused, {@link #reserve} waits on the <b>newest</b> pending copy that overlaps it: events on one
 * stream complete in order, so every older copy is then done too, and all of them are handed back for reuse.
 *
 * @param <E> the completion marker of one copy (a CUevent on the GPU, anything in tests)
 */
final class UploadRing<E> {
    private record Pending<E>(long start, long end, E done) { }

    /** More pending copies than this and the ring waits for all of them (bounds the number of live events). */
    static final int MAX_PENDING = 256;

    final long capacity;
    private long head;
    private final ArrayDeque<Pending<E>> pending = new ArrayDeque<>();

    UploadRing(long capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
    }

    /**
     * The offset of {@code bytes} free bytes; first waits ({@code await}) for copies still reading them and hands
     * every copy known to be complete to {@code completed}. Follow with {@link #submitted} once the copy is enqueued.
     */
    long reserve(long bytes, Consumer<E> await, Consumer<E> completed) {
        if (bytes <= 0 || bytes > capacity) throw new IllegalArgumentException(bytes + " bytes in a ring of " + capacity);
        if (head + bytes > capacity) head = 0;
        long start = head, end = head + bytes;
        Pending<E> newest = null;
        for (Pending<E> p : pending) if (p.start < end && start < p.end) newest = p;
        if (newest == null && pending.size() >= MAX_PENDING) newest = pending.peekLast();
        if (newest != null) {
            await.accept(newest.done);
            Pending<E> p;
            do {
                p = pending.pollFirst();
                completed.accept(p.done);
            } while (p != newest);
        }
        head = end;
        return start;
    }

    /** Records the copy just enqueued from [start, start + bytes) and its completion marker. */
    void submitted(long start, long bytes, E done) { pending.addLast(new Pending<>(start, start + bytes, done)); }

    int pendingCount() { return pending.size(); }

    /** Waits for every pending copy (newest only, see the class comment) and hands all markers back. */
    void drain(Consumer<E> await, Consumer<E> completed) {
        if (pending.isEmpty()) return;
        await.accept(pending.peekLast().done);
        while (!pending.isEmpty()) completed.accept(pending.pollFirst().done);
    }
}
