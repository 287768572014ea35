package infogan.image;

/**
 * ImageGrid: tiles many small images (e.g. a batch of generated digits) into one gray raster,
 * row by row: image {@code k} goes to row {@code k / cols}, column {@code k % cols}.
 *
 * <p>Values are clamped to [0, 1] and mapped to bytes. {@code pad} pixels of separator (mid-gray
 * by default, so that both black and white digit backgrounds stay distinguishable) lie between
 * neighbouring tiles, not around the border. Cells beyond {@code count} are left as separator.
 */
public final class ImageGrid {
    /** Default separator value (mid-gray). */
    public static final float DEFAULT_PAD_VALUE = 0.5f;

    private ImageGrid() {}

    /** Grid with the default mid-gray separators. */
    public static GrayRaster grid(float[] images, int count, int h, int w, int rows, int cols, int pad) {
        return grid(images, count, h, w, rows, cols, pad, DEFAULT_PAD_VALUE);
    }

    /**
     * Tiles the first {@code min(count, rows*cols)} images of {@code images} (each {@code h*w} floats,
     * row-major) into a raster of {@code cols*w + (cols-1)*pad} by {@code rows*h + (rows-1)*pad} pixels.
     */
    public static GrayRaster grid(float[] images, int count, int h, int w, int rows, int cols, int pad, float padValue) {
        if (h <= 0 || w <= 0 || rows <= 0 || cols <= 0 || pad < 0 || count < 0)
            throw new IllegalArgumentException("bad grid geometry");
        if ((long) count * h * w > images.length)
            throw new IllegalArgumentException(count + " images of " + h + "x" + w + " need " + (long) count * h * w
                    + " values, array has " + images.length);
        int width = cols * w + (cols - 1) * pad, height = rows * h + (rows - 1) * pad;
        byte[] px = new byte[width * height];
        java.util.Arrays.fill(px, GrayRaster.toByte(padValue));
        int n = Math.min(count, rows * cols);
        for (int k = 0; k < n; k++) {
            int top = (k / cols) * (h + pad), left = (k % cols) * (w + pad);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    px[(top + y) * width + left + x] = GrayRaster.toByte(images[k * h * w + y * w + x]);
        }
        return new GrayRaster(width, height, px);
    }
}
