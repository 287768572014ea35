package infogan.engine.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * Is there a usable CUDA GPU? Two steps, cached after the first call:
 * <ol>
 *   <li>{@code SymbolLookup.libraryLookup("libcuda.so.1")} through FFM: no driver library means no GPU, and JCuda's
 *       classes are never touched (loading them without libcuda.so.1 fails with an UnsatisfiedLinkError that poisons
 *       the class for the rest of the JVM);</li>
 *   <li>{@code cuInit} + {@code cuDeviceGetCount}, catching {@code LinkageError} (native library problems) and
 *       {@code CudaException} (e.g. CUDA_ERROR_NO_DEVICE).</li>
 * </ol>
 * Never throws.
 */
public final class GpuProbe {
    /** available: a device can be used; reason: why not, or which device and driver. */
    public record Result(boolean available, String reason) { }

    private static volatile Result cached;

    private GpuProbe() { }

    public static Result probe() {
        Result r = cached;
        if (r == null) cached = r = run();
        return r;
    }

    private static Result run() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", arena);
        } catch (IllegalArgumentException e) {
            return new Result(false, "no CUDA driver: " + e.getMessage());
        } catch (IllegalCallerException e) {
            return new Result(false, "native access disabled (run with --enable-native-access=ALL-UNNAMED): " + e.getMessage());
        } catch (RuntimeException e) {
            return new Result(false, "libcuda.so.1 lookup failed: " + e);
        }
        try {
            return Driver.count();
        } catch (LinkageError e) {
            return new Result(false, "JCuda driver binding failed to load: " + e);
        } catch (RuntimeException e) {              // jcuda.CudaException and anything else JCuda throws
            return new Result(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The JCuda half, in its own class so that step 1 can fail without loading any JCuda class. */
    private static final class Driver {
        static Result count() {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(true);
            jcuda.driver.JCudaDriver.cuInit(0);
            int[] n = new int[1];
            jcuda.driver.JCudaDriver.cuDeviceGetCount(n);
            if (n[0] == 0) return new Result(false, "CUDA driver present but no device");
            int[] ver = new int[1];
            jcuda.driver.JCudaDriver.cuDriverGetVersion(ver);
            jcuda.driver.CUdevice dev = new jcuda.driver.CUdevice();
            jcuda.driver.JCudaDriver.cuDeviceGet(dev, 0);
            byte[] name = new byte[256];
            jcuda.driver.JCudaDriver.cuDeviceGetName(name, name.length, dev);
            String s = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
            return new Result(true, n[0] + " device(s), #0 " + s + ", driver CUDA " + ver[0] / 1000 + "." + ver[0] % 1000 / 10);
        }
    }
}
