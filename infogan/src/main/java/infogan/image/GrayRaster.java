package infogan.image;

/**
 * GrayRaster: an 8-bit grayscale picture, {@code width x height} bytes row-major (0 black, 255 white).
 * The array is shared, not copied.
 */
public record GrayRaster(int width, int height, byte[] pixels) {
    /** Checks that {@code pixels} has exactly {@code width * height} entries. */
    public GrayRaster {
        if (width <= 0 || height <= 0 || pixels.length != width * height)
            throw new IllegalArgumentException(width + "x" + height + " needs " + width * height + " bytes, got " + pixels.length);
    }

    /** A black raster. */
    public GrayRaster(int width, int height) {
        this(width, height, new byte[width * height]);
    }

    /** The value at column {@code x}, row {@code y}, as 0..255. */
    public int get(int x, int y) {
        return pixels[y * width + x] & 0xff;
    }

    /** Maps a float in [0,1] (values outside are clamped, NaN becomes 0) to a byte, rounding to nearest. */
    public static byte toByte(float v) {
        if (!(v > 0)) return 0;
        if (v >= 1) return (byte) 255;
        return (byte) Math.round(v * 255f);
    }
}
