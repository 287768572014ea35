package infogan.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of {@code threads} threads (the caller plus threads−1 daemon workers) that runs one parallel loop at
 * a time. Parts are assigned statically, part p to worker p mod threads, so which thread computes what depends only
 * on the sizes: kernels that give each part disjoint outputs are bit-for-bit deterministic.
 * The team allocates nothing per dispatch (a capturing lambda passed as the body is the caller's one small allocation): the body is handed over through volatile fields, workers spin briefly and then park.
 * Not reentrant (a body must not call {@link #run}) and meant for one calling thread at a time.
 */
final class ThreadTeam implements AutoCloseable {

    /** One part of a parallel loop; {@code worker} (0 ≤ worker &lt; threads) indexes per-thread scratch. */
    interface Body { void run(int part, int worker); }

    private static final int SPINS = 20_000;

    final int threads;
    private final Thread[] workers;
    private volatile Body body;
    private volatile int parts;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;
    private final AtomicInteger pending = new AtomicInteger();

    ThreadTeam(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1: " + threads);
        this.threads = threads;
        this.workers = new Thread[threads];
        for (int w = 1; w < threads; w++) {
            final int id = w;
            Thread t = new Thread(() -> loop(id), "cpu-f32-worker-" + w);
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** Runs body(p, worker) for p &lt; parts and returns when all parts are done; rethrows a worker's failure. */
    void run(int parts, Body body) {
        if (threads == 1 || parts <= 1) {
            for (int p = 0; p < parts; p++) body.run(p, 0);
            return;
        }
        this.body = body;
        this.parts = parts;
        this.failure = null;
        this.caller = Thread.currentThread();
        pending.set(threads - 1);
        generation = generation + 1;              // the volatile write that publishes body and parts
        for (int w = 1; w < threads; w++) LockSupport.unpark(workers[w]);
        work(body, parts, 0);
        for (int spin = 0; pending.get() != 0; spin++) {
            if (spin < SPINS) Thread.onSpinWait(); else LockSupport.park(this);
        }
        this.body = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            throw new RuntimeException(f);
        }
    }

    private void work(Body b, int n, int w) {
        for (int p = w; p < n; p += threads) b.run(p, w);
    }

    private void loop(int w) {
        int seen = 0;
        for (int spin = 0; !closed; ) {
            int g = generation;
            if (g == seen) {
                if (spin++ < SPINS) Thread.onSpinWait(); else LockSupport.park(this);
                continue;
            }
            seen = g;
            spin = 0;
            try {
                work(body, parts, w);
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (int w = 1; w < threads; w++) LockSupport.unpark(workers[w]);
    }
}
