package infogan.data;

/**
 * Dataset: an in-memory labelled image set, ready for training.
 *
 * <p>{@code images} holds {@code n * height * width} floats, image after image, each image row-major,
 * every value a byte divided by 255 (so in [0, 1]). {@code labels[i]} is the class of image {@code i}.
 * The arrays are shared, not copied: treat them as read-only.
 */
public record Dataset(int n, int height, int width, float[] images, byte[] labels) {

    /** Validates that the array lengths agree with {@code n}, {@code height} and {@code width}. */
    public Dataset {
        if (n < 0 || height <= 0 || width <= 0)
            throw new IllegalArgumentException("bad shape " + n + "x" + height + "x" + width);
        if (images.length != (long) n * height * width)
            throw new IllegalArgumentException("images has " + images.length + " values, shape needs " + (long) n * height * width);
        if (labels.length != n)
            throw new IllegalArgumentException("labels has " + labels.length + " entries, n = " + n);
    }

    /** Converts decoded IDX images and labels ({@code byte/255}); counts must already agree. */
    public static Dataset of(IdxReader.Images img, byte[] labels) {
        float[] f = new float[img.pixels().length];
        byte[] p = img.pixels();
        for (int i = 0; i < p.length; i++) f[i] = (p[i] & 0xff) / 255f;
        return new Dataset(img.n(), img.height(), img.width(), f, labels);
    }

    /** Values per image, {@code height * width}. */
    public int pixels() {
        return height * width;
    }

    /** The label of image {@code i} as 0..255. */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** Copies image {@code i} into {@code dst} at {@code offset}. */
    public void copyImage(int i, float[] dst, int offset) {
        System.arraycopy(images, i * pixels(), dst, offset, pixels());
    }

    /** How many images carry each label 0..maxLabel. */
    public int[] labelCounts(int maxLabel) {
        int[] c = new int[maxLabel + 1];
        for (byte b : labels) c[b & 0xff]++;
        return c;
    }

    @Override
    public String toString() {
        return "Dataset[n=" + n + ", " + height + "x" + width + "]";
    }
}
