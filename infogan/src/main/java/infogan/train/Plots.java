package infogan.train;

import infogan.image.LinePlot;
import infogan.model.LatentSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** losses.png (D and G losses) and mutual_information.png (each code's MI lower bound, with the ln K ceiling). */
public final class Plots {
    private Plots() { }

    public static void write(Path csv, Path dir, LatentSpec spec) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
        if (lines.size() < 2) return;
        List<String> head = List.of(lines.get(0).split(","));
        int n = lines.size() - 1;
        double[][] cols = new double[head.size()][n];
        for (int r = 0; r < n; r++) {
            String[] v = lines.get(r + 1).split(",");
            for (int c = 0; c < head.size() && c < v.length; c++) cols[c][r] = Double.parseDouble(v[c]);
        }
        double[] it = cols[0];
        new LinePlot(800, 450).title("InfoGAN losses").xLabel("iteration").yLabel("loss")
                .series("D loss", it, cols[head.indexOf("d_loss")]).series("G loss", it, cols[head.indexOf("g_loss")])
                .writePng(dir.resolve("losses.png"));
        LinePlot mi = new LinePlot(800, 450).title("MI lower bound L_I per code (nats)").xLabel("iteration").yLabel("nats");
        for (int k = 0; k < spec.categorical().length; k++) {
            mi.series("cat" + (k + 1), it, cols[head.indexOf("mi_cat" + (k + 1))]);
            if (k == 0) mi.referenceLine(Math.log(spec.categorical()[0]), String.format(Locale.ROOT, "ln %d = %.3f", spec.categorical()[0], Math.log(spec.categorical()[0])));
        }
        for (int j = 0; j < spec.continuous(); j++) mi.series("cont" + (j + 1) + " (ln 2 - NLL)", it, cols[head.indexOf("mi_cont" + (j + 1))]);
        mi.writePng(dir.resolve("mutual_information.png"));
    }
}
