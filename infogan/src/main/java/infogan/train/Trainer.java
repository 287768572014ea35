package infogan.train;

import infogan.data.BatchSampler;
import infogan.io.IoErrors;
import infogan.data.Datasets;
import infogan.engine.backend.Backend;
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
 *   checkpoint.ckpt     c1_categorical.png   c2_continuous_-2_to_2.png ...   eval.txt   confusion.csv   .lock
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
    private Path dumpTape;

    /** Writes the first step's tape as Graphviz DOT to this file (--dump-tape). */
    public Trainer dumpTape(Path file) { dumpTape = file; return this; }

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

    /**
     * Trains from scratch (resume == false: runDir must not exist or be empty) or continues the checkpoint in runDir,
     * holding the folder's lock ({@link RunFolder}) throughout.
     */
    public Result run(boolean resume) {
        Datasets.Split data = data();
        try (RunFolder claimed = RunFolder.claim(runDir, resume)) {
            return train(data, resume);
        }
    }

    /** The iteration of the newest checkpoint on disk and the iteration running, for the interruption message. */
    private volatile long savedIteration = -1, currentIteration;

    /** On Ctrl-C or a kill signal: one line saying where the run stands and how to continue it. */
    private Thread interruptionNote(boolean resume) {
        return new Thread(() -> {
            if (savedIteration < 0) {
                System.err.printf(Locale.ROOT, resume ? "%ninterrupted while resuming, before anything in %s changed: run the same command again%n"
                        : "%ninterrupted before the first checkpoint; %s still counts as empty: run the same command again%n", runDir);
                return;
            }
            System.err.printf(Locale.ROOT, "%ninterrupted at iteration %d; %s keeps the checkpoint of iteration %d: continue with --resume %s%n",
                    currentIteration, runDir, savedIteration, runDir);
        }, "interruption-note");
    }

    private Result train(Datasets.Split data, boolean resume) {
        InfoGan m = new InfoGan(backend, cfg.model(), cfg.seed());
        BatchSampler sampler = new BatchSampler(data.train(), cfg.model().batch(), cfg.seed() * 31 + 7);
        Path ckpt = runDir.resolve("checkpoint.ckpt"), csv = runDir.resolve("metrics.csv"), evalCsv = runDir.resolve("eval.csv");
        Thread note = interruptionNote(resume);
        Runtime.getRuntime().addShutdownHook(note);
        try {
            long start = 0;
            try {
                if (resume) {
                    var r = Checkpoints.open(ckpt);
                    start = Checkpoints.load(r, m);
                    sampler.restore(r.getLongs("sampler.state"), r.getInts("sampler.permutation"));
                    String header = csvHeader(cfg.model().latent());
                    String have = Files.exists(csv) ? Files.readAllLines(csv, StandardCharsets.UTF_8).stream().findFirst().orElse("") : "";
                    if (!have.isEmpty() && !have.equals(header))
                        throw new IllegalArgumentException("--resume " + runDir + ": its metrics.csv has other columns than the checkpoint's model (latent "
                                + cfg.model().latent() + ") writes; the folder mixes two runs, so nothing was changed");
                    savedIteration = start;
                    // A run killed right after its first checkpoint may lack these: they start again from their headers.
                    if (have.isEmpty()) Files.writeString(csv, header + "\n");
                    else truncateCsv(csv, start);
                    if (!Files.exists(evalCsv) || Files.size(evalCsv) == 0) Files.writeString(evalCsv, EVAL_HEADER + "\n");
                    else truncateCsv(evalCsv, start);
                    Files.writeString(runDir.resolve("config.properties"), cfg.toProperties());   // --iterations may have grown
                    out.printf(Locale.ROOT, "resuming %s at iteration %d of %d%n", runDir, start, cfg.iterations());
                } else {
                    // The checkpoint first: a run killed before it leaves a folder that still counts as empty
                    // (RunFolder.leftover), one killed after it can be resumed.
                    Checkpoints.save(ckpt, m, cfg.toProperties(), 0, sampler.state(), sampler.permutation());
                    savedIteration = 0;
                    Files.writeString(runDir.resolve("config.properties"), cfg.toProperties());
                    Files.writeString(csv, csvHeader(cfg.model().latent()) + "\n");
                    Files.writeString(evalCsv, EVAL_HEADER + "\n");
                }
                Files.createDirectories(runDir.resolve("samples"));
            } catch (IOException e) {
                throw RunFolder.cannotWrite(runDir, e);
            }
            return trainFrom(m, data, sampler, start, ckpt, csv, evalCsv);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(note);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the note runs
            }
        }
    }

    static final String EVAL_HEADER = "iteration,heldout_accuracy";

    private Result trainFrom(InfoGan m, Datasets.Split data, BatchSampler sampler, long start, Path ckpt, Path csv, Path evalCsv) {
        out.printf(Locale.ROOT, "training InfoGAN on %s (%d training images, %d held out) | backend %s | latent %s | batch %d | %d iterations | run %s%n",
                cfg.dataset(), data.train().n(), data.heldout().n(), backend.name(), cfg.model().latent(), cfg.model().batch(), cfg.iterations(), runDir);

        float[] batch = new float[cfg.model().batch() * 784];
        if (dumpTape != null) m.dumpNextStep(dot -> {
            try {
                Files.writeString(dumpTape, dot);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write --dump-tape " + dumpTape + ": " + IoErrors.reason(e), e);
            }
        });
        InfoGan.StepStats last = null;
        long lowDFake = 0;
        boolean warned = false;
        long t0 = System.nanoTime(), trainedIts = 0;
        LatentSpec spec = cfg.model().latent();
        try (ProgressBar pb = progress ? new ProgressBarBuilder().setTaskName("train").setInitialMax(cfg.iterations())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setMaxRenderedLength(140).startsFrom(start, java.time.Duration.ZERO).build() : null) {
            for (long it = start + 1; it <= cfg.iterations(); it++) {
                currentIteration = it;
                sampler.next(batch);
                m.step(batch);
                trainedIts++;
                boolean checkpoint = cfg.checkpointEvery() > 0 && it % cfg.checkpointEvery() == 0 && it != cfg.iterations();
                if (it % cfg.logEvery() == 0 || it == cfg.iterations()) {
                    // The only read-back of training: the means of the statistics since the last log line.
                    InfoGan.StepStats s = m.readStats();
                    if (!finite(s)) throw diverged(it, s, ckpt);
                    last = s;
                    lowDFake = s.dFake() < SATURATION_LEVEL ? lowDFake + s.steps() : 0;
                    if (lowDFake >= SATURATION_WINDOW && !warned) {
                        warned = true;
                        out.printf(Locale.ROOT, "warning: D is saturating: mean D(G(z)) has stayed below %.2f for %d iterations (G gets little gradient); consider more iterations or a lower D learning rate%n",
                                SATURATION_LEVEL, lowDFake);
                    }
                    double ms = (System.nanoTime() - t0) / 1e6 / trainedIts;
                    Files.writeString(csv, csvRow(spec, it, s, ms) + "\n", StandardOpenOption.APPEND);
                    if (pb != null) pb.setExtraMessage(shortText(spec, s));
                    else out.println(logLine(spec, it, s, ms));
                } else if (checkpoint && !m.statsFinite()) {
                    throw diverged(it, null, ckpt);
                }
                if (cfg.sampleEvery() > 0 && it % cfg.sampleEvery() == 0)
                    Figures.writeSamples(m, runDir.resolve(String.format("samples/iter_%06d.png", it)), cfg.seed());
                if (cfg.evalEvery() > 0 && it % cfg.evalEvery() == 0 && spec.categorical().length > 0) {
                    double acc = Evaluator.evaluate(m, data.heldout(), 100).accuracy();
                    appendEval(evalCsv, it, acc);
                    if (pb == null) out.printf(Locale.ROOT, "iter %6d | held-out accuracy of c1 (best matching): %.2f%%%n", it, 100 * acc);
                }
                if (checkpoint) {
                    Checkpoints.save(ckpt, m, cfg.toProperties(), it, sampler.state(), sampler.permutation());
                    savedIteration = it;
                }
                if (pb != null) pb.stepTo(it);
            }
        } catch (IOException e) {
            throw RunFolder.cannotWrite(runDir, e);
        }
        double msPerIt = trainedIts == 0 ? 0 : (System.nanoTime() - t0) / 1e6 / trainedIts;
        int recordedOps = m.recordedOperations();
        m.releaseRecording();                                   // the graph's device memory, before the evaluation
        Checkpoints.save(ckpt, m, cfg.toProperties(), Math.max(start, cfg.iterations()), sampler.state(), sampler.permutation());
        savedIteration = Math.max(start, cfg.iterations());
        Evaluator.Result ev = finish(m, data, runDir, cfg.seed(), out);
        if (ev != null) {                                       // eval.csv always ends with the final accuracy
            try {
                if (lastIteration(evalCsv) < cfg.iterations()) appendEval(evalCsv, cfg.iterations(), ev.accuracy());
            } catch (IOException e) {
                throw RunFolder.cannotWrite(runDir, e);
            }
        }
        if (trainedIts > 0) out.printf(Locale.ROOT, "%d iterations in %.1f s (%s ms/iteration)%n", trainedIts, trainedIts * msPerIt / 1000, msText(msPerIt));
        if (recordedOps > 0)
            out.printf(Locale.ROOT, "each step after the first ran as one recorded graph of %,d operations%n", recordedOps);
        String work = backend.activity();
        if (work != null) out.println(work);
        return new Result(m, ev, last, msPerIt);
    }

    /** One eval.csv row: iteration, held-out accuracy. */
    private static void appendEval(Path evalCsv, long iteration, double accuracy) throws IOException {
        Files.writeString(evalCsv, String.format(Locale.ROOT, "%d,%.4f%n", iteration, accuracy), StandardOpenOption.APPEND);
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
            throw RunFolder.cannotWrite(runDir, e);
        }
        out.print(report);
        out.println("figures and metrics in " + runDir);
        return ev;
    }

    private static boolean finite(InfoGan.StepStats s) {
        if (!Double.isFinite(s.dLoss()) || !Double.isFinite(s.gLoss()) || !Double.isFinite(s.dReal()) || !Double.isFinite(s.dFake())) return false;
        for (double v : s.crossEntropy()) if (!Double.isFinite(v)) return false;
        for (double v : s.nll()) if (!Double.isFinite(v)) return false;
        return true;
    }

    private static DivergedException diverged(long it, InfoGan.StepStats s, Path ckpt) {
        return new DivergedException(String.format(Locale.ROOT, "training diverged by iteration %d (%s); the last good checkpoint is %s",
                it, s == null ? "a loss is NaN or infinite" : "D loss " + s.dLoss() + ", G loss " + s.gLoss(),
                Files.exists(ckpt) ? ckpt : "(none written yet)"));
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
            long it = rowIteration(csv, line);
            if (it >= 0 && it <= upTo) keep.add(line);
        }
        Files.write(csv, keep, StandardCharsets.UTF_8);
    }

    /** The iteration a CSV row starts with; -1 for a blank line (a row cut by a kill is blank or complete). */
    private static long rowIteration(Path csv, String line) {
        String first = line.substring(0, Math.max(0, line.indexOf(',')));
        if (first.isEmpty() && line.isBlank()) return -1;
        try {
            return Long.parseLong(first);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(csv + ": the row '" + (line.length() > 40 ? line.substring(0, 40) + "…" : line)
                    + "' does not start with an iteration number; was the file edited?");
        }
    }

    /** The iteration of the last row of a metrics or eval CSV (0 when it has none). */
    private static long lastIteration(Path csv) throws IOException {
        long last = 0;
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) last = Math.max(last, rowIteration(csv, lines.get(i)));
        return last;
    }

    static String csvRow(LatentSpec spec, long it, InfoGan.StepStats s, double ms) {
        StringBuilder b = new StringBuilder();
        b.append(it).append(',').append(f(s.dLoss())).append(',').append(f(s.gLoss())).append(',').append(f(s.dReal())).append(',').append(f(s.dFake()));
        for (int k = 0; k < s.crossEntropy().length; k++)
            b.append(',').append(f(s.crossEntropy()[k])).append(',').append(f(InfoLoss.categoricalBound(spec.categorical()[k], s.crossEntropy()[k])));
        for (double nll : s.nll()) b.append(',').append(f(nll)).append(',').append(f(InfoLoss.continuousBound(nll)));
        if (spec.learnSigma()) b.append(',').append(f(s.logSigmaMin())).append(',').append(f(s.logSigmaMax()));
        b.append(',').append(String.format(Locale.ROOT, "%.3f", ms));     // a GPU step takes about a millisecond
        return b.toString();
    }

    static String shortText(LatentSpec spec, InfoGan.StepStats s) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "D %.3f G %.3f D(x) %.2f D(G(z)) %.2f", s.dLoss(), s.gLoss(), s.dReal(), s.dFake()));
        for (int k = 0; k < s.crossEntropy().length; k++) {
            int K = spec.categorical()[k];
            b.append(String.format(Locale.ROOT, " MI(c%d) %.3f/%.3f", k + 1, InfoLoss.categoricalBound(K, s.crossEntropy()[k]), Math.log(K)));
        }
        return b.toString();
    }

    static String logLine(LatentSpec spec, long it, InfoGan.StepStats s, double ms) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "iter %6d | %s", it, shortText(spec, s)));
        for (int j = 0; j < s.nll().length; j++) b.append(String.format(Locale.ROOT, " NLL(cont%d) %.3f", j + 1, s.nll()[j]));
        if (spec.learnSigma()) b.append(String.format(Locale.ROOT, " log σ [%.2f, %.2f]", s.logSigmaMin(), s.logSigmaMax()));
        b.append(" | ").append(msText(ms)).append(" ms/it");
        return b.toString();
    }

    /** Milliseconds with three significant digits (all the integer digits from 100 on), no exponent: 1234, 311, 45.6, 0.870. */
    static String msText(double ms) {
        if (ms >= 99.95 || !Double.isFinite(ms)) return String.format(Locale.ROOT, "%.0f", ms);
        return new java.math.BigDecimal(ms).round(new java.math.MathContext(3)).toPlainString();
    }

    private static String f(double v) { return String.format(Locale.ROOT, "%.6g", v); }
}
