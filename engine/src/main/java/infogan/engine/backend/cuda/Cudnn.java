package infogan.engine.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import infogan.engine.backend.ConvGeom;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * cuDNN 9 legacy convolution API through java.lang.foreign (no jcudnn runs on cuDNN 9, gpu-stack.md §2).
 * Per {@link ConvGeom} it creates once and caches: the x, y tensor descriptors, the filter descriptor, the
 * convolution descriptor (cross-correlation, float, FMA math: no TF32, to stay within float32 tolerances), the three
 * algorithms chosen by the {@code _v7} heuristics (the first deterministic one that succeeded and needs at most
 * {@link #MAX_WORKSPACE} bytes; see {@link #pick}) and their workspace sizes. One workspace buffer, grown on demand
 * from the backend's allocator, serves all.
 * <p>Semantics match Backend: forward overwrites (beta = 0), backward data and backward filter accumulate (beta = 1).
 * <p>Library: {@code -Dinfogan.cudnn=PATH}, else {@code libcudnn.so.9}.
 */
public final class Cudnn implements AutoCloseable {
    static final FunctionDescriptor STATUS_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);        // create/destroy family
    static final FunctionDescriptor SET_STREAM = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    static final FunctionDescriptor GET_VERSION = FunctionDescriptor.of(JAVA_LONG);
    static final FunctionDescriptor ERROR_STRING = FunctionDescriptor.of(ADDRESS, JAVA_INT);
    /** cudnnSetTensor4dDescriptor(desc, format, dataType, n, c, h, w); SetFilter4d is (desc, dataType, format, k, c, h, w). */
    static final FunctionDescriptor SET_4D = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT);
    /** cudnnSetConvolution2dDescriptor(desc, padH, padW, u, v, dilH, dilW, mode, computeType). */
    static final FunctionDescriptor SET_CONV = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    static final FunctionDescriptor SET_MATH = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    /** Get*Algorithm_v7(handle, d1, d2, conv, d3, int requested, int* returned, perf*). */
    static final FunctionDescriptor GET_ALGO = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    /** Get*WorkspaceSize(handle, d1, d2, conv, d3, algo, size_t*). */
    static final FunctionDescriptor GET_WS = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, JAVA_INT, ADDRESS);
    /** Convolution{Forward,BackwardData,BackwardFilter}(handle, alpha, d1, p1, d2, p2, conv, algo, ws, wsBytes, beta, d3, p3). */
    static final FunctionDescriptor CONV = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);

    static final List<FunctionDescriptor> DESCRIPTORS = List.of(STATUS_PTR, SET_STREAM, GET_VERSION, ERROR_STRING,
            SET_4D, SET_CONV, SET_MATH, GET_ALGO, GET_WS, CONV);
    static final List<String> SYMBOLS = List.of("cudnnCreate", "cudnnDestroy", "cudnnSetStream", "cudnnGetVersion",
            "cudnnGetErrorString", "cudnnCreateTensorDescriptor", "cudnnSetTensor4dDescriptor",
            "cudnnCreateFilterDescriptor", "cudnnSetFilter4dDescriptor", "cudnnCreateConvolutionDescriptor",
            "cudnnSetConvolution2dDescriptor", "cudnnSetConvolutionMathType",
            "cudnnGetConvolutionForwardAlgorithm_v7", "cudnnGetConvolutionBackwardDataAlgorithm_v7",
            "cudnnGetConvolutionBackwardFilterAlgorithm_v7", "cudnnGetConvolutionForwardWorkspaceSize",
            "cudnnGetConvolutionBackwardDataWorkspaceSize", "cudnnGetConvolutionBackwardFilterWorkspaceSize",
            "cudnnConvolutionForward", "cudnnConvolutionBackwardData", "cudnnConvolutionBackwardFilter",
            "cudnnDestroyTensorDescriptor", "cudnnDestroyFilterDescriptor", "cudnnDestroyConvolutionDescriptor");

    static final int DATA_FLOAT = 0, NCHW = 0, CROSS_CORRELATION = 1, FMA_MATH = 3;
    static final int PERF_BYTES = 48, PERF_COUNT = 8, DETERMINISTIC = 1;   // cudnnDeterminism_t: 0 non-, 1 deterministic
    static final long MAX_WORKSPACE = 512L << 20;

    private final Arena arena;
    private final Map<String, MethodHandle> fn = new HashMap<>();
    private final MemorySegment handle, scalars;
    private final String source;
    private final long version;
    private final DeviceAllocator allocator;
    private RawDevPtr workspace;
    private long workspaceBytes;
    private final Map<ConvGeom, Plan> plans = new HashMap<>();

    /** Descriptors, algorithms and workspace sizes of one convolution shape. */
    private record Plan(MemorySegment x, MemorySegment y, MemorySegment w, MemorySegment conv,
                        int fwdAlgo, long fwdWs, int bwdDataAlgo, long bwdDataWs, int bwdFilterAlgo, long bwdFilterWs) { }

    /** Whether libcudnn and every symbol we bind can be found; calls nothing. Never throws. */
    public static GpuProbe.Result probe(String configuredPath) {
        try (Arena a = Arena.ofConfined()) {
            NativeLib.Lookup l = NativeLib.find(a, "cuDNN", configuredPath, "libcudnn.so.9");
            if (!l.found()) return new GpuProbe.Result(false, l.reason());
            for (String s : SYMBOLS)
                if (l.lookup().find(s).isEmpty()) return new GpuProbe.Result(false, "cuDNN not available: " + l.source() + " lacks " + s);
            return new GpuProbe.Result(true, "cuDNN found: " + l.source());
        } catch (RuntimeException e) {
            return new GpuProbe.Result(false, "cuDNN not available: " + e);
        }
    }

    static Cudnn open(String configuredPath, long stream, DeviceAllocator allocator) {
        Arena arena = Arena.ofShared();
        try {
            NativeLib.Lookup l = NativeLib.find(arena, "cuDNN", configuredPath, "libcudnn.so.9");
            if (!l.found()) throw new IllegalStateException(l.reason());
            Cudnn d = new Cudnn(arena, l, allocator);
            try {
                d.check("cudnnSetStream", d.call("cudnnSetStream", d.handle, MemorySegment.ofAddress(stream)));
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            return d;
        } catch (IllegalStateException e) {
            arena.close();
            throw e;
        } catch (RuntimeException e) {
            arena.close();
            throw new IllegalStateException("cuDNN not available: " + e, e);
        }
    }

    private Cudnn(Arena arena, NativeLib.Lookup l, DeviceAllocator allocator) {
        this.arena = arena;
        this.source = l.source();
        this.allocator = allocator;
        SymbolLookup lib = l.lookup();
        bind(lib, "cudnnCreate", STATUS_PTR);
        bind(lib, "cudnnDestroy", STATUS_PTR);
        bind(lib, "cudnnSetStream", SET_STREAM);
        bind(lib, "cudnnGetVersion", GET_VERSION);
        bind(lib, "cudnnGetErrorString", ERROR_STRING);
        for (String s : List.of("cudnnCreateTensorDescriptor", "cudnnCreateFilterDescriptor",
                "cudnnCreateConvolutionDescriptor", "cudnnDestroyTensorDescriptor", "cudnnDestroyFilterDescriptor",
                "cudnnDestroyConvolutionDescriptor"))
            bind(lib, s, STATUS_PTR);
        bind(lib, "cudnnSetTensor4dDescriptor", SET_4D);
        bind(lib, "cudnnSetFilter4dDescriptor", SET_4D);
        bind(lib, "cudnnSetConvolution2dDescriptor", SET_CONV);
        bind(lib, "cudnnSetConvolutionMathType", SET_MATH);
        for (String s : List.of("Forward", "BackwardData", "BackwardFilter")) {
            bind(lib, "cudnnGetConvolution" + s + "Algorithm_v7", GET_ALGO);
            bind(lib, "cudnnGetConvolution" + s + "WorkspaceSize", GET_WS);
            bind(lib, "cudnnConvolution" + s, CONV);
        }
        try {
            this.version = (long) fn.get("cudnnGetVersion").invokeExact();
        } catch (Throwable t) {
            throw Cublas.rethrow(t);
        }
        MemorySegment slot = arena.allocate(ADDRESS);
        check("cudnnCreate", call("cudnnCreate", slot));
        this.handle = slot.get(ADDRESS, 0);
        this.scalars = arena.allocate(JAVA_FLOAT, 2);
        scalars.setAtIndex(JAVA_FLOAT, 0, 1f);
    }

    private void bind(SymbolLookup lib, String name, FunctionDescriptor fd) { fn.put(name, NativeLib.bind(lib, name, fd)); }

    /** Calls a status-returning function (all arguments boxed; these calls are per shape, not per element). */
    private int call(String name, Object... args) {
        try {
            return (int) fn.get(name).invokeWithArguments(args);
        } catch (Throwable t) {
            throw Cublas.rethrow(t);
        }
    }

    private void check(String what, int status) {
        if (status == 0) return;
        String msg;
        try {
            MemorySegment s = (MemorySegment) fn.get("cudnnGetErrorString").invokeExact(status);
            msg = s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            msg = "?";
        }
        throw new IllegalStateException(what + " returned cudnnStatus " + status + " (" + msg + ")");
    }

    String describe() { return "cuDNN " + version + " (" + source + ")"; }

    private MemorySegment create(String kind) {
        MemorySegment slot = arena.allocate(ADDRESS);
        check("cudnnCreate" + kind + "Descriptor", call("cudnnCreate" + kind + "Descriptor", slot));
        return slot.get(ADDRESS, 0);
    }

    private Plan plan(ConvGeom g) {
        Plan p = plans.get(g);
        if (p != null) return p;
        MemorySegment x = create("Tensor"), y = create("Tensor"), w = create("Filter"), conv = create("Convolution");
        check("cudnnSetTensor4dDescriptor(x)", call("cudnnSetTensor4dDescriptor", x, NCHW, DATA_FLOAT, g.n(), g.c(), g.h(), g.w()));
        check("cudnnSetTensor4dDescriptor(y)", call("cudnnSetTensor4dDescriptor", y, NCHW, DATA_FLOAT, g.n(), g.oc(), g.oh(), g.ow()));
        check("cudnnSetFilter4dDescriptor", call("cudnnSetFilter4dDescriptor", w, DATA_FLOAT, NCHW, g.oc(), g.c(), g.kh(), g.kw()));
        check("cudnnSetConvolution2dDescriptor", call("cudnnSetConvolution2dDescriptor", conv, g.pad(), g.pad(),
                g.stride(), g.stride(), 1, 1, CROSS_CORRELATION, DATA_FLOAT));
        check("cudnnSetConvolutionMathType", call("cudnnSetConvolutionMathType", conv, FMA_MATH));
        int[] fwd = choose("Forward", x, w, conv, y);
        int[] bd = choose("BackwardData", w, y, conv, x);
        int[] bf = choose("BackwardFilter", x, y, conv, w);
        p = new Plan(x, y, w, conv, fwd[0], wsSize("Forward", x, w, conv, y, fwd[0]),
                bd[0], wsSize("BackwardData", w, y, conv, x, bd[0]),
                bf[0], wsSize("BackwardFilter", x, y, conv, w, bf[0]));
        plans.put(g, p);
        return p;
    }

    /**
     * The heuristics' best usable algorithm (status SUCCESS, workspace within MAX_WORKSPACE), deterministic if any
     * usable one is: a non-deterministic algorithm (e.g. backward filter by atomics) would make two runs of the
     * same seed differ, and a replayed step differ from the eager one.
     */
    private int[] choose(String which, MemorySegment d1, MemorySegment d2, MemorySegment conv, MemorySegment d3) {
        MemorySegment returned = arena.allocate(JAVA_INT), perf = arena.allocate(PERF_BYTES * PERF_COUNT, 8);
        String f = "cudnnGetConvolution" + which + "Algorithm_v7";
        check(f, call(f, handle, d1, d2, conv, d3, PERF_COUNT, returned, perf));
        int n = returned.get(JAVA_INT, 0), i = pick(perf, n, MAX_WORKSPACE);
        if (i < 0) throw new IllegalStateException(f + ": no usable algorithm among " + n);
        int algo = perf.get(JAVA_INT, (long) i * PERF_BYTES);
        if (perf.get(JAVA_INT, (long) i * PERF_BYTES + 24) != DETERMINISTIC)
            System.err.println("[cuda] cuDNN " + which + ": no deterministic algorithm fits, using algorithm " + algo
                    + " (results may differ from run to run in the last bits)");
        return new int[] {algo};
    }

    /**
     * Index of the entry to use among n {@code cudnnConvolution*AlgoPerf_t} records (best first):
     * {@code {int algo; int status; float time; size_t memory; int determinism; int mathType; int reserved[3]}},
     * 48 bytes each. The first usable deterministic one, else the first usable one, else −1.
     */
    static int pick(MemorySegment perf, int n, long maxWorkspace) {
        int firstUsable = -1;
        for (int i = 0; i < n; i++) {
            long base = (long) i * PERF_BYTES;
            int status = perf.get(JAVA_INT, base + 4);
            long memory = perf.get(JAVA_LONG, base + 16);
            if (status != 0 || memory > maxWorkspace) continue;
            if (perf.get(JAVA_INT, base + 24) == DETERMINISTIC) return i;
            if (firstUsable < 0) firstUsable = i;
        }
        return firstUsable;
    }

    private long wsSize(String which, MemorySegment d1, MemorySegment d2, MemorySegment conv, MemorySegment d3, int algo) {
        MemorySegment out = arena.allocate(JAVA_LONG);
        String f = "cudnnGetConvolution" + which + "WorkspaceSize";
        check(f, call(f, handle, d1, d2, conv, d3, algo, out));
        return out.get(JAVA_LONG, 0);
    }

    /** The size of the workspace block now (the largest any call has needed so far). */
    long workspaceBytes() { return workspaceBytes; }

    private MemorySegment workspace(long bytes) {
        if (bytes == 0) return MemorySegment.NULL;
        if (bytes > workspaceBytes) {
            // The smaller block is not released: a recorded CUDA graph may still use it as its workspace. It stays
            // reserved until the backend closes (the workspace grows a handful of times, to the largest shape's).
            workspace = allocator.alloc(bytes);
            workspaceBytes = bytes;
        }
        return MemorySegment.ofAddress(workspace.address());
    }

    private void run(String which, MemorySegment d1, long p1, MemorySegment d2, long p2, MemorySegment conv, int algo,
                     long ws, float beta, MemorySegment d3, long p3) {
        scalars.setAtIndex(JAVA_FLOAT, 1, beta);
        String f = "cudnnConvolution" + which;
        check(f, call(f, handle, scalars, d1, MemorySegment.ofAddress(p1), d2, MemorySegment.ofAddress(p2), conv, algo,
                workspace(ws), ws, scalars.asSlice(4), d3, MemorySegment.ofAddress(p3)));
    }

    /** y = conv(x, w). */
    void forward(long y, long x, long w, ConvGeom g) {
        Plan p = plan(g);
        run("Forward", p.x(), x, p.w(), w, p.conv(), p.fwdAlgo(), p.fwdWs(), 0f, p.y(), y);
    }

    /** dx += conv^T(dy, w). */
    void backwardData(long dx, long dy, long w, ConvGeom g) {
        Plan p = plan(g);
        run("BackwardData", p.w(), w, p.y(), dy, p.conv(), p.bwdDataAlgo(), p.bwdDataWs(), 1f, p.x(), dx);
    }

    /** dw += x-patches (x) dy. */
    void backwardFilter(long dw, long dy, long x, ConvGeom g) {
        Plan p = plan(g);
        run("BackwardFilter", p.x(), x, p.y(), dy, p.conv(), p.bwdFilterAlgo(), p.bwdFilterWs(), 1f, p.w(), dw);
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            call("cudnnDestroyTensorDescriptor", p.x());
            call("cudnnDestroyTensorDescriptor", p.y());
            call("cudnnDestroyFilterDescriptor", p.w());
            call("cudnnDestroyConvolutionDescriptor", p.conv());
        }
        plans.clear();
        if (handle != null) call("cudnnDestroy", handle);
        // the workspace belongs to the allocator, which frees it when the backend closes
        arena.close();
    }
}
