package infogan.engine.tensor;

import infogan.engine.autodiff.Op;
import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;

import java.util.Arrays;

/**
 * An n-d array: a shape (row-major, NCHW for images) over a {@link Storage} of its backend, plus what autodiff
 * needs: the op that produced it (null for leaves), a gradient of the same shape, and a version counter.
 * <p>
 * The version counter counts in-place writes (optimizer steps, running-statistics updates, {@link #write}).
 * An op that saved this tensor for its backward remembers the version it saw; if the number differs at
 * backward time, the op would compute a wrong gradient, so the tape refuses (PyTorch's autograd does the same).
 */
public final class Tensor {
    public final int[] shape;
    public final int size;
    public final Backend backend;
    public final Storage data;
    /** A human-readable name for parameters and buffers ("G.fc1.weight"); null for intermediates. */
    public final String name;
    /** Parameters are leaves whose gradient storage persists across steps (zeroed by the optimiser). */
    public final boolean isParameter;

    private boolean requiresGrad;
    /** The version counter, boxed so that views over the same storage ({@link #view}) share one counter. */
    private final int[] version;
    /** The op that produced this tensor on the tape; null for leaves and for tensors made under no-grad. */
    public Op creator;
    /** ∂loss/∂this, same shape; null until backward reaches this tensor. */
    public Tensor grad;

    public Tensor(Backend backend, Storage data, int[] shape, String name, boolean isParameter) {
        this(backend, data, shape, name, isParameter, new int[1]);
    }

    private Tensor(Backend backend, Storage data, int[] shape, String name, boolean isParameter, int[] version) {
        this.version = version;
        this.shape = shape;
        this.size = Shapes.size(shape);
        if (data.length() < size)
            throw new IllegalArgumentException("storage of " + data.length() + " elements is too small for shape " + Shapes.str(shape));
        this.backend = backend;
        this.data = data;
        this.name = name;
        this.isParameter = isParameter;
        this.requiresGrad = isParameter;
    }

    /** A parameter (trainable leaf) with its own, non-pooled storage. */
    public static Tensor parameter(Backend backend, String name, int... shape) {
        return new Tensor(backend, backend.zeros(Shapes.size(shape)), shape.clone(), name, true);
    }

    /** A non-trainable persistent tensor (BatchNorm running statistics, constants). */
    public static Tensor buffer(Backend backend, String name, int... shape) {
        return new Tensor(backend, backend.zeros(Shapes.size(shape)), shape.clone(), name, false);
    }

    /**
     * A tensor of another shape over this one's storage (reshape, flatten). It shares this tensor's version counter,
     * like a PyTorch view: an in-place write through either is seen by every op that saved either.
     */
    public Tensor view(int[] shape) {
        return new Tensor(backend, data, shape, null, false, version);
    }

    public boolean requiresGrad() { return requiresGrad; }

    /** Freezes or unfreezes a parameter: a frozen one gets no gradient (its weight-gradient kernels are skipped). */
    public void setRequiresGrad(boolean b) {
        if (creator != null) throw new IllegalStateException("requiresGrad can only be set on leaves, not on the output of " + creator.name);
        requiresGrad = b;
    }

    /** Called by the tape when this tensor is the output of a recorded op. */
    public void markRequiresGrad() { requiresGrad = true; }

    public int version() { return version[0]; }

    /** Every in-place write must call this. */
    public void bumpVersion() { version[0]++; }

    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int rank() { return shape.length; }

    /** Overwrites the values from the host (an in-place write: bumps the version). */
    public Tensor write(float[] values) {
        if (values.length != size) throw new IllegalArgumentException("writing " + values.length + " values into a tensor of shape " + Shapes.str(shape));
        backend.write(data, values);
        bumpVersion();
        return this;
    }

    public Tensor write(double[] values) {
        if (values.length != size) throw new IllegalArgumentException("writing " + values.length + " values into a tensor of shape " + Shapes.str(shape));
        backend.write(data, values);
        bumpVersion();
        return this;
    }

    public float[] toFloats() { float[] a = new float[size]; backend.read(data, a); return a; }

    public double[] toDoubles() { double[] a = new double[size]; backend.read(data, a); return a; }

    /** The single value of a one-element tensor (a loss). Reads back from the device on the GPU. */
    public double item() {
        if (size != 1) throw new IllegalStateException("item() needs a one-element tensor, got shape " + Shapes.str(shape));
        double[] a = new double[1];
        backend.read(data, a);
        return a[0];
    }

    @Override
    public String toString() {
        return (name != null ? name : creator != null ? creator.name : "tensor") + Arrays.toString(shape);
    }
}
