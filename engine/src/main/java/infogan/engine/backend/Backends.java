package infogan.engine.backend;

import infogan.engine.backend.cpu.CpuBackend;
import infogan.engine.backend.cuda.CudaBackend;
import infogan.engine.backend.cuda.GpuProbe;

/**
 * Picks the backend at run time: {@code cpu}, {@code cuda} or {@code auto} (CUDA when a usable GPU answers, else the
 * CPU, saying why in one line). {@link GpuProbe} looks for libcuda.so.1 through FFM before it touches any JCuda class,
 * so a machine without the NVIDIA driver never loads JCuda's native library.
 */
public final class Backends {
    private Backends() { }

    /** A backend choice: the backend and the one line that explains it. */
    public record Choice(Backend backend, String line) { }

    /** Fails with the one-line error for a --device value other than cpu, cuda or auto (so it can be checked first). */
    public static void checkDevice(String device) {
        if (!device.equals("cpu") && !device.equals("cuda") && !device.equals("auto"))
            throw new IllegalArgumentException("--device must be cpu, cuda or auto, not '" + device + "'");
    }

    public static Choice select(String device, int threads) {
        checkDevice(device);
        return switch (device) {
            case "cpu" -> new Choice(new CpuBackend(threads), "backend: cpu-f32 (" + threads + " threads)");
            case "cuda" -> {
                GpuProbe.Result r = GpuProbe.probe();
                if (!r.available()) throw new IllegalArgumentException("--device cuda: no usable GPU (" + r.reason() + "); use --device cpu or auto");
                CudaBackend be = CudaBackend.create();
                yield new Choice(be, "backend: " + be.describe());
            }
            case "auto" -> {
                GpuProbe.Result r = GpuProbe.probe();
                if (r.available()) {
                    CudaBackend be = CudaBackend.create();
                    yield new Choice(be, "backend: " + be.describe() + " (GPU found)");
                }
                yield new Choice(new CpuBackend(threads), "backend: cpu-f32 (" + threads + " threads); no GPU: " + r.reason());
            }
            default -> throw new AssertionError(device);
        };
    }
}
