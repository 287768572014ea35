package infogan.engine.backend.ref;

import infogan.engine.backend.Storage;

/** A float64 storage of the reference backend: a plain {@code double[]}. */
public final class F64Storage implements Storage {
    public final double[] a;

    F64Storage(int n) { this.a = new double[n]; }

    @Override
    public int length() { return a.length; }
}
