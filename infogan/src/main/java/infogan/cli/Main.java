package infogan.cli;

import infogan.data.DataException;
import infogan.data.Datasets;
import infogan.engine.backend.Backend;
import infogan.engine.backend.Backends;
import infogan.io.CheckpointException;
import infogan.model.InfoGan;
import infogan.model.LatentSpec;
import infogan.model.ModelConfig;
import infogan.train.Checkpoints;
import infogan.train.RunFolder;
import infogan.train.TrainConfig;
import infogan.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The command line: {@code train}, {@code eval}, {@code sample}. Every user error (a bad option, a bad data file, a
 * corrupt checkpoint, an existing run folder) ends in one line on stderr and a non-zero exit code, never a stack trace.
 */
@Command(name = "infogan-engine", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "InfoGAN (Chen et al. 2016) trained by a from-scratch Java engine on the CPU or an NVIDIA GPU.",
        subcommands = {Main.Train.class, Main.Eval.class, Main.Sample.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "missing command: train, eval or sample"); }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() { return new String[]{"infogan-engine 0.1.0 (Java " + Runtime.version() + ")"}; }
    }

    /** More threads than this only take turns (and each costs a stack): a bound, not a recommendation. */
    static final int MAX_THREADS = 1024;

    /** Options shared by every command. */
    static final class Common {
        @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda or auto (default: ${DEFAULT-VALUE})")
        String device;
        @Option(names = "--threads", description = "CPU threads (default: all cores)")
        Integer threads;

        Backend backend(PrintStream out) {
            int cores = Runtime.getRuntime().availableProcessors(), t = threads == null ? cores : threads;
            if (t < 1 || t > MAX_THREADS) throw new IllegalArgumentException("--threads must be in 1.." + MAX_THREADS + ", got " + t);
            if (t > cores)
                out.println("note: --threads " + t + " is more than the " + cores + " cores here; the extra threads only take turns");
            Backends.Choice c = Backends.select(device, t);
            out.println(c.line());
            return c.backend();
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train InfoGAN; writes a run folder with metrics, figures, evaluation and checkpoints.")
    static final class Train implements Callable<Integer> {
        @Parameters(index = "0", defaultValue = "mnist", description = "mnist (embedded 10k digits, or --data DIR) or fashion-mnist (default: ${DEFAULT-VALUE})")
        String dataset;
        @CommandLine.Mixin Common common = new Common();
        @Option(names = "--data", description = "folder with the standard IDX files (train-images-idx3-ubyte[.gz], ...)")
        Path data;
        @Option(names = "--seed", defaultValue = "1", description = "seed of the weights, latents and batch order (default: ${DEFAULT-VALUE})") long seed;
        @Option(names = "--iterations", defaultValue = "" + DEFAULT_ITERATIONS, description = "training iterations (default: ${DEFAULT-VALUE})")
        int iterations;
        @Option(names = "--batch", defaultValue = "100", description = "images per batch (default: ${DEFAULT-VALUE})") int batch;
        @Option(names = "--out", defaultValue = "runs", description = "parent folder of run folders (default: ${DEFAULT-VALUE})")
        Path out;
        @Option(names = "--name", description = "run folder name (default: DATASET-seedN)")
        String name;
        @Option(names = "--resume", description = "continue the run in this folder (its config wins; --iterations may extend it)")
        Path resume;
        @Option(names = "--log-every", defaultValue = "50", description = "metrics.csv row (and log line) every N iterations (default: ${DEFAULT-VALUE})") int logEvery;
        @Option(names = "--sample-every", defaultValue = "500", description = "sample grid into samples/ every N iterations (0: never; default: ${DEFAULT-VALUE})") int sampleEvery;
        @Option(names = "--checkpoint-every", defaultValue = "500", description = "checkpoint every N iterations, and always at the start and the end (0: only there; default: ${DEFAULT-VALUE})") int checkpointEvery;
        @Option(names = "--eval-every", defaultValue = "500", description = "held-out accuracy of c1 every N iterations into eval.csv (0: only at the end; default: ${DEFAULT-VALUE})")
        int evalEvery;
        @Option(names = "--latent", defaultValue = "62:10:2", description = "NOISE:CAT[+CAT...]:CONT (default: ${DEFAULT-VALUE})")
        String latent;
        @Option(names = "--learn-sigma", description = "learn σ of the continuous codes (bounded log σ) instead of fixing σ = 1")
        boolean learnSigma;
        @Option(names = "--lambda-cat", defaultValue = "1.0", description = "λ of the categorical codes' L_I terms (default: ${DEFAULT-VALUE})") double lambdaCat;
        @Option(names = "--lambda-cont", defaultValue = "1.0", description = "λ of the continuous codes' L_I terms (default: ${DEFAULT-VALUE})") double lambdaCont;
        @Option(names = "--lr-d", defaultValue = "2e-4", description = "Adam learning rate of D and Q (default: ${DEFAULT-VALUE})") double lrD;
        @Option(names = "--lr-g", defaultValue = "1e-3", description = "Adam learning rate of G (default: ${DEFAULT-VALUE})") double lrG;
        @Option(names = "--beta1", defaultValue = "0.5", description = "Adam β1 of both optimisers (β2 is 0.999; default: ${DEFAULT-VALUE})") double beta1;
        @Option(names = "--leak", defaultValue = "0.1", description = "leaky ReLU slope in D and Q (default: ${DEFAULT-VALUE})") double leak;
        @Option(names = "--dump-tape", description = "write the first step's tape (ops, shapes, norms) as Graphviz DOT to this file")
        Path dumpTape;
        @Option(names = "--no-progress", description = "print a log line every --log-every iterations instead of a progress bar")
        boolean noProgress;

        @Override
        public Integer call() {
            Backends.checkDevice(common.device);          // before the run folder is looked at
            PrintStream o = System.out;
            TrainConfig cfg;
            Path runDir;
            if (dumpTape != null) {                        // checked before any folder is made, and never overwritten
                Path tapeDir = dumpTape.toAbsolutePath().getParent();
                check(!Files.isDirectory(dumpTape), "--dump-tape " + dumpTape + " is a folder; give a file name, e.g. step.dot");
                check(!Files.exists(dumpTape, LinkOption.NOFOLLOW_LINKS), "--dump-tape " + dumpTape + " already exists; give a new file name (it is never overwritten)");
                check(tapeDir == null || Files.exists(tapeDir), "--dump-tape " + dumpTape + ": folder " + tapeDir + " does not exist");
                check(tapeDir == null || Files.isDirectory(tapeDir), "--dump-tape " + dumpTape + ": " + tapeDir + " is not a folder");
            }
            if (resume != null) {
                runDir = resume;
                Path ck = runDir.resolve("checkpoint.ckpt");
                if (!Files.isDirectory(runDir)) throw new IllegalArgumentException("--resume " + runDir + ": no such run folder");
                if (!Files.exists(ck)) throw new IllegalArgumentException("--resume " + runDir + ": no checkpoint.ckpt in that folder");
                var saved = Checkpoints.open(ck);
                cfg = TrainConfig.fromProperties(saved.getString("config"));
                long done = saved.getLongs("iteration")[0];
                if (iterationsGiven()) {
                    check(iterations >= done, "--resume " + runDir + " is already at iteration " + done + "; --iterations must be at least that, got " + iterations);
                    cfg = cfg.withIterations(iterations);
                }
                List<String> ignored = new ArrayList<>();
                var pr = spec.commandLine().getParseResult();
                if (!pr.matchedPositionals().isEmpty()) ignored.add("the dataset argument");
                for (var opt : pr.matchedOptions())
                    if (!APPLY_ON_RESUME.contains(opt.longestName()) && !ignored.contains(opt.longestName())) ignored.add(opt.longestName());
                if (!ignored.isEmpty())
                    o.println("note: --resume continues with the run's saved settings; ignoring " + String.join(", ", ignored));
            } else {
                check(batch >= 2, "--batch must be at least 2 (BatchNorm needs a batch), got " + batch);
                check(iterations >= 1, "--iterations must be at least 1, got " + iterations);
                check(logEvery >= 1, "--log-every must be at least 1, got " + logEvery);
                check(sampleEvery >= 0, "--sample-every must be 0 (off) or positive, got " + sampleEvery);
                check(checkpointEvery >= 0, "--checkpoint-every must be 0 (only at the start and the end) or positive, got " + checkpointEvery);
                check(evalEvery >= 0, "--eval-every must be 0 (only at the end) or positive, got " + evalEvery);
                check(lrD > 0 && Double.isFinite(lrD), "--lr-d must be a positive finite number, got " + lrD);
                check(lrG > 0 && Double.isFinite(lrG), "--lr-g must be a positive finite number, got " + lrG);
                check(beta1 >= 0 && beta1 < 1, "--beta1 must be in [0, 1), got " + beta1);
                check(leak >= 0 && leak < 1, "--leak must be in [0, 1), got " + leak);
                check(lambdaCat >= 0 && Double.isFinite(lambdaCat), "--lambda-cat must be a non-negative finite number, got " + lambdaCat);
                check(lambdaCont >= 0 && Double.isFinite(lambdaCont), "--lambda-cont must be a non-negative finite number, got " + lambdaCont);
                check(!out.toString().isEmpty(), "--out must name a folder (it is the parent of the run folder), got an empty path");
                if (name != null && !plainName(name))
                    throw new IllegalArgumentException("--name '" + name.replaceAll("\\p{Cntrl}", "?") + "' must be one plain folder name: not empty, no '/' or '\\', no control characters or outer spaces, not '.' or '..'");
                LatentSpec spec;
                try {
                    spec = LatentSpec.parse(latent, learnSigma);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--latent " + latent + ": " + e.getMessage(), e);
                }
                ModelConfig mc = new ModelConfig(spec, batch, lrD, lrG, beta1, 0.999, lambdaCat, lambdaCont, leak);
                cfg = new TrainConfig(dataset, data, mc, seed, iterations, logEvery, sampleEvery, checkpointEvery, evalEvery);
                runDir = out.resolve(name != null ? name : dataset + "-seed" + seed);
                RunFolder.checkNew(runDir);                 // again under the folder's lock when the run starts
            }
            if (dumpTape != null)                           // its file would collide with the run's own files
                check(!dumpTape.toAbsolutePath().normalize().startsWith(runDir.toAbsolutePath().normalize()),
                        "--dump-tape " + dumpTape + " is inside the run folder " + runDir + "; give a file outside it");
            Backend be = common.backend(o);
            Trainer trainer = new Trainer(cfg, runDir, be, o, !noProgress && System.console() != null).dumpTape(dumpTape);
            int images = trainer.data().train().n();        // fail fast on bad data, before anything is written
            check(cfg.model().batch() <= images, "--batch " + cfg.model().batch() + " is more than the " + images + " training images");
            trainer.run(resume != null);
            return 0;
        }

        /** Options that still act on a resumed run; every other one is the saved run's and is ignored. */
        static final java.util.Set<String> APPLY_ON_RESUME =
                java.util.Set.of("--resume", "--iterations", "--device", "--threads", "--no-progress", "--dump-tape");

        private boolean iterationsGiven() {
            return spec.commandLine().getParseResult().hasMatchedOption("--iterations");
        }

        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    }

    /** A single folder name: what --name must be, so that a run folder is always a child of --out. */
    static boolean plainName(String name) {
        return !name.isBlank() && !name.equals(".") && !name.equals("..") && !name.contains("/") && !name.contains("\\")
                && name.strip().equals(name) && name.chars().noneMatch(Character::isISOControl);
    }

    /** The default run length: the authors' MNIST recipe is 5,000 iterations. */
    static final int DEFAULT_ITERATIONS = 5000;

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Accuracy of c1 as an unsupervised classifier of held-out images (Hungarian matching), with the confusion matrix.")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "a checkpoint.ckpt, or a run folder holding one") Path checkpoint;
        @Option(names = "--data", description = "evaluate on this folder's t10k-* files instead of the run's data") Path data;
        @CommandLine.Mixin Common common = new Common();

        @Override
        public Integer call() {
            Loaded l = Loaded.from(checkpoint, data, common);
            var ev = infogan.model.Evaluator.evaluate(l.model, l.data.heldout(), 100);
            System.out.print(infogan.train.EvalReport.text(ev, l.data.heldout().n()));
            return 0;
        }
    }

    @Command(name = "sample", mixinStandardHelpOptions = true, description = "Redraw the paper's figures (c1 grid, continuous traversals from -2 to 2) from a checkpoint.")
    static final class Sample implements Callable<Integer> {
        @Option(names = "--checkpoint", required = true, description = "a checkpoint.ckpt, or a run folder holding one") Path checkpoint;
        @Option(names = "--out", description = "folder for the figures (default: the checkpoint's folder)") Path out;
        @CommandLine.Mixin Common common = new Common();

        @Override
        public Integer call() throws Exception {
            check(out == null || !Files.exists(out) || Files.isDirectory(out), "--out " + out + " is a file, not a folder");
            check(out == null || !out.toString().isEmpty(), "--out must name a folder, got an empty path");
            Loaded l = Loaded.from(checkpoint, null, common);
            Path dir = out != null ? out : l.file.toAbsolutePath().getParent();
            if (out != null)      // in place the run's own figures are redrawn; elsewhere nothing is overwritten
                for (String f : infogan.model.Figures.fileNames(l.cfg.model().latent()))
                    check(!Files.exists(out.resolve(f), LinkOption.NOFOLLOW_LINKS), "--out " + out + " already holds " + f + "; give a new or empty folder (files outside the run folder are never overwritten)");
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException("cannot write to --out " + dir + ": " + infogan.io.IoErrors.reason(e), e);
            }
            infogan.model.Figures.writeAll(l.model, dir, l.cfg.seed());
            System.out.println("figures written to " + dir);
            return 0;
        }
    }

    /** A model rebuilt from a checkpoint. */
    record Loaded(Path file, TrainConfig cfg, InfoGan model, Datasets.Split data) {
        static Loaded from(Path p, Path dataDir, Common common) {
            Path file = Files.isDirectory(p) ? p.resolve("checkpoint.ckpt") : p;
            if (Files.isDirectory(p) && !Files.exists(file)) throw new IllegalArgumentException("--checkpoint " + p + ": no checkpoint.ckpt in that folder");
            if (!Files.exists(file)) throw new IllegalArgumentException("--checkpoint " + p + ": no such checkpoint file");
            var r = Checkpoints.open(file);
            TrainConfig cfg = TrainConfig.fromProperties(r.getString("config"));
            Datasets.Split data = dataDir != null ? Datasets.fromDir(dataDir) : Trainer.loadData(cfg.dataset(), cfg.dataDir());
            InfoGan m = new InfoGan(common.backend(System.out), cfg.model(), cfg.seed());
            Checkpoints.load(r, m);
            return new Loaded(file, cfg, m, data);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            boolean unknownCommand = ex instanceof CommandLine.UnmatchedArgumentException u && u.getCommandLine() == cl
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().getFirst().startsWith("-");
            System.err.println("error: " + (unknownCommand
                    ? "unknown command '" + ((CommandLine.UnmatchedArgumentException) ex).getUnmatched().getFirst() + "': expected train, eval or sample"
                    : ex.getMessage()));
            CommandLine c = ex.getCommandLine();
            System.err.println("try: " + c.getCommandSpec().qualifiedName() + " --help");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, pr) -> {
            System.err.println("error: " + oneLine(ex));
            return ex instanceof Trainer.DivergedException ? 3 : 1;
        });
        return cl.execute(args);
    }

    private static String oneLine(Throwable ex) {
        if (ex instanceof DataException || ex instanceof CheckpointException || ex instanceof IllegalArgumentException
                || ex instanceof Trainer.DivergedException || ex instanceof UncheckedIOException || ex instanceof IllegalStateException)
            return ex.getMessage().lines().findFirst().orElse(ex.toString());
        return ex + " (please report this)";
    }
}
