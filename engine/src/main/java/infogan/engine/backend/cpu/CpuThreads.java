package infogan.engine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * CpuThreads: the one fixed pool of worker threads that every CPU hot path (GEMM, convolution) shares.
 *
 * <p>The model is "split the work into {@code parts} pieces, run piece 0 on the calling thread and pieces
 * 1..parts-1 on the workers, wait for all": {@link #parallel(Task)} calls {@code task.run(part, parts)} once for
 * every {@code part} in {@code [0, parts)} with {@code parts == threads()}. How a kernel maps {@code part} to a
 * slice of its output is its own business; the kernels in this package slice the <em>output</em> only, so the
 * arithmetic done for each output element does not depend on the slicing and results are bit-identical for any
 * thread count.
 *
 * <p>Steady state allocates nothing: the caller hands over a reusable {@link Task} object (not a fresh capturing
 * lambda), workers are woken by a volatile generation counter plus {@link LockSupport#unpark}, and completion
 * is an {@link AtomicInteger} count-down. Calls from different application threads are serialised (one parallel
 * region at a time); a call made from inside a parallel region (nested) simply runs all parts on the current
 * thread, which gives the same result.
 *
 * <p>The thread count defaults to {@link Runtime#availableProcessors()}, can be set by the application with
 * {@link #setThreads(int)}, or by the system property {@code infogan.threads}.
 */
public final class CpuThreads {

    /** A piece of parallel work: {@code run(part, parts)} is called once for each part in {@code [0, parts)}. */
    @FunctionalInterface
    public interface Task {
        void run(int part, int parts);
    }

    /** Spin this many times before parking while waiting (short regions finish without a park/unpark trip). */
    private static final int SPINS = 1 << 14;

    private static final Object LOCK = new Object();
    private static Worker[] workers = new Worker[0];
    private static int threads;
    private static boolean inRegion;                       // guarded by LOCK
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static volatile Thread waiter;
    private static volatile Throwable failure;

    static {
        setThreads(Integer.getInteger("infogan.threads", Runtime.getRuntime().availableProcessors()));
    }

    private CpuThreads() {}

    /** The number of parts {@link #parallel} splits work into (including the calling thread). */
    public static int threads() {
        return threads;
    }

    /** Sets the thread count (≥ 1); stops the old workers and starts {@code n - 1} new ones. */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        synchronized (LOCK) {
            if (n == threads) return;
            for (Worker w : workers) w.shutdown();
            Worker[] ws = new Worker[n - 1];
            for (int i = 0; i < ws.length; i++) {
                ws[i] = new Worker(i + 1);
                ws[i].start();
            }
            workers = ws;
            threads = n;
        }
    }

    /** Runs {@code task.run(part, parts)} for every part, parts = {@link #threads()}; returns when all are done. */
    public static void parallel(Task task) {
        if (Thread.currentThread() instanceof Worker) {            // nested inside a region: run here, same slicing
            int parts = threads;
            for (int p = 0; p < parts; p++) task.run(p, parts);
            return;
        }
        synchronized (LOCK) {
            int parts = threads;
            if (parts == 1 || inRegion || Thread.currentThread() instanceof Worker) {
                for (int p = 0; p < parts; p++) task.run(p, parts);   // nested or single-threaded: same slicing
                return;
            }
            inRegion = true;
            try {
                failure = null;
                waiter = Thread.currentThread();
                PENDING.set(parts - 1);
                for (Worker w : workers) w.assign(task, parts);
                Throwable mine = null;
                try {
                    task.run(0, parts);
                } catch (Throwable t) {
                    mine = t;
                }
                int spins = 0;
                while (PENDING.get() != 0) {
                    if (spins < SPINS) { spins++; Thread.onSpinWait(); } else LockSupport.park(LOCK);
                }
                Throwable f = mine != null ? mine : failure;
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                if (f != null) throw new RuntimeException(f);
            } finally {
                inRegion = false;
            }
        }
    }

    /** A daemon worker that runs part {@code index} of each task it is handed. */
    private static final class Worker extends Thread {
        private final int index;
        private volatile long generation;
        private volatile boolean stop;
        private Task task;          // written before generation++ (volatile), read after seeing it
        private int parts;

        Worker(int index) {
            super("infogan-cpu-" + index);
            this.index = index;
            setDaemon(true);
        }

        void assign(Task t, int p) {
            task = t;
            parts = p;
            generation++;           // single writer (the region owner), so ++ on a volatile is safe
            LockSupport.unpark(this);
        }

        void shutdown() {
            stop = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                int spins = 0;
                while (generation == seen && !stop) {
                    if (spins < SPINS) { spins++; Thread.onSpinWait(); } else LockSupport.park(this);
                }
                if (stop) return;
                seen = generation;
                try {
                    task.run(index, parts);
                } catch (Throwable t) {
                    failure = t;
                }
                task = null;
                if (PENDING.decrementAndGet() == 0) LockSupport.unpark(waiter);
            }
        }
    }
}
