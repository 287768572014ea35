package infogan.engine.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS through java.lang.foreign: a handle on our stream and a row-major SGEMM. JCublas cannot be used (it links
 * libcublas.so.12 with versioned symbols; the GPU image has .so.13, gpu-stack.md §2); dlsym does not care.
 * <p>Row-major via the transpose trick: a row-major C (m x n) is a column-major C^T (n x m), and
 * C^T = op(B)^T op(A)^T, so we call column-major {@code sgemm(opB, opA, n, m, k, B, ldb, A, lda, C, ldc = n)} with
 * lda = transA ? m : k and ldb = transB ? k : n. The default math mode (no TF32) keeps float32 accuracy.
 * <p>Workspace: {@link #WORKSPACE_BYTES} from our allocator through {@code cublasSetWorkspace_v2} (after setStream,
 * which resets it), so that inside a CUDA graph cuBLAS uses that block instead of allocating in every replay.
 * <p>Library: {@code -Dinfogan.cublas=PATH}, else {@code libcublas.so.13}, then {@code libcublas.so.12}.
 */
public final class Cublas implements AutoCloseable {
    static final FunctionDescriptor CREATE = FunctionDescriptor.of(JAVA_INT, ADDRESS);              // (cublasHandle_t*)
    static final FunctionDescriptor DESTROY = FunctionDescriptor.of(JAVA_INT, ADDRESS);             // (cublasHandle_t)
    static final FunctionDescriptor SET_STREAM = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS); // (handle, cudaStream_t)
    static final FunctionDescriptor GET_VERSION = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS); // (handle, int*)
    /** cublasSgemm_v2(handle, transa, transb, m, n, k, const float* alpha, A, lda, B, ldb, const float* beta, C, ldc). */
    static final FunctionDescriptor SGEMM = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);

    static final List<FunctionDescriptor> DESCRIPTORS = List.of(CREATE, DESTROY, SET_STREAM, GET_VERSION, SGEMM);
    /** cublasSetWorkspace_v2(handle, void* workspace, size_t bytes); optional (bound when present). */
    static final FunctionDescriptor SET_WORKSPACE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    /** NVIDIA's recommendation for Hopper; 4 MiB suffices on older GPUs. */
    static final long WORKSPACE_BYTES = 32L << 20;

    static final List<String> SYMBOLS = List.of("cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2",
            "cublasGetVersion_v2", "cublasSgemm_v2");
    static final int OP_N = 0, OP_T = 1;

    private final Arena arena;
    private final MethodHandle destroy, sgemm;
    private final MemorySegment handle, scalars;
    private final String source;
    private final int version;

    /** Whether the library and every symbol we bind can be found; calls nothing in it. Never throws. */
    public static GpuProbe.Result probe(String configuredPath) {
        try (Arena a = Arena.ofConfined()) {
            NativeLib.Lookup l = NativeLib.find(a, "cuBLAS", configuredPath, "libcublas.so.13", "libcublas.so.12");
            if (!l.found()) return new GpuProbe.Result(false, l.reason());
            for (String s : SYMBOLS)
                if (l.lookup().find(s).isEmpty()) return new GpuProbe.Result(false, "cuBLAS not available: " + l.source() + " lacks " + s);
            return new GpuProbe.Result(true, "cuBLAS found: " + l.source());
        } catch (RuntimeException e) {
            return new GpuProbe.Result(false, "cuBLAS not available: " + e);
        }
    }

    /**
     * Opens the library, creates a handle, binds it to {@code stream} and gives it a workspace from {@code allocator}.
     * Throws IllegalStateException with a reason.
     */
    static Cublas open(String configuredPath, long stream, DeviceAllocator allocator) {
        Arena arena = Arena.ofShared();
        try {
            NativeLib.Lookup l = NativeLib.find(arena, "cuBLAS", configuredPath, "libcublas.so.13", "libcublas.so.12");
            if (!l.found()) throw new IllegalStateException(l.reason());
            Cublas cb = new Cublas(arena, l);
            try {
                cb.setStream(stream);
                cb.setWorkspace(l, allocator);
            } catch (RuntimeException e) {
                cb.close();
                throw e;
            }
            return cb;
        } catch (RuntimeException e) {
            arena.close();
            throw e instanceof IllegalStateException ? e : new IllegalStateException("cuBLAS not available: " + e, e);
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException("cuBLAS not available: " + t, t);
        }
    }

    private Cublas(Arena arena, NativeLib.Lookup l) throws Throwable {
        this.arena = arena;
        this.source = l.source();
        MethodHandle create = NativeLib.bind(l.lookup(), "cublasCreate_v2", CREATE);
        this.destroy = NativeLib.bind(l.lookup(), "cublasDestroy_v2", DESTROY);
        this.sgemm = NativeLib.bind(l.lookup(), "cublasSgemm_v2", SGEMM);
        MemorySegment slot = arena.allocate(ADDRESS);
        check("cublasCreate_v2", (int) create.invokeExact(slot));
        this.handle = slot.get(ADDRESS, 0);
        MemorySegment v = arena.allocate(JAVA_INT);
        check("cublasGetVersion_v2", (int) NativeLib.bind(l.lookup(), "cublasGetVersion_v2", GET_VERSION).invokeExact(handle, v));
        this.version = v.get(JAVA_INT, 0);
        this.scalars = arena.allocate(JAVA_FLOAT, 2);          // alpha, beta: host pointers read at call time
        this.setStream = NativeLib.bind(l.lookup(), "cublasSetStream_v2", SET_STREAM);
    }

    private final MethodHandle setStream;

    /** Binds the handle to stream; this drops a workspace set before (documented), so {@link #open} sets it after. */
    void setStream(long stream) {
        try {
            check("cublasSetStream_v2", (int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)));
            workspace = "its own workspace";
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private String workspace = "its own workspace";

    /** Our block as cuBLAS's workspace, when the library has cublasSetWorkspace_v2 (freed with the allocator). */
    private void setWorkspace(NativeLib.Lookup l, DeviceAllocator allocator) {
        if (l.lookup().find("cublasSetWorkspace_v2").isEmpty()) return;
        RawDevPtr block = allocator.alloc(WORKSPACE_BYTES);
        try {
            MethodHandle set = NativeLib.bind(l.lookup(), "cublasSetWorkspace_v2", SET_WORKSPACE);
            check("cublasSetWorkspace_v2", (int) set.invokeExact(handle, MemorySegment.ofAddress(block.address()), WORKSPACE_BYTES));
            workspace = (WORKSPACE_BYTES >> 20) + " MiB workspace";
        } catch (Throwable t) {
            allocator.release(block, WORKSPACE_BYTES);
            throw rethrow(t);
        }
    }

    String describe() { return "cuBLAS " + version + " (" + source + ", " + workspace + ")"; }

    /** Row-major C = alpha op(A) op(B) + beta C on raw device addresses (see the class comment). */
    void sgemmRowMajor(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, long b, float beta, long c) {
        scalars.setAtIndex(JAVA_FLOAT, 0, alpha);
        scalars.setAtIndex(JAVA_FLOAT, 1, beta);
        int lda = transA ? m : k, ldb = transB ? k : n;
        try {
            int st = (int) sgemm.invokeExact(handle, transB ? OP_T : OP_N, transA ? OP_T : OP_N, n, m, k,
                    scalars, MemorySegment.ofAddress(b), ldb, MemorySegment.ofAddress(a), lda,
                    scalars.asSlice(4), MemorySegment.ofAddress(c), n);
            check("cublasSgemm_v2", st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void check(String fn, int status) {
        if (status != 0) throw new IllegalStateException(fn + " returned " + statusName(status));
    }

    /** cublasStatus_t's documented values by name (cublas_api.h), for error messages. */
    static String statusName(int status) {
        String name = switch (status) {
            case 1 -> "NOT_INITIALIZED";
            case 3 -> "ALLOC_FAILED";
            case 7 -> "INVALID_VALUE";
            case 8 -> "ARCH_MISMATCH";
            case 11 -> "MAPPING_ERROR";
            case 13 -> "EXECUTION_FAILED";
            case 14 -> "INTERNAL_ERROR";
            case 15 -> "NOT_SUPPORTED";
            case 16 -> "LICENSE_ERROR";
            default -> null;
        };
        return name == null ? "cublasStatus " + status : "CUBLAS_STATUS_" + name + " (" + status + ")";
    }

    static RuntimeException rethrow(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    @Override
    public void close() {
        try {
            int ignored = (int) destroy.invokeExact(handle);
        } catch (Throwable ignored) {
            // closing anyway
        }
        arena.close();
    }
}
