package infogan.model;

import infogan.engine.autodiff.Tape;
import infogan.engine.ops.Activate;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;
import infogan.image.ImageGrid;
import infogan.image.PngWriter;

import java.nio.file.Path;

/**
 * The paper's figures, drawn by G in eval mode (BatchNorm uses its running statistics, so an image does not depend on
 * its batch-mates) with fixed noise from a fixed seed:
 * <ul>
 *   <li>categorical code k: one column per category, one row per fixed noise vector (other codes 0);</li>
 *   <li>continuous code j: one column per value from −2 to 2 (beyond the training range −1..1), each row one fixed
 *       noise vector and category (row r uses category r mod K of the first categorical code), other codes 0.</li>
 * </ul>
 */
public final class Figures {
    public static final int ROWS = 10, STEPS = 10;
    private Figures() { }

    /** Renders images for the given latent rows (n, L) with G in eval mode. */
    public static float[] generate(InfoGan m, float[] latent, int n) {
        boolean was = m.g.isTraining();
        m.g.train(false);
        Tape t = new Tape(m.backend);
        try (var ng = t.noGrad()) {
            Tensor z = t.constant(latent, n, m.cfg.latent().size());
            return m.g.forward(t, z).toFloats();
        } finally {
            t.reset();
            m.g.train(was);
        }
    }

    /** Fixed noise rows (U(−1,1)), the same for every figure of a run. */
    static float[] noiseRows(LatentSpec s, long seed) {
        Rng r = new Rng(seed);
        float[] z = new float[ROWS * s.noise()];
        for (int i = 0; i < z.length; i++) z[i] = (float) r.uniform(-1, 1);
        return z;
    }

    /** Latent grid for categorical code k: rows = noise, columns = category. */
    public static float[] categoricalGrid(LatentSpec s, int k, long seed) {
        int K = s.categorical()[k], L = s.size();
        float[] z = noiseRows(s, seed), lat = new float[ROWS * K * L];
        for (int r = 0; r < ROWS; r++)
            for (int c = 0; c < K; c++) {
                int base = (r * K + c) * L;
                System.arraycopy(z, r * s.noise(), lat, base, s.noise());
                for (int kk = 0; kk < s.categorical().length; kk++)
                    lat[base + s.categoricalOffset(kk) + (kk == k ? c : r % s.categorical()[kk])] = 1f;
            }
        return lat;
    }

    /** Latent grid for continuous code j: rows = noise (+ category r mod K), columns = value from −2 to 2. */
    public static float[] continuousGrid(LatentSpec s, int j, long seed) {
        int L = s.size();
        float[] z = noiseRows(s, seed), lat = new float[ROWS * STEPS * L];
        for (int r = 0; r < ROWS; r++)
            for (int c = 0; c < STEPS; c++) {
                int base = (r * STEPS + c) * L;
                System.arraycopy(z, r * s.noise(), lat, base, s.noise());
                for (int kk = 0; kk < s.categorical().length; kk++) lat[base + s.categoricalOffset(kk) + r % s.categorical()[kk]] = 1f;
                lat[base + s.noise() + s.categoricalWidth() + j] = (float) (-2 + 4.0 * c / (STEPS - 1));
            }
        return lat;
    }

    /**
     * The files {@link #writeAll} writes, in order: c1_categorical.png, ... one per categorical code, then
     * cN_continuous_-2_to_2.png, ... one per continuous code (codes are numbered c1, c2, ... across both kinds).
     */
    public static java.util.List<String> fileNames(LatentSpec s) {
        java.util.List<String> names = new java.util.ArrayList<>();
        int code = 1;
        for (int k = 0; k < s.categorical().length; k++, code++) names.add("c" + code + "_categorical.png");
        for (int j = 0; j < s.continuous(); j++, code++) names.add("c" + code + "_continuous_-2_to_2.png");
        return names;
    }

    /** Writes the categorical grids (one per categorical code) and the continuous traversals into dir: {@link #fileNames}. */
    public static void writeAll(InfoGan m, Path dir, long seed) {
        LatentSpec s = m.cfg.latent();
        java.util.List<String> names = fileNames(s);
        int file = 0;
        for (int k = 0; k < s.categorical().length; k++) {
            int K = s.categorical()[k];
            float[] img = generate(m, categoricalGrid(s, k, seed), ROWS * K);
            PngWriter.write(dir.resolve(names.get(file++)), ImageGrid.grid(img, ROWS * K, 28, 28, ROWS, K, 2));
        }
        for (int j = 0; j < s.continuous(); j++) {
            float[] img = generate(m, continuousGrid(s, j, seed), ROWS * STEPS);
            PngWriter.write(dir.resolve(names.get(file++)), ImageGrid.grid(img, ROWS * STEPS, 28, 28, ROWS, STEPS, 2));
        }
    }

    /** A sample grid during training (the first categorical code's layout). */
    public static void writeSamples(InfoGan m, Path file, long seed) {
        LatentSpec s = m.cfg.latent();
        float[] lat = s.categorical().length > 0 ? categoricalGrid(s, 0, seed) : continuousGrid(s, 0, seed);
        int cols = s.categorical().length > 0 ? s.categorical()[0] : STEPS;
        float[] img = generate(m, lat, ROWS * cols);
        PngWriter.write(file, ImageGrid.grid(img, ROWS * cols, 28, 28, ROWS, cols, 2));
    }

}
