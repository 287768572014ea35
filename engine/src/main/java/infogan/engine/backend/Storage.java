package infogan.engine.backend;

/**
 * A flat buffer of numbers owned by one {@link Backend}: a {@code float[]} on the fast CPU backend,
 * a {@code double[]} on the reference backend, a device pointer on the CUDA backend.
 * Tensors are views (shape + storage); kernels see storages and sizes only.
 */
public interface Storage {
    /** Number of elements. */
    int length();
}
