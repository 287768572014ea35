package infogan.image;

/**
 * RgbRaster: a mutable 24-bit colour canvas ({@code width x height}, 3 bytes per pixel R,G,B,
 * row-major) with the few drawing primitives a chart needs: pixels, rectangles, lines, text.
 *
 * <p>Colours are {@code int}s {@code 0xRRGGBB}. Drawing outside the canvas (or outside the
 * current clip rectangle) is silently skipped, so callers need not clip themselves.
 */
public final class RgbRaster {
    private final int width, height;
    private final byte[] rgb;
    private int clipX0, clipY0, clipX1, clipY1; // inclusive-exclusive clip rectangle

    /** A canvas filled with {@code background}. */
    public RgbRaster(int width, int height, int background) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("size " + width + "x" + height);
        this.width = width;
        this.height = height;
        this.rgb = new byte[width * height * 3];
        resetClip();
        fillRect(0, 0, width, height, background);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing R,G,B bytes (shared). */
    public byte[] rgb() {
        return rgb;
    }

    /** Restricts drawing to {@code [x0, x1) x [y0, y1)}. */
    public void clip(int x0, int y0, int x1, int y1) {
        clipX0 = Math.max(0, x0);
        clipY0 = Math.max(0, y0);
        clipX1 = Math.min(width, x1);
        clipY1 = Math.min(height, y1);
    }

    /** Drawing may touch the whole canvas again. */
    public void resetClip() {
        clip(0, 0, width, height);
    }

    /** Sets one pixel to {@code 0xRRGGBB} (skipped when outside the clip). */
    public void set(int x, int y, int color) {
        if (x < clipX0 || y < clipY0 || x >= clipX1 || y >= clipY1) return;
        int o = (y * width + x) * 3;
        rgb[o] = (byte) (color >>> 16);
        rgb[o + 1] = (byte) (color >>> 8);
        rgb[o + 2] = (byte) color;
    }

    /** The colour at {@code (x, y)} as {@code 0xRRGGBB}. */
    public int get(int x, int y) {
        int o = (y * width + x) * 3;
        return ((rgb[o] & 0xff) << 16) | ((rgb[o + 1] & 0xff) << 8) | (rgb[o + 2] & 0xff);
    }

    /** Fills {@code w x h} pixels with top-left corner {@code (x, y)}. */
    public void fillRect(int x, int y, int w, int h, int color) {
        for (int j = y; j < y + h; j++)
            for (int i = x; i < x + w; i++) set(i, j, color);
    }

    /** Outlines a rectangle (1 px) with top-left {@code (x, y)}, size {@code w x h}. */
    public void drawRect(int x, int y, int w, int h, int color) {
        line(x, y, x + w - 1, y, color);
        line(x, y + h - 1, x + w - 1, y + h - 1, color);
        line(x, y, x, y + h - 1, color);
        line(x + w - 1, y, x + w - 1, y + h - 1, color);
    }

    /** A 1-px line from {@code (x0,y0)} to {@code (x1,y1)} by Bresenham's algorithm (integer only, so deterministic). */
    public void line(int x0, int y0, int x1, int y1, int color) {
        int dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
        while (true) {
            set(x0, y0, color);
            if (x0 == x1 && y0 == y1) return;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    /** A line drawn with a {@code thickness x thickness} square pen. */
    public void thickLine(int x0, int y0, int x1, int y1, int thickness, int color) {
        int lo = -(thickness - 1) / 2;
        for (int a = 0; a < thickness; a++)
            for (int b = 0; b < thickness; b++)
                line(x0 + lo + a, y0 + lo + b, x1 + lo + a, y1 + lo + b, color);
    }

    /** Text in the built-in {@link BitmapFont}, top-left at {@code (x, y)}, each font pixel drawn as {@code scale x scale}. */
    public void text(int x, int y, String s, int color, int scale) {
        BitmapFont.draw(this, x, y, s, color, scale);
    }
}
