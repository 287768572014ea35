package infogan.engine.backend.cpu;

import infogan.engine.backend.Storage;

/** A float32 storage of the CPU backend: a plain {@code float[]} that kernels index directly. */
public final class F32Storage implements Storage {
    /** The numbers; its length is the storage's length (the pool hands out exact sizes). */
    public final float[] a;
    /** True while the storage sits in its backend's pool (guards against double release and use-after-release). */
    boolean pooled;

    public F32Storage(int n) { this.a = new float[n]; }

    @Override public int length() { return a.length; }

    @Override public String toString() { return "F32Storage[" + a.length + "]"; }
}
