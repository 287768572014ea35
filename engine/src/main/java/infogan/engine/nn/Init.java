package infogan.engine.nn;

import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

/** Weight initialisers. The InfoGAN code draws every weight from N(0, 0.02) and BatchNorm's γ from N(1, 0.02). */
public final class Init {
    private Init() { }

    public static void normal(Tensor t, Rng rng, double mean, double std) {
        double[] v = new double[t.size];
        for (int i = 0; i < v.length; i++) v[i] = mean + std * rng.nextGaussian();
        t.write(v);
    }

    public static void constant(Tensor t, double value) {
        double[] v = new double[t.size];
        java.util.Arrays.fill(v, value);
        t.write(v);
    }
}
