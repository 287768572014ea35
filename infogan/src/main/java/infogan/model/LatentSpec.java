package infogan.model;

import java.util.Arrays;

/**
 * The layout of G's input: {@code [ z (noise) | c_cat one-hot codes | c_cont continuous codes ]}.
 * The paper's MNIST setup is 62 noise + one Cat(10) + two U(−1, 1) codes = 74.
 * Q's output has the matching layout: {@code [ logits of each categorical code | μ of each continuous code | log σ of
 * each continuous code (only when σ is learned) ]}.
 */
public record LatentSpec(int noise, int[] categorical, int continuous, boolean learnSigma) {

    /**
     * Bounds that keep a layout trainable and its figures drawable: G's first layer is (noise + codes) x 1024 weights,
     * each categorical code's figure has a column per category, each continuous code gets a figure of its own.
     */
    public static final int MAX_NOISE = 4096, MAX_CATEGORIES = 100, MAX_CATEGORICAL_CODES = 8, MAX_CONTINUOUS = 16;

    public LatentSpec {
        if (noise < 0 || continuous < 0) throw new IllegalArgumentException("latent sizes must be non-negative");
        if (noise > MAX_NOISE) throw new IllegalArgumentException("at most " + MAX_NOISE + " noise dimensions, got " + noise);
        if (categorical.length > MAX_CATEGORICAL_CODES)
            throw new IllegalArgumentException("at most " + MAX_CATEGORICAL_CODES + " categorical codes, got " + categorical.length);
        if (continuous > MAX_CONTINUOUS) throw new IllegalArgumentException("at most " + MAX_CONTINUOUS + " continuous codes, got " + continuous);
        for (int k : categorical) if (k < 2) throw new IllegalArgumentException("a categorical code needs at least 2 categories, got " + k);
        for (int k : categorical)
            if (k > MAX_CATEGORIES) throw new IllegalArgumentException("a categorical code has at most " + MAX_CATEGORIES + " categories (its figure draws a column per category), got " + k);
        if (categorical.length == 0 && continuous == 0) throw new IllegalArgumentException("InfoGAN needs at least one code (categorical or continuous)");
        categorical = categorical.clone();
    }

    public static LatentSpec mnist() { return new LatentSpec(62, new int[]{10}, 2, false); }

    /** Parses "62,10,2" style layouts: noise, categorical sizes separated by '+', continuous count: "62:10+10:2". */
    public static LatentSpec parse(String s, boolean learnSigma) {
        String[] parts = s.split(":", -1);
        if (parts.length != 3) throw new IllegalArgumentException("expected NOISE:CAT[+CAT...]:CONT, e.g. 62:10:2");
        try {
            int noise = Integer.parseInt(parts[0].trim());
            // split with -1 keeps empty pieces, so "10+" and "+10" are errors rather than "10"
            int[] cats = parts[1].isBlank() ? new int[0] : Arrays.stream(parts[1].split("\\+", -1)).map(String::trim).mapToInt(Integer::parseInt).toArray();
            int cont = Integer.parseInt(parts[2].trim());
            return new LatentSpec(noise, cats, cont, learnSigma);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected NOISE:CAT[+CAT...]:CONT with whole numbers, e.g. 62:10:2");
        }
    }

    public int categoricalWidth() { return Arrays.stream(categorical).sum(); }

    /** Width of G's input. */
    public int size() { return noise + categoricalWidth() + continuous; }

    /** Width of Q's output. */
    public int qOutputs() { return categoricalWidth() + continuous * (learnSigma ? 2 : 1); }

    /** Offset of categorical code k's one-hot block in the latent vector. */
    public int categoricalOffset(int k) {
        int off = noise;
        for (int i = 0; i < k; i++) off += categorical[i];
        return off;
    }

    @Override
    public String toString() {
        return noise + ":" + String.join("+", Arrays.stream(categorical).mapToObj(Integer::toString).toList()) + ":" + continuous;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatentSpec l && l.noise == noise && Arrays.equals(l.categorical, categorical)
                && l.continuous == continuous && l.learnSigma == learnSigma;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(categorical) * 31 + noise * 7 + continuous * 3 + (learnSigma ? 1 : 0); }
}
