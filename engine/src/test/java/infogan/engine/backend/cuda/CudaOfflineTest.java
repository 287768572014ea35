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
}
