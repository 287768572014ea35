package infogan.image;

import java.util.HashMap;
import java.util.Map;

/**
 * BitmapFont: a tiny built-in 5x7 pixel font, so charts can carry text without java.desktop.
 *
 * <p>It covers digits, the letters A–Z (lower-case letters are drawn with the upper-case glyphs),
 * space and {@code . - = : / ( ) _ + , %}; anything else is drawn as {@code ?}. Each glyph is seven
 * rows of five bits, written below as strings so the shapes can be read in the source. Glyphs sit
 * in a 6-pixel advance (one column of spacing) and are 7 pixels high.
 */
public final class BitmapFont {
    /** Glyph width in font pixels. */
    public static final int GLYPH_W = 5;
    /** Glyph height in font pixels. */
    public static final int GLYPH_H = 7;
    /** Horizontal advance per character in font pixels (glyph plus one blank column). */
    public static final int ADVANCE = 6;

    private static final Map<Character, int[]> GLYPHS = new HashMap<>();

    private static void g(char c, String rows) {
        String[] r = rows.split(" ");
        int[] bits = new int[GLYPH_H];
        for (int i = 0; i < GLYPH_H; i++) bits[i] = Integer.parseInt(r[i], 2);
        GLYPHS.put(c, bits);
    }

    static {
        g('0', "01110 10001 10011 10101 11001 10001 01110");
        g('1', "00100 01100 00100 00100 00100 00100 01110");
        g('2', "01110 10001 00001 00010 00100 01000 11111");
        g('3', "11111 00010 00100 00010 00001 10001 01110");
        g('4', "00010 00110 01010 10010 11111 00010 00010");
        g('5', "11111 10000 11110 00001 00001 10001 01110");
        g('6', "00110 01000 10000 11110 10001 10001 01110");
        g('7', "11111 00001 00010 00100 01000 01000 01000");
        g('8', "01110 10001 10001 01110 10001 10001 01110");
        g('9', "01110 10001 10001 01111 00001 00010 01100");
        g('A', "01110 10001 10001 11111 10001 10001 10001");
        g('B', "11110 10001 10001 11110 10001 10001 11110");
        g('C', "01110 10001 10000 10000 10000 10001 01110");
        g('D', "11100 10010 10001 10001 10001 10010 11100");
        g('E', "11111 10000 10000 11110 10000 10000 11111");
        g('F', "11111 10000 10000 11110 10000 10000 10000");
        g('G', "01110 10001 10000 10111 10001 10001 01111");
        g('H', "10001 10001 10001 11111 10001 10001 10001");
        g('I', "01110 00100 00100 00100 00100 00100 01110");
        g('J', "00111 00010 00010 00010 00010 10010 01100");
        g('K', "10001 10010 10100 11000 10100 10010 10001");
        g('L', "10000 10000 10000 10000 10000 10000 11111");
        g('M', "10001 11011 10101 10101 10001 10001 10001");
        g('N', "10001 10001 11001 10101 10011 10001 10001");
        g('O', "01110 10001 10001 10001 10001 10001 01110");
        g('P', "11110 10001 10001 11110 10000 10000 10000");
        g('Q', "01110 10001 10001 10001 10101 10010 01101");
        g('R', "11110 10001 10001 11110 10100 10010 10001");
        g('S', "01111 10000 10000 01110 00001 00001 11110");
        g('T', "11111 00100 00100 00100 00100 00100 00100");
        g('U', "10001 10001 10001 10001 10001 10001 01110");
        g('V', "10001 10001 10001 10001 10001 01010 00100");
        g('W', "10001 10001 10001 10101 10101 10101 01010");
        g('X', "10001 10001 01010 00100 01010 10001 10001");
        g('Y', "10001 10001 10001 01010 00100 00100 00100");
        g('Z', "11111 00001 00010 00100 01000 10000 11111");
        g(' ', "00000 00000 00000 00000 00000 00000 00000");
        g('.', "00000 00000 00000 00000 00000 01100 01100");
        g('-', "00000 00000 00000 11111 00000 00000 00000");
        g('=', "00000 00000 11111 00000 11111 00000 00000");
        g(':', "00000 01100 01100 00000 01100 01100 00000");
        g('/', "00000 00001 00010 00100 01000 10000 00000");
        g('(', "00010 00100 01000 01000 01000 00100 00010");
        g(')', "01000 00100 00010 00010 00010 00100 01000");
        g('_', "00000 00000 00000 00000 00000 00000 11111");
        g('+', "00000 00100 00100 11111 00100 00100 00000");
        g(',', "00000 00000 00000 00000 01100 00100 01000");
        g('%', "11000 11001 00010 00100 01000 10011 00011");
        g('?', "01110 10001 00001 00010 00100 00000 00100");
    }

    private BitmapFont() {}

    /** Width in canvas pixels of {@code s} at {@code scale} (no trailing spacing column). */
    public static int width(String s, int scale) {
        return s.isEmpty() ? 0 : (s.length() * ADVANCE - 1) * scale;
    }

    /** Height in canvas pixels of one line at {@code scale}. */
    public static int height(int scale) {
        return GLYPH_H * scale;
    }

    /** The 7 row bitmasks (bit 4 = leftmost column) used for {@code c}. */
    public static int[] glyph(char c) {
        int[] g = GLYPHS.get(Character.toUpperCase(c));
        return g != null ? g : GLYPHS.get('?');
    }

    /** Draws {@code s} with its top-left corner at {@code (x, y)}. */
    public static void draw(RgbRaster r, int x, int y, String s, int color, int scale) {
        for (int k = 0; k < s.length(); k++) {
            int[] rows = glyph(s.charAt(k));
            int gx = x + k * ADVANCE * scale;
            for (int row = 0; row < GLYPH_H; row++)
                for (int col = 0; col < GLYPH_W; col++)
                    if ((rows[row] >> (GLYPH_W - 1 - col) & 1) != 0)
                        r.fillRect(gx + col * scale, y + row * scale, scale, scale, color);
        }
    }
}
