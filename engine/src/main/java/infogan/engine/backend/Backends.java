package infogan.engine.backend;

import infogan.engine.backend.cpu.CpuBackend;

/**
 * Picks the backend at run time: {@code cpu}, {@code cuda} or {@code auto} (CUDA when a usable GPU answers, else the
 * CPU, saying why in one line). The CUDA backend is looked up reflectively so that a machine without the NVIDIA
 * driver never loads a JCuda class.
 */
public final class Backends {
    private Backends() { }

    /** A backend choice: the backend and the one line that explains it. */
    public record Choice(Backend backend, String line) { }

    public static Choice select(String device, int threads) {
        return switch (device) {
            case "cpu" -> new Choice(new CpuBackend(threads), "backend: cpu-f32 (" + threads + " threads)");
            case "cuda" -> {
                String why = CudaLoader.unavailableReason();
                if (why != null) throw new IllegalArgumentException("--device cuda: no usable GPU (" + why + "); use --device cpu or auto");
                yield new Choice(CudaLoader.create(), "backend: cuda-f32");
            }
            case "auto" -> {
                String why = CudaLoader.unavailableReason();
                if (why == null) yield new Choice(CudaLoader.create(), "backend: cuda-f32 (GPU found)");
                yield new Choice(new CpuBackend(threads), "backend: cpu-f32 (" + threads + " threads); no GPU: " + why);
            }
            default -> throw new IllegalArgumentException("--device must be cpu, cuda or auto, not '" + device + "'");
        };
    }

    /** Finds the CUDA backend if this build has one; every failure becomes a reason string. */
    static final class CudaLoader {
        static String unavailableReason() {
            try {
                Class<?> probe = Class.forName("infogan.engine.backend.cuda.GpuProbe");
                Object r = probe.getMethod("probe").invoke(null);
                boolean ok = (Boolean) r.getClass().getMethod("available").invoke(r);
                return ok ? null : (String) r.getClass().getMethod("reason").invoke(r);
            } catch (ClassNotFoundException e) {
                return "this build has no CUDA backend";
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                return c.getClass().getSimpleName() + ": " + c.getMessage();
            }
        }

        static Backend create() {
            try {
                return (Backend) Class.forName("infogan.engine.backend.cuda.CudaBackend").getMethod("create").invoke(null);
            } catch (ReflectiveOperationException e) {
                Throwable c = e.getCause() != null ? e.getCause() : e;
                throw new IllegalStateException("cannot start the CUDA backend: " + c.getMessage(), c);
            }
        }
    }
}
