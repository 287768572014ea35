package infogan.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.Consumer;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.JCudaDriver;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CUDA implementation of {@link Backend}: float32 on device 0, all work on one stream of the device's primary
 * context (shared with the cudart inside cuBLAS/cuDNN). Kernels are ours (kernels/cuda/*.cu, launched through
 * {@link CudaKernels}); GEMM goes to cuBLAS and convolutions to cuDNN when those libraries are present and enabled:
 * <ul>
 *   <li>{@code -Dinfogan.cuda.cublas=auto|on|off} (default auto; on = fail if missing; path: {@code -Dinfogan.cublas=PATH});</li>
 *   <li>{@code -Dinfogan.cuda.cudnn=auto|on|off} (default auto; path: {@code -Dinfogan.cudnn=PATH});</li>
 *   <li>{@code -Dinfogan.cuda.graph=on|off} (default on): {@link #capture} records CUDA graphs (off: it returns null
 *       and callers run their work eagerly);</li>
 *   <li>{@code -Dinfogan.cuda.sync=true} / {@code INFOGAN_CUDA_SYNC=1}: synchronise after each launch (debugging;
 *       no graphs then);</li>
 *   <li>{@code -Dinfogan.cuda.splitk=auto|off} (default auto): our GEMM slices a long k over more blocks when its
 *       tile grid would leave SMs idle ({@link CudaKernels#splitK}); off = always one pass.</li>
 * </ul>
 * Without cuDNN a convolution is im2col + one GEMM over the whole batch + a layout transpose (see im2col.cu).
 * Memory: storages and workspaces come from a caching {@link DeviceAllocator}; {@link #close()} frees everything.
 * Host-to-device copies of up to 2 MiB (a step's inputs) go through a ring of pinned memory and do not wait
 * ({@link UploadRing}); larger ones and every device-to-host copy go through one pinned staging buffer and
 * synchronise the stream.
 * <p>Not thread-safe: one backend is driven by one thread at a time (the context is made current on each change of
 * calling thread).
 */
public final class CudaBackend implements Backend {
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final RawDevPtr.Stream stream = new RawDevPtr.Stream();
    private final DeviceAllocator allocator = new DeviceAllocator();
    private final CudaKernels k;
    private final Cublas cublas;
    private final Cudnn cudnn;
    private final String description;
    /** The device's multiprocessor count, which sizes split-K GEMMs. */
    private final int sms;
    /** Whether our GEMM may split k ({@code -Dinfogan.cuda.splitk}); the kernel bench turns it off to compare. */
    boolean splitK;
    private Thread boundThread;
    /** The pinned ring for small asynchronous uploads: its memory, a view of it, its bookkeeping, spare events. */
    static final long RING_BYTES = 8L << 20;
    private Pointer ringMem;
    private ByteBuffer ringBuf;
    private UploadRing<CUevent> ring;
    private final ArrayDeque<CUevent> spareEvents = new ArrayDeque<>();
    private Pointer staging = new Pointer();
    private ByteBuffer stagingBuf;
    private long stagingBytes;
    private boolean closed;
    /** Whether {@link #capture} records graphs; cleared after a failed recording, so it is tried once. */
    private boolean graphs;
    /** True while a graph is being recorded: host copies and synchronisation are refused then. */
    private boolean capturing;
    private final List<Graph> liveGraphs = new ArrayList<>();
    /** Work counters for {@link #activity}: cuBLAS/cuDNN calls issued directly, graph launches. */
    private long libraryCalls, graphLaunches;

    /** Creates the backend on device 0, or throws an IllegalStateException whose one-line message says why not. */
    public static CudaBackend create() {
        // Every switch is checked before anything starts, so a typo is a one-line error naming it, never a default.
        boolean graphs = option("infogan.cuda.graph", "on", "on", "off").equals("on");
        String cublas = option("infogan.cuda.cublas", "auto", "auto", "on", "off");
        String cudnn = option("infogan.cuda.cudnn", "auto", "auto", "on", "off");
        boolean sync = syncEachLaunch();
        boolean splitK = option("infogan.cuda.splitk", "auto", "auto", "off").equals("auto");
        GpuProbe.Result r = GpuProbe.probe();
        if (!r.available()) throw new IllegalStateException("CUDA backend unavailable: " + r.reason());
        try {
            return new CudaBackend(graphs, cublas, cudnn, sync, splitK);
        } catch (CudaException | LinkageError e) {
            throw new IllegalStateException("CUDA backend failed to start: " + e.getMessage(), e);
        }
    }

    /** The value of {@code -Dname} (def when unset), which must be one of allowed: else a one-line error naming it. */
    static String option(String name, String def, String... allowed) {
        String v = System.getProperty(name, def);
        for (String a : allowed) if (a.equals(v)) return v;
        throw new IllegalStateException("-D" + name + " must be " + String.join(", ", allowed).replaceFirst(", (\\w+)$", " or $1")
                + ", not '" + v + "'");
    }

    /**
     * {@code -Dinfogan.cuda.sync=true|false} or {@code INFOGAN_CUDA_SYNC=1|true|0|false} (either case, as before this
     * was checked): synchronise after each launch.
     */
    static boolean syncEachLaunch() {
        String p = System.getProperty("infogan.cuda.sync", "false");
        if (!p.equalsIgnoreCase("true") && !p.equalsIgnoreCase("false"))
            throw new IllegalStateException("-Dinfogan.cuda.sync must be true or false, not '" + p + "'");
        boolean prop = p.equalsIgnoreCase("true");
        String env = System.getenv("INFOGAN_CUDA_SYNC");
        if (env == null || env.isEmpty() || env.equals("0") || env.equalsIgnoreCase("false")) return prop;
        if (env.equals("1") || env.equalsIgnoreCase("true")) return true;
        throw new IllegalStateException("INFOGAN_CUDA_SYNC must be 1, true, 0 or false, not '" + env + "'");
    }

    /** cublasMode, cudnnMode: auto, on or off (checked by {@link #create}). */
    private CudaBackend(boolean graphsOn, String cublasMode, String cudnnMode, boolean sync, boolean splitK) {
        setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, 0);
        int[] smCount = new int[1];
        cuDeviceGetAttribute(smCount, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        sms = smCount[0];
        this.splitK = splitK;
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        boundThread = Thread.currentThread();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        k = new CudaKernels(stream, sync);
        cublas = openOptional("cuBLAS", cublasMode,
                () -> Cublas.open(System.getProperty("infogan.cublas"), stream.address(), allocator));
        cudnn = openOptional("cuDNN", cudnnMode,
                () -> Cudnn.open(System.getProperty("infogan.cudnn"), stream.address(), allocator));
        graphs = graphsOn && !sync;
        description = "cuda-f32 on " + GpuProbe.probe().reason() + "; gemm: "
                + (cublas != null ? cublas.describe() : "gemm.cu" + (splitK ? " (split-K for " + sms + " SMs)" : "")) + "; conv: "
                + (cudnn != null ? cudnn.describe() : "im2col.cu + gemm") + (k.syncEachLaunch() ? "; sync after each launch" : "") + (graphs ? "; CUDA graphs" : "; no graphs");
    }

    private static <T> T openOptional(String what, String mode, java.util.function.Supplier<T> open) {
        if (mode.equals("off")) return null;
        if (mode.equals("on")) return open.get();
        try {                                                   // auto
            return open.get();
        } catch (IllegalStateException e) {
            System.err.println("[cuda] " + what + " not used: " + e.getMessage());
            return null;
        }
    }

    @Override
    public String name() { return "cuda-f32"; }

    /** One line for logs: device, driver, which GEMM and convolution paths are active. */
    public String describe() { return description; }

    public boolean usesCublas() { return cublas != null; }

    /** Launches per kernel so far (tests and the bench). */
    java.util.Map<infogan.kernels.Kernel, Long> kernelLaunches() { return k.launchCounts(); }

    /** How our GEMM would split an m x n x k product on this device: {slices, kchunk} ({1, k}: one pass). */
    int[] gemmSplit(int m, int n, int kk) { return splitK && cublas == null ? CudaKernels.splitK(m, n, kk, sms) : new int[] {1, kk}; }
    public boolean usesCudnn() { return cudnn != null; }

    /** cuDNN's workspace block size now, 0 without cuDNN (for tests). */
    long cudnnWorkspaceBytes() { return cudnn == null ? 0 : cudnn.workspaceBytes(); }

    private void bind() {
        if (closed) throw new IllegalStateException("CudaBackend is closed");
        Thread t = Thread.currentThread();
        if (t != boundThread) {
            cuCtxSetCurrent(context);
            boundThread = t;
        }
    }

    private CUdeviceptr ptr(Storage s) {
        if (s == null) return null;
        if (!(s instanceof CudaStorage c) || c.owner != this)
            throw new IllegalArgumentException("not a storage of this CUDA backend: " + s);
        if (c.released) throw new IllegalStateException("use after release: " + s);
        return c.ptr;
    }

    private CUdeviceptr ptr(Storage s, long need) {
        if (s != null && s.length() < need)
            throw new IllegalArgumentException("storage of " + s.length() + " elements, kernel needs " + need);
        return ptr(s);
    }

    // ---------------------------------------------------------------- memory
    @Override
    public Storage alloc(int n) {
        bind();
        if (n < 0) throw new IllegalArgumentException("negative size " + n);
        return new CudaStorage(this, allocator.alloc(4L * n), n);
    }

    @Override
    public void release(Storage s) {
        CudaStorage c = (CudaStorage) s;
        ptr(c);
        c.released = true;
        allocator.release(c.ptr, c.bytes());
    }

    private FloatBuffer staging(long bytes) {
        if (bytes > stagingBytes) {
            if (stagingBuf != null) cuMemFreeHost(staging);
            staging = new Pointer();
            long size = Math.max(bytes, 1 << 20);
            cuMemHostAlloc(staging, size, 0);
            stagingBuf = staging.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
            stagingBytes = size;
        }
        return stagingBuf.clear().asFloatBuffer();
    }

    /** A host operation inside recorded work: a bug in the caller, rethrown by {@link #capture}. */
    static final class HostOperationWhileRecording extends IllegalStateException {
        HostOperationWhileRecording(String m) { super(m); }
    }

    private void notRecording(String what) {
        if (capturing) throw new HostOperationWhileRecording(what + " while recording a CUDA graph: a replay would "
                + "repeat the recorded values, not the current ones; move it out of the recorded work");
    }

    private void upload(Storage dst, int n, Consumer<FloatBuffer> fill) {
        bind();
        notRecording("a host-to-device copy");
        CUdeviceptr d = ptr(dst, n);
        if (n == 0) return;
        long bytes = 4L * n;
        if (bytes > RING_BYTES / 4) {              // large (weights from a checkpoint): through staging, synchronously
            fill.accept(staging(bytes));
            cuMemcpyHtoDAsync(d, staging, bytes, stream);
            cuStreamSynchronize(stream);            // the staging buffer is reused by the next copy
            return;
        }
        if (ring == null) {
            ringMem = new Pointer();
            cuMemHostAlloc(ringMem, RING_BYTES, 0);
            ringBuf = ringMem.getByteBuffer(0, RING_BYTES).order(ByteOrder.nativeOrder());
            ring = new UploadRing<>(RING_BYTES);
        }
        long at = ring.reserve(bytes, JCudaDriver::cuEventSynchronize, spareEvents::push);
        fill.accept(ringBuf.slice((int) at, (int) bytes).order(ByteOrder.nativeOrder()).asFloatBuffer());
        cuMemcpyHtoDAsync(d, ringMem.withByteOffset(at), bytes, stream);
        CUevent done = spareEvents.poll();
        if (done == null) {
            done = new CUevent();
            cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
        cuEventRecord(done, stream);
        ring.submitted(at, bytes, done);
    }

    private FloatBuffer download(Storage src, int n) {
        bind();
        notRecording("a device-to-host copy");
        CUdeviceptr s = ptr(src, n);
        FloatBuffer fb = staging(Math.max(4L * n, 4));
        if (n > 0) cuMemcpyDtoHAsync(staging, s, 4L * n, stream);
        cuStreamSynchronize(stream);
        return fb;
    }

    @Override
    public void write(Storage dst, float[] src) { upload(dst, src.length, fb -> fb.put(src)); }

    @Override
    public void write(Storage dst, double[] src) {
        upload(dst, src.length, fb -> { for (double v : src) fb.put((float) v); });
    }

    @Override
    public void read(Storage src, float[] dst) { download(src, dst.length).get(dst); }

    @Override
    public void read(Storage src, double[] dst) {
        FloatBuffer fb = download(src, dst.length);
        for (int i = 0; i < dst.length; i++) dst[i] = fb.get(i);
    }

    @Override
    public void synchronize() {
        bind();
        notRecording("synchronize()");
        cuStreamSynchronize(stream);
    }

    /** Milliseconds of device time for {@code reps} runs of {@code work} on this backend's stream (CUDA events). */
    public float timeMs(Runnable work, int reps) {
        bind();
        notRecording("timing");
        CUevent start = new CUevent(), stop = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            cuEventRecord(start, stream);
            for (int i = 0; i < reps; i++) work.run();
            cuEventRecord(stop, stream);
            cuEventSynchronize(stop);
            float[] ms = new float[1];
            cuEventElapsedTime(ms, start, stop);
            return ms[0];
        } finally {
            cuEventDestroy(start);
            cuEventDestroy(stop);
        }
    }

    // ---------------------------------------------------------------- CUDA graphs
    /**
     * Records {@code work} as a CUDA graph by stream capture: every launch and cuBLAS/cuDNN call it enqueues on our
     * stream becomes a node, in order, and nothing runs until {@link Replay#replay}. Relaxed capture mode, so the
     * allocator may still call cuMemAlloc for a size it has not seen. Returns null (the caller runs {@code work}
     * eagerly) when graphs are off, or after a recording failed (a CUDA, cuBLAS or cuDNN error), which is reported
     * in one line and not tried again. A host copy or synchronisation inside {@code work} is the caller's bug: the
     * recording ends and that exception is rethrown.
     */
    @Override
    public Replay capture(Runnable work) {
        bind();
        if (!graphs || capturing) return null;
        cuStreamSynchronize(stream);
        CUgraph graph = new CUgraph();
        CUgraphExec exec = new CUgraphExec();
        long launches0 = k.totalLaunches(), library0 = libraryCalls;
        boolean begun = false, ended = false;
        Throwable bug = null;                  // the caller's: rethrown
        RuntimeException failure = null;      // CUDA's, cuBLAS's or cuDNN's: reported, then eager steps
        allocator.beginCapture();
        capturing = true;
        try {
            cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
            begun = true;
            work.run();
        } catch (HostOperationWhileRecording | Error e) {
            bug = e;
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            capturing = false;
            if (begun) {
                try {
                    cuStreamEndCapture(stream, graph);   // leaves capture mode even when the capture was invalidated
                    ended = true;
                } catch (RuntimeException e) {
                    if (failure == null && bug == null) failure = e;
                }
            }
        }
        Map<Long, ArrayDeque<RawDevPtr>> owned = allocator.endCapture();
        int nodes = (int) ((k.totalLaunches() - launches0) + (libraryCalls - library0));
        if (failure == null && bug == null) {
            try {
                cuGraphInstantiate(exec, graph, 0);
                Graph gr = new Graph(graph, exec, owned, nodeCount(graph, nodes));
                liveGraphs.add(gr);
                return gr;
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        try {
            if (ended) cuGraphDestroy(graph);
        } catch (RuntimeException e) {
            if (failure == null && bug == null) failure = e;
        } finally {
            allocator.releaseCaptured(owned);
        }
        if (bug instanceof RuntimeException r) throw r;
        if (bug instanceof Error e) throw e;
        graphs = false;
        System.err.println("[cuda] recording a CUDA graph (" + nodes + " operations) failed, running eagerly: "
                + failure.getMessage());
        return null;
    }

    /** The graph's node count from the driver; {@code recorded} (our launches and library calls) if it cannot say. */
    private static int nodeCount(CUgraph graph, int recorded) {
        try {
            long[] count = new long[1];
            cuGraphGetNodes(graph, null, count);       // nodes == NULL: only the count
            return (int) count[0];
        } catch (RuntimeException e) {                 // a binding that refuses the null array
            return recorded;
        }
    }

    /** A recorded graph: instantiated once, launched with one call per replay. */
    private final class Graph implements Replay {
        private final CUgraph graph;
        private final CUgraphExec exec;
        private final Map<Long, ArrayDeque<RawDevPtr>> owned;
        private final int nodes;
        private boolean released;

        Graph(CUgraph graph, CUgraphExec exec, Map<Long, ArrayDeque<RawDevPtr>> owned, int nodes) {
            this.graph = graph; this.exec = exec; this.owned = owned; this.nodes = nodes;
        }

        @Override
        public void replay() {
            bind();
            if (released) throw new IllegalStateException("replay of a closed CUDA graph");
            notRecording("a graph launch");
            cuGraphLaunch(exec, stream);
            graphLaunches++;
        }

        @Override
        public int operations() { return nodes; }

        @Override
        public void close() {
            if (released || closed) return;
            bind();
            cuStreamSynchronize(stream);          // a launched replay may still use the blocks
            released = true;
            cuGraphExecDestroy(exec);
            cuGraphDestroy(graph);
            allocator.releaseCaptured(owned);
            liveGraphs.remove(this);
        }
    }

    /**
     * One line on the work issued so far: kernel launches and cuBLAS/cuDNN calls enqueued one by one (those that were
     * recorded into a graph count once, at recording), and graph launches with the nodes each replays.
     */
    @Override
    public String activity() {
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                "cuda work: %,d kernel launches and %,d cuBLAS/cuDNN calls one by one (recorded ones counted once), %,d graph launches",
                k.totalLaunches(), libraryCalls, graphLaunches));
        for (Graph g : liveGraphs) b.append(String.format(java.util.Locale.ROOT, "; a graph of %,d nodes", g.nodes));
        return b.toString();
    }

    /** Kernel launches / cuBLAS and cuDNN calls enqueued one by one (recorded ones included) / graph launches so far. */
    public long[] workCounts() { return new long[] {k.totalLaunches(), libraryCalls, graphLaunches}; }

    /** Device bytes reserved from the driver / handed out now / number of cuMemAlloc calls. */
    public long[] memoryStats() {
        return new long[] {allocator.reservedBytes(), allocator.inUseBytes(), allocator.driverAllocs()};
    }

    @Override
    public void close() {
        if (closed) return;
        bind();
        try {
            cuStreamSynchronize(stream);
        } finally {
            for (Graph g : List.copyOf(liveGraphs)) {
                cuGraphExecDestroy(g.exec);
                cuGraphDestroy(g.graph);
                g.released = true;
            }
            liveGraphs.clear();
            closed = true;
            if (cudnn != null) cudnn.close();
            if (cublas != null) cublas.close();
            k.close();
            allocator.close();
            if (stagingBuf != null) cuMemFreeHost(staging);
            if (ring != null) {
                ring.drain(JCudaDriver::cuEventSynchronize, spareEvents::push);
                cuMemFreeHost(ringMem);
            }
            for (CUevent e : spareEvents) cuEventDestroy(e);
            spareEvents.clear();
            cuStreamDestroy(stream);
            cuDevicePrimaryCtxRelease(device);
        }
    }

    // ---------------------------------------------------------------- elementwise
    @Override
    public void fill(Storage y, int n, double v) { bind(); k.fill(ptr(y, n), n, (float) v); }

    @Override
    public void copy(Storage y, Storage x, int n) { bind(); k.copy(ptr(y, n), ptr(x, n), n); }

    @Override
    public void copyBlock(Storage dst, int dstOff, int dstStride, Storage src, int srcOff, int srcStride, int rows,
                          int cols, boolean accumulate) {
        bind();
        if (rows == 0 || cols == 0) return;
        k.copyBlock(ptr(dst, dstOff + (long) (rows - 1) * dstStride + cols), dstOff, dstStride,
                ptr(src, srcOff + (long) (rows - 1) * srcStride + cols), srcOff, srcStride, rows, cols, accumulate ? 1 : 0);
    }

    @Override
    public void add(Storage y, Storage a, Storage b, int n) { bind(); k.add(ptr(y, n), ptr(a, n), ptr(b, n), n); }

    @Override
    public void axpy(Storage y, Storage x, int n, double alpha) { bind(); k.axpy(ptr(y, n), ptr(x, n), n, (float) alpha); }

    @Override
    public void scale(Storage y, Storage x, int n, double alpha) { bind(); k.scale(ptr(y, n), ptr(x, n), n, (float) alpha); }

    @Override
    public void mul(Storage y, Storage a, Storage b, int n) { bind(); k.mul(ptr(y, n), ptr(a, n), ptr(b, n), n); }

    @Override
    public void mulAcc(Storage y, Storage a, Storage b, int n) { bind(); k.mulAcc(ptr(y, n), ptr(a, n), ptr(b, n), n); }

    @Override
    public void activationForward(Activation f, Storage y, Storage x, int n, double alpha) {
        bind();
        k.activationFwd(ptr(y, n), ptr(x, n), n, f.code, (float) alpha);
    }

    @Override
    public void activationBackward(Activation f, Storage dx, Storage dy, Storage x, Storage y, int n, double alpha) {
        bind();
        boolean readsX = f == Activation.RELU || f == Activation.LEAKY_RELU;
        if ((readsX ? x : y) == null) throw new IllegalArgumentException(f + " backward needs " + (readsX ? "x" : "y"));
        k.activationBwd(ptr(dx, n), ptr(dy, n), ptr(x, n), ptr(y, n), n, f.code, (float) alpha);
    }

    // ---------------------------------------------------------------- broadcasting and reductions
    @Override
    public void biasAdd(Storage y, Storage x, Storage b, int outer, int c, int inner) {
        bind();
        long total = (long) outer * c * inner;
        k.biasAdd(ptr(y, total), ptr(x, total), ptr(b, c), outer, c, inner);
    }

    @Override
    public void biasGrad(Storage db, Storage dy, int outer, int c, int inner) {
        bind();
        if (c == 0) return;
        k.biasGrad(ptr(db, c), ptr(dy, (long) outer * c * inner), outer, c, inner);
    }

    @Override
    public void sum(Storage y, Storage x, int n, double alpha) { bind(); k.sum(ptr(y, 1), ptr(x, n), n, (float) alpha); }

    @Override
    public void broadcastScalarAcc(Storage dx, Storage dy, int n, double alpha) {
        bind();
        k.broadcastScalarAcc(ptr(dx, n), ptr(dy, 1), n, (float) alpha);
    }

    // ---------------------------------------------------------------- matmul
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int kk, double alpha, Storage a, Storage b,
                     double beta, Storage c) {
        bind();
        gemmRaw(transA, transB, m, n, kk, (float) alpha, (RawDevPtr) ptr(a, (long) m * kk), (RawDevPtr) ptr(b, (long) kk * n),
                (float) beta, (RawDevPtr) ptr(c, (long) m * n));
    }

    private void gemmRaw(boolean transA, boolean transB, int m, int n, int kk, float alpha, RawDevPtr a, RawDevPtr b,
                         float beta, RawDevPtr c) {
        if (m == 0 || n == 0) return;
        if (kk == 0) {                            // op(A) op(B) is zero: C = beta C
            if (beta == 0f) k.fill(c, m * n, 0f); else k.scale(c, c, m * n, beta);
            return;
        }
        if (cublas != null) {
            libraryCalls++;
            cublas.sgemmRowMajor(transA, transB, m, n, kk, alpha, a.address(), b.address(), beta, c.address());
            return;
        }
        int[] split = gemmSplit(m, n, kk);
        if (split[0] == 1) {
            k.gemm(c, a, b, m, n, kk, transA ? 1 : 0, transB ? 1 : 0, alpha, beta);
            return;
        }
        long workN = (long) split[0] * m * n;        // the slices' partial products, summed in order by the second kernel
        RawDevPtr work = workspace(workN);
        k.gemmSplitK(c, work, a, b, m, n, kk, transA ? 1 : 0, transB ? 1 : 0, alpha, beta, split);
        free(work, workN);
    }

    // ---------------------------------------------------------------- convolution
    private RawDevPtr workspace(long floats) { return allocator.alloc(4L * floats); }

    private void free(RawDevPtr p, long floats) { allocator.release(p, 4L * floats); }

    @Override
    public void conv2dForward(Storage y, Storage x, Storage w, ConvGeom g) {
        bind();
        RawDevPtr yp = (RawDevPtr) ptr(y, g.outputSize()), xp = (RawDevPtr) ptr(x, g.inputSize()),
                wp = (RawDevPtr) ptr(w, g.weightSize());
        if (cudnn != null) { libraryCalls++; cudnn.forward(yp.address(), xp.address(), wp.address(), g); return; }
        int kdim = g.c() * g.kh() * g.kw(), p = g.oh() * g.ow(), np = Math.multiplyExact(g.n(), p);
        long colN = (long) kdim * np, tmpN = (long) g.oc() * np;
        RawDevPtr col = workspace(colN), tmp = workspace(tmpN);
        k.im2col(col, xp, g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.stride(), g.pad(), g.oh(), g.ow());
        gemmRaw(false, false, g.oc(), np, kdim, 1f, wp, col, 0f, tmp);      // (oc, n*P)
        k.transposeOuter(yp, tmp, g.oc(), g.n(), p);                         // (n, oc, P)
        free(col, colN);
        free(tmp, tmpN);
    }

    @Override
    public void conv2dBackwardData(Storage dx, Storage dy, Storage w, ConvGeom g) {
        bind();
        RawDevPtr dxp = (RawDevPtr) ptr(dx, g.inputSize()), dyp = (RawDevPtr) ptr(dy, g.outputSize()),
                wp = (RawDevPtr) ptr(w, g.weightSize());
        if (cudnn != null) { libraryCalls++; cudnn.backwardData(dxp.address(), dyp.address(), wp.address(), g); return; }
        int kdim = g.c() * g.kh() * g.kw(), p = g.oh() * g.ow(), np = Math.multiplyExact(g.n(), p);
        long dytN = (long) g.oc() * np, colN = (long) kdim * np;
        RawDevPtr dyt = workspace(dytN), dcol = workspace(colN);
        k.transposeOuter(dyt, dyp, g.n(), g.oc(), p);                        // (oc, n*P)
        gemmRaw(true, false, kdim, np, g.oc(), 1f, wp, dyt, 0f, dcol);      // W^T dyT: (K, n*P)
        k.col2im(dxp, dcol, g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.stride(), g.pad(), g.oh(), g.ow());
        free(dyt, dytN);
        free(dcol, colN);
    }

    @Override
    public void conv2dBackwardFilter(Storage dw, Storage dy, Storage x, ConvGeom g) {
        bind();
        RawDevPtr dwp = (RawDevPtr) ptr(dw, g.weightSize()), dyp = (RawDevPtr) ptr(dy, g.outputSize()),
                xp = (RawDevPtr) ptr(x, g.inputSize());
        if (cudnn != null) { libraryCalls++; cudnn.backwardFilter(dwp.address(), dyp.address(), xp.address(), g); return; }
        int kdim = g.c() * g.kh() * g.kw(), p = g.oh() * g.ow(), np = Math.multiplyExact(g.n(), p);
        long dytN = (long) g.oc() * np, colN = (long) kdim * np;
        RawDevPtr dyt = workspace(dytN), col = workspace(colN);
        k.transposeOuter(dyt, dyp, g.n(), g.oc(), p);                        // (oc, n*P)
        k.im2col(col, xp, g.n(), g.c(), g.h(), g.w(), g.kh(), g.kw(), g.stride(), g.pad(), g.oh(), g.ow());
        gemmRaw(false, true, g.oc(), kdim, np, 1f, dyt, col, 1f, dwp);      // dW += dyT col^T: (oc, K)
        free(dyt, dytN);
        free(col, colN);
    }

    // ---------------------------------------------------------------- batch normalisation
    @Override
    public void batchNormForwardTrain(Storage y, Storage mean, Storage invStd, Storage x, Storage gamma, Storage beta,
                                      Storage runMean, Storage runVar, int outer, int c, int inner, double momentum,
                                      double eps) {
        bind();
        long total = (long) outer * c * inner;
        k.batchnormTrain(ptr(y, total), ptr(mean, c), ptr(invStd, c), ptr(x, total), ptr(gamma, c), ptr(beta, c),
                ptr(runMean, c), ptr(runVar, c), outer, c, inner, (float) momentum, (float) eps);
    }

    @Override
    public void batchNormForwardEval(Storage y, Storage x, Storage gamma, Storage beta, Storage runMean,
                                     Storage runVar, int outer, int c, int inner, double eps) {
        bind();
        long total = (long) outer * c * inner;
        k.batchnormEval(ptr(y, total), ptr(x, total), ptr(gamma, c), ptr(beta, c), ptr(runMean, c), ptr(runVar, c),
                outer, c, inner, (float) eps);
    }

    @Override
    public void batchNormBackward(Storage dx, Storage dgamma, Storage dbeta, Storage dy, Storage x, Storage mean,
                                  Storage invStd, Storage gamma, int outer, int c, int inner) {
        bind();
        long total = (long) outer * c * inner;
        k.batchnormBwd(ptr(dx, total), ptr(dgamma, c), ptr(dbeta, c), ptr(dy, total), ptr(x, total), ptr(mean, c),
                ptr(invStd, c), ptr(gamma, c), outer, c, inner);
    }

    // ---------------------------------------------------------------- fused losses
    @Override
    public void bceWithLogitsForward(Storage loss, Storage logits, Storage targets, int n) {
        bind();
        k.bceLogitsFwd(ptr(loss, 1), ptr(logits, n), ptr(targets, n), n);
    }

    @Override
    public void bceWithLogitsBackward(Storage dlogits, Storage dloss, Storage logits, Storage targets, int n) {
        bind();
        k.bceLogitsBwd(ptr(dlogits, n), ptr(dloss, 1), ptr(logits, n), ptr(targets, n), n);
    }

    @Override
    public void softmaxCrossEntropyForward(Storage loss, Storage probs, Storage logits, Storage labels, int b,
                                           int classes) {
        bind();
        long total = (long) b * classes;
        k.softmaxXentFwd(ptr(loss, 1), ptr(probs, total), ptr(logits, total), ptr(labels, b), b, classes);
    }

    @Override
    public void softmaxCrossEntropyBackward(Storage dlogits, Storage dloss, Storage probs, Storage labels, int b,
                                            int classes) {
        bind();
        long total = (long) b * classes;
        k.softmaxXentBwd(ptr(dlogits, total), ptr(dloss, 1), ptr(probs, total), ptr(labels, b), b, classes);
    }

    @Override
    public void gaussianNllForward(Storage loss, Storage x, Storage mu, Storage logSigma, int b, int d) {
        bind();
        long total = (long) b * d;
        k.gaussNllFwd(ptr(loss, 1), ptr(x, total), ptr(mu, total), ptr(logSigma, total), b, d);
    }

    @Override
    public void gaussianNllBackward(Storage dmu, Storage dlogSigma, Storage dloss, Storage x, Storage mu,
                                    Storage logSigma, int b, int d) {
        bind();
        if (dmu == null && dlogSigma == null) return;
        long total = (long) b * d;
        k.gaussNllBwd(ptr(dmu, total), ptr(dlogSigma, total), ptr(dloss, 1), ptr(x, total), ptr(mu, total),
                ptr(logSigma, total), b, d);
    }

    // ---------------------------------------------------------------- optimiser
    @Override
    public void adamStep(Storage p, Storage g, Storage m, Storage v, int n, double lr, double beta1, double beta2,
                         double eps, Storage step) {
        bind();
        k.adam(ptr(p, n), ptr(m, n), ptr(v, n), ptr(g, n), n, lr, beta1, beta2, (float) eps, ptr(step, 1));
    }

    @Override
    public String toString() { return describe(); }
}
