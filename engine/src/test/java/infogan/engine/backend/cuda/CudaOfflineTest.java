package infogan.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import infogan.kernels.Kernel;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What can be checked about the CUDA backend without a GPU, cuBLAS or cuDNN. Runs everywhere. */
class CudaOfflineTest {

    @Test
    void probeNeverThrowsAndGivesAReason() {
        GpuProbe.Result r = GpuProbe.probe();
        assertNotNull(r.reason());
        assertFalse(r.reason().isBlank());
        System.out.println("[probe] " + r);
        assertSame(r, GpuProbe.probe(), "cached");
    }

    @Test
    void createWithoutGpuFailsWithOneLine() {
        if (GpuProbe.probe().available()) return;           // covered by the conformance tests instead
        IllegalStateException e = assertThrows(IllegalStateException.class, CudaBackend::create);
        assertTrue(e.getMessage().startsWith("CUDA backend unavailable: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aMistypedSwitchIsAOneLineErrorNamingIt() {
        String[][] cases = {
                {"infogan.cuda.graph", "maybe", "-Dinfogan.cuda.graph must be on or off, not 'maybe'"},
                {"infogan.cuda.cublas", "bogus", "-Dinfogan.cuda.cublas must be auto, on or off, not 'bogus'"},
                {"infogan.cuda.cudnn", "On", "-Dinfogan.cuda.cudnn must be auto, on or off, not 'On'"},
                {"infogan.cuda.sync", "1", "-Dinfogan.cuda.sync must be true or false, not '1'"},
                {"infogan.cuda.splitk", "on", "-Dinfogan.cuda.splitk must be auto or off, not 'on'"}};
        for (String[] c : cases) {
            System.setProperty(c[0], c[1]);
            try {
                IllegalStateException e = assertThrows(IllegalStateException.class, CudaBackend::create, c[0]);
                assertEquals(c[2], e.getMessage());
            } finally {
                System.clearProperty(c[0]);
            }
        }
    }

    /** Writes one cudnnConvolution*AlgoPerf_t record (48 bytes) at index i. */
    private static void perf(java.lang.foreign.MemorySegment m, int i, int algo, int status, long memory, int determinism) {
        long b = (long) i * Cudnn.PERF_BYTES;
        m.set(java.lang.foreign.ValueLayout.JAVA_INT, b, algo);
        m.set(java.lang.foreign.ValueLayout.JAVA_INT, b + 4, status);
        m.set(java.lang.foreign.ValueLayout.JAVA_FLOAT, b + 8, 0.1f * i);
        m.set(java.lang.foreign.ValueLayout.JAVA_LONG, b + 16, memory);
        m.set(java.lang.foreign.ValueLayout.JAVA_INT, b + 24, determinism);
        m.set(java.lang.foreign.ValueLayout.JAVA_INT, b + 28, 3);          // CUDNN_FMA_MATH
    }

    @Test
    void cudnnAlgorithmChoicePrefersDeterministicUsableOnes() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var m = arena.allocate((long) Cudnn.PERF_BYTES * 5, 8);
            long max = 1000;
            perf(m, 0, 1, 0, 10, 0);          // usable, non-deterministic (the heuristics' favourite)
            perf(m, 1, 0, 3, 0, 1);           // deterministic, but its status is an error
            perf(m, 2, 5, 0, 5000, 1);        // deterministic, workspace too large
            perf(m, 3, 3, 0, 1000, 1);        // deterministic and usable: the one
            perf(m, 4, 6, 0, 0, 1);
            assertEquals(3, Cudnn.pick(m, 5, max));
            assertEquals(0, Cudnn.pick(m, 3, max), "no deterministic one usable: the first usable");
            assertEquals(-1, Cudnn.pick(m.asSlice(Cudnn.PERF_BYTES), 2, max), "none usable");
            assertEquals(-1, Cudnn.pick(m, 0, max));
        }
    }

    @Test
    void missingLibrariesAreReportedNotThrown() {
        GpuProbe.Result b = Cublas.probe("/nonexistent/libcublas.so.13");
        assertFalse(b.available());
        assertTrue(b.reason().startsWith("cuBLAS not available: "), b.reason());
        GpuProbe.Result d = Cudnn.probe("/nonexistent/libcudnn.so.9");
        assertFalse(d.available());
        assertTrue(d.reason().startsWith("cuDNN not available: "), d.reason());
        // By soname: found or not depending on the machine, but never an exception.
        System.out.println("[cublas] " + Cublas.probe(null));
        System.out.println("[cudnn] " + Cudnn.probe(null));
        GpuProbe.Result wrong = Cublas.probe(findLibm());           // a real library without cuBLAS symbols
        assertFalse(wrong.available());
        assertTrue(wrong.reason().contains("lacks cublasCreate_v2"), wrong.reason());
    }

    @Test
    void cublasStatusesAreNamedInErrors() {
        assertEquals("CUBLAS_STATUS_INVALID_VALUE (7)", Cublas.statusName(7));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED (13)", Cublas.statusName(13));
        assertEquals("cublasStatus 99", Cublas.statusName(99));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Cublas.check("cublasSgemm_v2", 1));
        assertEquals("cublasSgemm_v2 returned CUBLAS_STATUS_NOT_INITIALIZED (1)", e.getMessage());
    }

    static String findLibm() {
        for (String p : new String[] {"/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6"})
            if (Files.exists(Path.of(p))) return p;
        return "/lib/x86_64-linux-gnu/libm.so.6";
    }

    @Test
    void functionDescriptorsBuildDowncallHandles() {
        Linker linker = Linker.nativeLinker();
        for (FunctionDescriptor fd : Cublas.DESCRIPTORS) assertNotNull(linker.downcallHandle(fd), fd.toString());
        for (FunctionDescriptor fd : Cudnn.DESCRIPTORS) assertNotNull(linker.downcallHandle(fd), fd.toString());
        assertEquals(14, Cublas.SGEMM.argumentLayouts().size(), "cublasSgemm_v2 has 14 parameters");
        assertEquals(13, Cudnn.CONV.argumentLayouts().size(), "cudnnConvolution* have 13 parameters");
    }

    @Test
    void gridHelpers() {
        assertEquals(0, CudaKernels.ceilDiv(0, 256));
        assertEquals(1, CudaKernels.ceilDiv(1, 256));
        assertEquals(4, CudaKernels.ceilDiv(1024, 256));
        assertEquals(5, CudaKernels.ceilDiv(1025, 256));
        assertEquals(1, CudaKernels.grid(0));
        assertEquals(CudaKernels.MAX_GRID, CudaKernels.grid(1L << 40));
    }

    /** Split-K sizing: which shapes split, into how many slices, and that the slices cover k exactly. */
    @Test
    void splitKSlicesLongThinGemmsOnly() {
        int h200 = 132;
        assertArrayEquals(new int[] {9, 704}, CudaKernels.splitK(100, 1024, 6272, h200), "D's dense layer, batch 100");
        assertArrayEquals(new int[] {1, 100}, CudaKernels.splitK(6272, 1024, 100, h200), "its weight gradient: k short");
        assertArrayEquals(new int[] {1, 1024}, CudaKernels.splitK(100, 6272, 1024, h200), "196 tiles fill 132 SMs");
        assertArrayEquals(new int[] {1, 2048}, CudaKernels.splitK(2048, 2048, 2048, h200));
        assertArrayEquals(new int[] {1, 1023}, CudaKernels.splitK(1, 1, 1023, h200), "k below 1024");
        assertArrayEquals(new int[] {2, 512}, CudaKernels.splitK(100, 74, 1024, h200));
        assertArrayEquals(new int[] {32, 624}, CudaKernels.splitK(64, 16, 19600, h200), "D conv1's filter gradient: capped at 32");
        assertArrayEquals(new int[] {1, 6272}, CudaKernels.splitK(100, 1024, 6272, 16), "a 16-SM GPU is already full");
        for (int sms : new int[] {1, 16, 108, 132, 144})
            for (int m : new int[] {1, 37, 64, 100, 129, 640})
                for (int n : new int[] {1, 19, 70, 1024})
                    for (int k : new int[] {1, 1000, 1024, 2051, 5000, 6272, 19600, 100_000}) {
                        int[] s = CudaKernels.splitK(m, n, k, sms);
                        String at = m + "x" + n + "x" + k + " on " + sms;
                        assertTrue(s[0] >= 1 && s[0] <= CudaKernels.MAX_SPLITS, at);
                        if (s[0] == 1) { assertEquals(k, s[1], at); continue; }
                        assertEquals(0, s[1] % 16, at + ": kchunk a multiple of the tile depth");
                        assertTrue((long) (s[0] - 1) * s[1] < k && (long) s[0] * s[1] >= k, at + ": every slice non-empty, k covered");
                        assertTrue(s[1] >= CudaKernels.SPLIT_MIN_CHUNK, at + ": slices keep at least 512 of k");
                    }
    }

    /** The launcher source has exactly one launch of each kernel in {@link Kernel} (one typed method per kernel). */
    @Test
    void everyKernelHasOneTypedLauncher() throws Exception {
        Path rel = Path.of("src/main/java/infogan/engine/backend/cuda/CudaKernels.java");
        Path file = Files.exists(rel) ? rel : Path.of("engine").resolve(rel);    // module dir (Maven) or repo root (gpu-check)
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(file), "CudaKernels.java source not found from " + Path.of("").toAbsolutePath());
        String src = Files.readString(file);
        for (Kernel k : Kernel.values()) {
            int count = src.split("launch\\(Kernel\\." + k.name() + ",", -1).length - 1;
            assertEquals(1, count, "launch(Kernel." + k.name() + ", ...) occurrences in CudaKernels");
        }
    }

    /** The allocator's bookkeeping with a fake driver: reuse, and the blocks a recorded graph keeps. */
    @Test
    void blocksReleasedWhileRecordingAGraphStayWithTheGraph() {
        java.util.List<RawDevPtr> freed = new java.util.ArrayList<>();
        int[] driverAllocs = {0};
        DeviceAllocator a = new DeviceAllocator(new DeviceAllocator.Driver() {
            @Override public void alloc(RawDevPtr p, long bytes) { driverAllocs[0]++; }
            @Override public void free(RawDevPtr p) { freed.add(p); }
        });
        RawDevPtr before = a.alloc(400);
        a.release(before, 400);
        assertSame(before, a.alloc(400), "a released block of the same size is reused");
        a.release(before, 400);

        a.beginCapture();
        RawDevPtr x = a.alloc(400);                       // from the free list: free blocks may join a recording
        assertSame(before, x);
        a.release(x, 400);
        assertSame(x, a.alloc(400), "reuse inside the recording (its nodes run in order)");
        a.release(x, 400);
        RawDevPtr y = a.alloc(800);
        a.release(y, 800);
        var owned = a.endCapture();
        assertEquals(1200, a.inUseBytes(), "the graph's blocks count as in use");

        RawDevPtr after = a.alloc(400), after2 = a.alloc(800);
        assertNotSame(x, after, "no one outside the graph gets a block the graph writes at every replay");
        assertNotSame(y, after2);
        assertEquals(4, driverAllocs[0]);
        a.release(after, 400);
        a.release(after2, 800);

        a.releaseCaptured(owned);                          // the graph is closed: its blocks are free again
        assertEquals(0, a.inUseBytes());
        RawDevPtr again = a.alloc(800);
        assertTrue(again == y || again == after2, "back in the free lists");
        assertEquals(4, driverAllocs[0], "no new driver allocation");
        a.close();
        assertEquals(4, freed.size(), "close frees every block ever allocated");
    }
}
