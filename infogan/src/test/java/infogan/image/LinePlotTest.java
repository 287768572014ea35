package infogan.image;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LinePlotTest: size, series colours, reference-line placement, determinism, nice ticks. */
class LinePlotTest {
    static LinePlot sample() {
        int n = 200;
        double[] x = new double[n], a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 10;
            a[i] = 2.303 * (1 - Math.exp(-i / 30.0));
            b[i] = 1.2 + 0.4 * Math.sin(i / 9.0);
        }
        b[50] = Double.NaN; // a gap
        return new LinePlot(640, 400).title("InfoGAN losses").xLabel("step").yLabel("nats")
                .series("MI lower bound", x, a).series("D loss", x, b)
                .referenceLine(Math.log(10), "ln 10 = 2.303");
    }

    @Test
    void pngOfTheRightSizeWithBothSeriesColours(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("plot.png");
        LinePlot p = sample();
        p.writePng(f);
        PngReader.Decoded d = PngReader.decode(Files.readAllBytes(f));
        assertEquals(640, d.width());
        assertEquals(400, d.height());
        assertEquals(2, d.colorType());
        Set<Integer> colours = new HashSet<>();
        byte[] px = d.pixels();
        for (int i = 0; i < px.length; i += 3) colours.add(((px[i] & 0xff) << 16) | ((px[i + 1] & 0xff) << 8) | (px[i + 2] & 0xff));
        assertTrue(colours.contains(LinePlot.PALETTE[0]), "first series colour");
        assertTrue(colours.contains(LinePlot.PALETTE[1]), "second series colour");
        assertTrue(colours.contains(LinePlot.REFERENCE_COLOR), "reference line colour");
    }

    /** The MI plot's shape (one curve along the ceiling, others at the bottom): the legend must not hide the curve. */
    @Test
    void legendGoesWhereItHidesNoCurve() {
        int n = 100;
        double[] x = new double[n], top = new double[n], low = new double[n];
        for (int i = 0; i < n; i++) { x[i] = i; top[i] = 2.3 - 0.5 * Math.exp(-i / 10.0); low[i] = -0.25; }
        LinePlot p = new LinePlot(640, 400).series("cat1", x, top).series("cont1", x, low).referenceLine(Math.log(10), "ln 10");
        RgbRaster r = p.render();
        // Both curves hug an edge all along the right side, so no corner is free: the legend must find the free middle.
        int covered = 0;
        for (int i = 1; i < n - 1; i++) {   // the end points lie on the plot frame, drawn after the series
            if (r.get(p.columnOf(x[i]), p.rowOf(top[i])) != LinePlot.PALETTE[0]) covered++;
            if (r.get(p.columnOf(x[i]), p.rowOf(low[i])) != LinePlot.PALETTE[1]) covered++;
        }
        assertEquals(0, covered, covered + " data points are hidden under the legend");
    }

    @Test
    void referenceLineOnItsRow() {
        LinePlot p = sample();
        RgbRaster r = p.render();
        int row = p.rowOf(Math.log(10));
        int left = p.columnOf(0), right = p.columnOf(1990);
        int hits = 0, above = 0;
        for (int x = left; x <= right; x++) {
            if (r.get(x, row) == LinePlot.REFERENCE_COLOR) hits++;
            if (r.get(x, row - 2) == LinePlot.REFERENCE_COLOR) above++;
        }
        assertTrue(hits > 0.4 * (right - left), "dashed line covers ~60% of the row, got " + hits);
        assertTrue(above < 0.2 * (right - left), "the line is one row thick, not smeared (" + above + ")");
        assertTrue(p.rowOf(0) > row, "larger y is higher up");
    }

    @Test
    void deterministic() {
        assertArrayEquals(PngWriter.encode(sample().render()), PngWriter.encode(sample().render()));
    }

    @Test
    void niceTicks() {
        assertEquals(0.5, LinePlot.niceStep(0.31), 1e-12);
        assertEquals(2, LinePlot.niceStep(1.7), 1e-12);
        assertEquals(100, LinePlot.niceStep(73), 1e-12);
        assertEquals("2.5", LinePlot.format(2.5, 0.5));
        assertEquals("0", LinePlot.format(-1e-17, 1));
        assertEquals("1000", LinePlot.format(1000, 200));
    }
}
