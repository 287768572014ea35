package infogan.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * LinePlot: a small, deterministic line-chart renderer (training curves) to an {@link RgbRaster}.
 *
 * <p>Usage: {@code new LinePlot(640, 400).title("losses").xLabel("step").series("D", xs, ys)
 * .referenceLine(Math.log(10), "ln 10 = 2.303").writePng(path)}.
 *
 * <p>Layout: a title strip on top, y tick labels on the left, x tick labels and the x label below,
 * the plot area in the middle with light grid lines at "nice" ticks (1, 2 or 5 times a power of
 * ten), series drawn as 2-px polylines in a fixed palette (NaN/infinite points break the line),
 * an optional dashed horizontal reference line with its label, and a legend inside the plot area
 * where it hides the fewest series pixels (a corner, or halfway up a side). The y range covers all finite data and the reference line, padded by
 * 5%. Text uses {@link BitmapFont} (upper-case glyphs). Everything is integer drawing, so the
 * same input gives the same bytes.
 *
 * <p>After {@link #render()}, {@link #rowOf(double)} and {@link #columnOf(double)} map data
 * coordinates to pixels (used by tests and by callers wanting annotations).
 */
public final class LinePlot {
    /** Series colours, in order (Tableau 10). */
    public static final int[] PALETTE = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
            0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};
    /** Colour of the reference line and its label. */
    public static final int REFERENCE_COLOR = 0x404040;
    static final int BACKGROUND = 0xffffff, AXIS = 0x000000, GRID = 0xe6e6e6, TEXT = 0x202020;

    private record Series(String name, double[] x, double[] y) {}

    private final int width, height;
    private final List<Series> series = new ArrayList<>();
    private String title = "", xLabel = "", yLabel = "";
    private double refY = Double.NaN;
    private String refLabel = "";
    // Layout, fixed by render():
    private int left, right, top, bottom;
    private double xMin, xMax, yMin, yMax;

    /** A chart of {@code width x height} pixels (at least 160 x 120). */
    public LinePlot(int width, int height) {
        if (width < 160 || height < 120) throw new IllegalArgumentException("chart too small: " + width + "x" + height);
        this.width = width;
        this.height = height;
    }

    public LinePlot title(String t) {
        title = t;
        return this;
    }

    public LinePlot xLabel(String t) {
        xLabel = t;
        return this;
    }

    public LinePlot yLabel(String t) {
        yLabel = t;
        return this;
    }

    /** Adds a series; {@code x} and {@code y} must have equal lengths. Colours follow {@link #PALETTE}. */
    public LinePlot series(String name, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException(name + ": x has " + x.length + " points, y " + y.length);
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** A dashed horizontal line at {@code y}, labelled {@code label} (e.g. the ln K ceiling). */
    public LinePlot referenceLine(double y, String label) {
        refY = y;
        refLabel = label;
        return this;
    }

    /** Renders the chart. */
    public RgbRaster render() {
        computeRanges();
        RgbRaster r = new RgbRaster(width, height, BACKGROUND);
        int ch = BitmapFont.height(1);
        // Title (double size) and axis labels.
        if (!title.isEmpty()) r.text((width - BitmapFont.width(title, 2)) / 2, 6, title, TEXT, 2);
        if (!xLabel.isEmpty()) r.text((left + right - BitmapFont.width(xLabel, 1)) / 2, height - ch - 4, xLabel, TEXT, 1);
        if (!yLabel.isEmpty()) r.text(4, top - ch - 4, yLabel, TEXT, 1);

        // Grid and tick labels.
        double yStep = yStep(), xStep = niceStep((xMax - xMin) / 6);
        for (double v = Math.ceil(yMin / yStep) * yStep; v <= yMax + 1e-9 * yStep; v += yStep) {
            int row = rowOf(v);
            r.line(left, row, right, row, GRID);
            String s = format(v, yStep);
            r.text(left - 4 - BitmapFont.width(s, 1), row - ch / 2, s, TEXT, 1);
        }
        for (double v = Math.ceil(xMin / xStep) * xStep; v <= xMax + 1e-9 * xStep; v += xStep) {
            int col = columnOf(v);
            r.line(col, top, col, bottom, GRID);
            String s = format(v, xStep);
            r.text(col - BitmapFont.width(s, 1) / 2, bottom + 5, s, TEXT, 1);
        }

        // Reference line: dashed, 6 on / 4 off, label just above its left end.
        r.clip(left + 1, top + 1, right, bottom);
        if (Double.isFinite(refY)) {
            int row = rowOf(refY);
            for (int x = left + 1; x < right; x++)
                if ((x - left - 1) % 10 < 6) r.set(x, row, REFERENCE_COLOR);
            r.text(left + 6, row - ch - 3, refLabel, REFERENCE_COLOR, 1);
        }

        // Series polylines.
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            int color = PALETTE[s % PALETTE.length];
            int px = 0, py = 0;
            boolean have = false;
            for (int i = 0; i < se.x().length; i++) {
                double x = se.x()[i], y = se.y()[i];
                if (!Double.isFinite(x) || !Double.isFinite(y)) { have = false; continue; }
                int cx = columnOf(x), cy = rowOf(y);
                if (have) r.thickLine(px, py, cx, cy, 2, color);
                else r.thickLine(cx, cy, cx, cy, 2, color);
                px = cx;
                py = cy;
                have = true;
            }
        }
        r.resetClip();
        r.drawRect(left, top, right - left + 1, bottom - top + 1, AXIS);

        // Legend inside the plot area, where it hides the fewest drawn series pixels: the first of the emptiest of
        // top-right, bottom-right, top-left, bottom-left, middle-right, middle-left.
        if (!series.isEmpty()) {
            int textW = 0;
            for (Series se : series) textW = Math.max(textW, BitmapFont.width(se.name(), 1));
            int boxW = 8 + 16 + 6 + textW + 8, rowH = ch + 6, boxH = 6 + series.size() * rowH;
            int[][] corners = {{right - boxW - 6, top + 6}, {right - boxW - 6, bottom - boxH - 6},
                               {left + 6, top + 6}, {left + 6, bottom - boxH - 6},
                               {right - boxW - 6, (top + bottom - boxH) / 2}, {left + 6, (top + bottom - boxH) / 2}};
            int bx = corners[0][0], by = corners[0][1];
            long fewest = Long.MAX_VALUE;
            for (int[] c : corners) {
                long covered = seriesPixels(r, c[0], c[1], boxW, boxH);
                if (covered < fewest) { fewest = covered; bx = c[0]; by = c[1]; }
            }
            r.fillRect(bx, by, boxW, boxH, BACKGROUND);
            r.drawRect(bx, by, boxW, boxH, 0xa0a0a0);
            for (int s = 0; s < series.size(); s++) {
                int y = by + 6 + s * rowH;
                r.fillRect(bx + 8, y + ch / 2 - 1, 16, 3, PALETTE[s % PALETTE.length]);
                r.text(bx + 8 + 16 + 6, y, series.get(s).name(), TEXT, 1);
            }
        }
        return r;
    }

    /** How many pixels of the box (x, y, w, h) hold a series colour (also counting the reference line's). */
    private static long seriesPixels(RgbRaster r, int x, int y, int w, int h) {
        long n = 0;
        for (int yy = Math.max(0, y); yy < Math.min(r.height(), y + h); yy++)
            for (int xx = Math.max(0, x); xx < Math.min(r.width(), x + w); xx++) {
                int c = r.get(xx, yy);
                if (c == REFERENCE_COLOR) { n++; continue; }
                for (int p : PALETTE) if (c == p) { n++; break; }
            }
        return n;
    }

    /** Renders and writes a PNG atomically. */
    public void writePng(Path file) {
        PngWriter.write(file, render());
    }

    /** Pixel row of data value {@code y} (valid after {@link #render()}). */
    public int rowOf(double y) {
        return bottom - (int) Math.round((y - yMin) / (yMax - yMin) * (bottom - top));
    }

    /** Pixel column of data value {@code x} (valid after {@link #render()}). */
    public int columnOf(double x) {
        return left + (int) Math.round((x - xMin) / (xMax - xMin) * (right - left));
    }

    // ---------------------------------------------------------------- internals

    private void computeRanges() {
        xMin = yMin = Double.POSITIVE_INFINITY;
        xMax = yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (int i = 0; i < s.x().length; i++) {
                double x = s.x()[i], y = s.y()[i];
                if (!Double.isFinite(x) || !Double.isFinite(y)) continue;
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        if (Double.isFinite(refY)) {
            yMin = Math.min(yMin, refY);
            yMax = Math.max(yMax, refY);
        }
        if (!(xMin <= xMax)) { xMin = 0; xMax = 1; }
        if (!(yMin <= yMax)) { yMin = 0; yMax = 1; }
        if (xMax - xMin == 0) { xMin -= 0.5; xMax += 0.5; }
        if (yMax - yMin == 0) { yMin -= 0.5; yMax += 0.5; }
        double pad = 0.05 * (yMax - yMin);
        yMin -= pad;
        yMax += pad;

        // Margins: room for the widest y tick label on the left, two text lines below.
        double yStep = yStep();
        int labelW = Math.max(BitmapFont.width(format(yMin, yStep), 1), BitmapFont.width(format(yMax, yStep), 1));
        int ch = BitmapFont.height(1);
        left = 10 + labelW + 6;
        right = width - 14;
        top = (title.isEmpty() ? 10 : 6 + BitmapFont.height(2) + 8) + (yLabel.isEmpty() ? 0 : ch + 4);
        bottom = height - (xLabel.isEmpty() ? 10 : ch + 10) - ch - 8;
    }

    /** The y tick spacing: aims at 5 to 8 grid lines. */
    private double yStep() {
        return niceStep((yMax - yMin) / 8);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / p;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    }

    /** Formats a tick value with as many decimals as the step needs (and "0", never "-0"). */
    static String format(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        if (Math.abs(v) < step * 1e-6) v = 0;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
