package infogan.train;

import infogan.data.BatchSampler;
import infogan.data.Datasets;
import infogan.engine.backend.Backend;
import infogan.image.LinePlot;
import infogan.model.Evaluator;
import infogan.model.Figures;
import infogan.model.InfoGan;
import infogan.model.InfoLoss;
import infogan.model.LatentSpec;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training loop: batches → {@link InfoGan#step} → metrics, sample grids, checkpoints; at the end the paper's
 * figures and the unsupervised-accuracy evaluation. A run lives in one folder:
 * <pre>
 *   config.properties   metrics.csv   losses.png   mutual_information.png   samples/iter_NNNNNN.png
 *   checkpoint.ckpt     c1_categorical.png   c2_continuous_-2_to_2.png ...   eval.txt   confusion.csv
 * </pre>
 * Training never reads labels; they feed only the evaluation.
 */
public final class Trainer {
    /** Non-finite losses: the run stops, the last good checkpoint stays. */
    public static final class DivergedException extends RuntimeException {
        DivergedException(String m) { super(m); }
    }

    static final int SATURATION_WINDOW = 500;
    static final double SATURATION_LEVEL = 0.02;

    private final TrainConfig cfg;
    private final Path runDir;
    private final Backend backend;
    private final PrintStream out;
    private final boolean progress;

    private Datasets.Split data;

    public Trainer(TrainConfig cfg, Path runDir, Backend backend, PrintStream out, boolean progress) {
        this.cfg = cfg; this.runDir = runDir; this.backend = backend; this.out = out; this.progress = progress;
    }

    /** Loads (once) and returns the run's data; the CLI calls it first so a bad file fails before anything is written. */
    public Datasets.Split data() {
        if (data == null) data = loadData(cfg.dataset(), cfg.dataDir());
        return data;
    }

    public static Datasets.Split loadData(String dataset, Path dir) {
        return switch (dataset) {
            case "mnist" -> dir == null ? Datasets.mnistEmbedded() : Datasets.fromDir(dir);
            case "fashion-mnist" -> Datasets.fashionMnist(dir);
            default -> throw new IllegalArgumentException("unknown dataset '" + dataset + "': expected mnist or fashion-mnist");
        };
    }

    public record Result(InfoGan model, Evaluator.Result eval, InfoGan.StepStats last, double msPerIteration) { }

    /** Trains from scratch (resume == false) or continues the checkpoint in runDir. */
    public Result run(boolean resume) {
        Datasets.Split data = data();
        InfoGan m = new InfoGan(backend, cfg.model(), cfg.seed());
        BatchSampler sampler = new BatchSampler(data.train(), cfg.model().batch(), cfg.seed() * 31 + 7);
        Path ckpt = runDir.resolve("checkpoint.ckpt"), csv = runDir.resolve("metrics.csv"), evalCsv = runDir.resolve("eval.csv");
        long start = 0;
        try {
            Files.createDirectories(runDir.resolve("samples"));
            if (resume) {
                var r = Checkpoints.open(ckpt);
                start = Checkpoints.load(r, m);
                sampler.restore(r.getLongs("sampler.state"), r.getInts("sampler.permutation"));
                truncateCsv(csv, start);
                truncateCsv(evalCsv, start);
                out.printf(Locale.ROOT, "resuming %s at iteration %d of %d%n", runDir, start, cfg.iterations());
            } else {
                Files.writeString(runDir.resolve("config.properties"), cfg.toProperties());
                Files.writeString(csv, csvHeader(cfg.model().latent()) + "\n");
                Files.writeString(evalCsv, "iteration,heldout_accuracy\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to run folder " + runDir + ": " + e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "training InfoGAN on %s (%d training images, %d held out) | backend %s | latent %s | batch %d | %d iterations | run %s%n",
                cfg.dataset(), data.train().n(), data.heldout().n(), backend.name(), cfg.model().latent(), cfg.model().batch(), cfg.iterations(), runDir);

        float[] batch = new float[cfg.model().batch() * 784];
        Window w = new Window(cfg.model().latent());
        InfoGan.StepStats last = null;
        int lowDFake = 0;
        boolean warned = false;
        long t0 = System.nanoTime(), trainedIts = 0;
        try (ProgressBar pb = progress ? new ProgressBarBuilder().setTaskName("train").setInitialMax(cfg.iterations())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setMaxRenderedLength(140).startsFrom(start, java.time.Duration.ZERO).build() : null) {
            for (long it = start + 1; it <= cfg.iterations(); it++) {
                sampler.next(batch);
                InfoGan.StepStats s = m.step(batch);
                trainedIts++;
                if (!finite(s))
                    throw new DivergedException(String.format(Locale.ROOT, "training diverged at iteration %d (D loss %s, G loss %s); the last good checkpoint is %s",
                            it, s.dLoss(), s.gLoss(), Files.exists(ckpt) ? ckpt : "(none written yet)"));
                last = s;
                w.add(s);
                lowDFake = s.dFake() < SATURATION_LEVEL ? lowDFake + 1 : 0;
                if (lowDFake >= SATURATION_WINDOW && !warned) {
                    warned = true;
                    out.printf(Locale.ROOT, "warning: D is saturating: mean D(G(z)) has stayed below %.2f for %d iterations (G gets little gradient); consider more iterations or a lower D learning rate%n",
                            SATURATION_LEVEL, SATURATION_WINDOW);
                }
                if (it % cfg.logEvery() == 0 || it == cfg.iterations()) {
                    double ms = (System.nanoTime() - t0) / 1e6 / trainedIts;
                    Files.writeString(csv, w.csvRow(it, ms) + "\n", StandardOpenOption.APPEND);
                    if (pb != null) pb.setExtraMessage(w.shortText());
                    else out.println(w.logLine(it, ms));
                    w.clear();
                }
                if (cfg.sampleEvery() > 0 && it % cfg.sampleEvery() == 0)
                    Figures.writeSamples(m, runDir.resolve(String.format("samples/iter_%06d.png", it)), cfg.seed());
                if (cfg.evalEvery() > 0 && it % cfg.evalEvery() == 0 && cfg.model().latent().categorical().length > 0) {
                    double acc = Evaluator.evaluate(m, data.heldout(), 100).accuracy();
                    Files.writeString(evalCsv, String.format(Locale.ROOT, "%d,%.4f%n", it, acc), StandardOpenOption.APPEND);
                    if (pb == null) out.printf(Locale.ROOT, "iter %6d | held-out accuracy of c1 (best matching): %.2f%%%n", it, 100 * acc);
                }
                if (cfg.checkpointEvery() > 0 && it % cfg.checkpointEvery() == 0 && it != cfg.iterations())
                    Checkpoints.save(ckpt, m, cfg.toProperties(), it, sampler.state(), sampler.permutation());
                if (pb != null) pb.stepTo(it);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to run folder " + runDir + ": " + e.getMessage(), e);
        }
        double msPerIt = trainedIts == 0 ? 0 : (System.nanoTime() - t0) / 1e6 / trainedIts;
        Checkpoints.save(ckpt, m, cfg.toProperties(), Math.max(start, cfg.iterations()), sampler.state(), sampler.permutation());
        Evaluator.Result ev = finish(m, data, runDir, cfg.seed(), out);
        if (trainedIts > 0) out.printf(Locale.ROOT, "%d iterations in %.1f s (%.1f ms/iteration)%n", trainedIts, trainedIts * msPerIt / 1000, msPerIt);
        return new Result(m, ev, last, msPerIt);
    }

    /** Plots, figures and evaluation of a trained model (also what `sample` and `eval` redo from a checkpoint). */
    public static Evaluator.Result finish(InfoGan m, Datasets.Split data, Path runDir, long seed, PrintStream out) {
        Path csv = runDir.resolve("metrics.csv");
        if (Files.exists(csv)) Plots.write(csv, runDir, m.cfg.latent());
        Figures.writeAll(m, runDir, seed);
        if (m.cfg.latent().categorical().length == 0) return null;
        Evaluator.Result ev = Evaluator.evaluate(m, data.heldout(), 100);
        String report = EvalReport.text(ev, data.heldout().n());
        try {
            Files.writeString(runDir.resolve("eval.txt"), report);
            Files.writeString(runDir.resolve("confusion.csv"), ev.confusion().toCsv());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to run folder " + runDir + ": " + e.getMessage(), e);
        }
        out.print(report);
        out.println("figures and metrics in " + runDir);
        return ev;
    }

    private static boolean finite(InfoGan.StepStats s) {
        if (!Double.isFinite(s.dLoss()) || !Double.isFinite(s.gLoss())) return false;
        for (double v : s.crossEntropy()) if (!Double.isFinite(v)) return false;
        for (double v : s.nll()) if (!Double.isFinite(v)) return false;
        return true;
    }

    static String csvHeader(LatentSpec s) {
        List<String> h = new ArrayList<>(List.of("iteration", "d_loss", "g_loss", "d_real", "d_fake"));
        for (int k = 0; k < s.categorical().length; k++) { h.add("ce_cat" + (k + 1)); h.add("mi_cat" + (k + 1)); }
        for (int j = 0; j < s.continuous(); j++) { h.add("nll_cont" + (j + 1)); h.add("mi_cont" + (j + 1)); }
        if (s.learnSigma()) { h.add("log_sigma_min"); h.add("log_sigma_max"); }
        h.add("ms_per_iteration");
        return String.join(",", h);
    }

    private static void truncateCsv(Path csv, long upTo) throws IOException {
        if (!Files.exists(csv)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            if (keep.isEmpty()) { keep.add(line); continue; }
            String first = line.substring(0, Math.max(0, line.indexOf(',')));
            if (!first.isEmpty() && Long.parseLong(first) <= upTo) keep.add(line);
        }
        Files.write(csv, keep, StandardCharsets.UTF_8);
    }

    /** Running means of the step statistics between two log lines. */
    static final class Window {
        final LatentSpec spec;
        int n;
        double d, g, dr, df, lsMin = Double.POSITIVE_INFINITY, lsMax = Double.NEGATIVE_INFINITY;
        final double[] ce, nll;

        Window(LatentSpec spec) {
            this.spec = spec;
            ce = new double[spec.categorical().length];
            nll = new double[spec.continuous()];
        }

        void add(InfoGan.StepStats s) {
            n++;
            d += s.dLoss(); g += s.gLoss(); dr += s.dReal(); df += s.dFake();
            for (int k = 0; k < ce.length; k++) ce[k] += s.crossEntropy()[k];
            for (int j = 0; j < nll.length; j++) nll[j] += s.nll()[j];
            lsMin = Math.min(lsMin, s.logSigmaMin());
            lsMax = Math.max(lsMax, s.logSigmaMax());
        }

        void clear() {
            n = 0; d = g = dr = df = 0;
            java.util.Arrays.fill(ce, 0);
            java.util.Arrays.fill(nll, 0);
            lsMin = Double.POSITIVE_INFINITY; lsMax = Double.NEGATIVE_INFINITY;
        }

        String csvRow(long it, double ms) {
            StringBuilder b = new StringBuilder();
            b.append(it).append(',').append(f(d / n)).append(',').append(f(g / n)).append(',').append(f(dr / n)).append(',').append(f(df / n));
            for (int k = 0; k < ce.length; k++) b.append(',').append(f(ce[k] / n)).append(',').append(f(InfoLoss.categoricalBound(spec.categorical()[k], ce[k] / n)));
            for (int j = 0; j < nll.length; j++) b.append(',').append(f(nll[j] / n)).append(',').append(f(InfoLoss.continuousBound(nll[j] / n)));
            if (spec.learnSigma()) b.append(',').append(f(lsMin)).append(',').append(f(lsMax));
            b.append(',').append(String.format(Locale.ROOT, "%.1f", ms));
            return b.toString();
        }

        String shortText() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f", d / n, g / n, dr / n, df / n));
            for (int k = 0; k < ce.length; k++)
                b.append(String.format(Locale.ROOT, " MI(c%d) %.3f/%.3f", k + 1, InfoLoss.categoricalBound(spec.categorical()[k], ce[k] / n), Math.log(spec.categorical()[k])));
            return b.toString();
        }

        String logLine(long it, double ms) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "iter %6d | %s", it, shortText()));
            for (int j = 0; j < nll.length; j++) b.append(String.format(Locale.ROOT, " NLL(cont%d) %.3f", j + 1, nll[j] / n));
            if (spec.learnSigma()) b.append(String.format(Locale.ROOT, " log σ [%.2f, %.2f]", lsMin, lsMax));
            b.append(String.format(Locale.ROOT, " | %.0f ms/it", ms));
            return b.toString();
        }

        private static String f(double v) { return String.format(Locale.ROOT, "%.6g", v); }
    }
}
