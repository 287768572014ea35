package infogan.engine.backend.cpu;

/**
 * The CPU backend's parallel loops over {@code parts} pieces, run on the one shared pool {@link CpuThreads} (GEMM and
 * convolution use the same threads, so the two never compete). Parts are assigned statically, part p to thread
 * p mod threads, so which thread computes what depends only on the sizes: kernels that give each part disjoint
 * outputs are bit-for-bit deterministic.
 */
final class ThreadTeam implements AutoCloseable {

    /** One part of a parallel loop; {@code worker} (0 ≤ worker &lt; threads) is the thread running it. */
    interface Body { void run(int part, int worker); }

    final int threads;

    ThreadTeam(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1: " + threads);
        this.threads = threads;
        CpuThreads.setThreads(threads);
    }

    /** Runs body(p, worker) for p &lt; parts and returns when all parts are done; rethrows a worker's failure. */
    void run(int parts, Body body) {
        if (threads == 1 || parts <= 1) {
            for (int p = 0; p < parts; p++) body.run(p, 0);
            return;
        }
        CpuThreads.parallel((w, n) -> {
            for (int p = w; p < parts; p += n) body.run(p, w);
        });
    }

    @Override
    public void close() { }
}
