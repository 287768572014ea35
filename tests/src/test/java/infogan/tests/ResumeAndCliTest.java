package infogan.tests;

import infogan.cli.Main;
import infogan.engine.backend.cpu.CpuBackend;
import infogan.model.ModelConfig;
import infogan.train.TrainConfig;
import infogan.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A resumed run gives the same numbers as an uninterrupted one; user errors are one line. */
class ResumeAndCliTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    static TrainConfig small(int iterations) {
        return new TrainConfig("mnist", null, ModelConfig.mnistDefaults().withBatch(16), 11, iterations, 3, 0, 3, 3);
    }

    /** metrics.csv without the timing column. */
    static List<String> metrics(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void resumedRunMatchesUninterruptedRun(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        new Trainer(small(6), a, new CpuBackend(2), QUIET, false).run(false);
        new Trainer(small(3), b, new CpuBackend(2), QUIET, false).run(false);   // stops at 3 with a checkpoint
        new Trainer(small(6), b, new CpuBackend(2), QUIET, false).run(true);    // continues to 6
        List<String> ma = metrics(a), mb = metrics(b);
        // Metric windows restart at a resume, so the rows match when checkpoints fall on log rows (as here, every 3).
        assertEquals(3, ma.size(), "header + rows at 3 and 6: " + ma);
        assertEquals(ma, mb);
        assertArrayEquals(Files.readAllBytes(a.resolve("c1_categorical.png")), Files.readAllBytes(b.resolve("c1_categorical.png")));
        assertEquals(Files.readString(a.resolve("eval.txt")), Files.readString(b.resolve("eval.txt")));
        assertEquals(Files.readString(a.resolve("eval.csv")), Files.readString(b.resolve("eval.csv")));
    }

    static String[] runCli(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new String[]{Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void userErrorsAreOneLine(@TempDir Path dir) throws Exception {
        String[] r = runCli("train", "--iterations", "zero");
        assertEquals("2", r[0]);
        assertEquals(2, r[2].lines().count(), r[2]);
        assertTrue(r[2].startsWith("error: ") && r[2].contains("--iterations"), r[2]);

        r = runCli("train", "--device", "tpu", "--out", dir.toString(), "--iterations", "1");
        assertEquals("1", r[0]);
        assertEquals("error: --device must be cpu, cuda or auto, not 'tpu'", r[2].strip());

        r = runCli("train", "--device", "cuda", "--out", dir.toString(), "--iterations", "1");
        assertEquals("1", r[0]);
        assertTrue(r[2].strip().startsWith("error: --device cuda: no usable GPU"), r[2]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);

        Path bad = dir.resolve("bad");
        Files.createDirectories(bad);
        for (String f : List.of("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"))
            try (var in = ResumeAndCliTest.class.getResourceAsStream("/infogan/data/mnist/" + f)) { Files.copy(in, bad.resolve(f)); }
        Files.write(bad.resolve("train-images-idx3-ubyte"), new byte[]{0, 0, 8, 3, 0, 0});   // a truncated header
        r = runCli("train", "mnist", "--data", bad.toString(), "--out", dir.toString(), "--device", "cpu");
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("train-images-idx3-ubyte"), r[2]);

        Path notCkpt = dir.resolve("x.ckpt");
        Files.writeString(notCkpt, "{\"json\": true}");
        r = runCli("eval", "--checkpoint", notCkpt.toString(), "--device", "cpu");
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("x.ckpt") && r[2].contains("not an infogan checkpoint"), r[2]);

        r = runCli("train", "--latent", "62:1:2", "--out", dir.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--latent 62:1:2") && r[2].contains("at least 2 categories"), r[2]);

        r = runCli("train", "--resume", dir.resolve("nope").toString(), "--device", "cpu");
        assertEquals("1", r[0]);
        assertTrue(r[2].strip().endsWith("nope: no such run folder"), r[2]);
    }

    /**
     * A fresh run holds a checkpoint from the start (so one stopped early can be resumed); eval.csv ends with the final
     * accuracy even when --eval-every does not divide --iterations; a resume refuses to go backwards, names the options
     * it ignores, and rewrites config.properties with the new length.
     */
    @Test
    void resumeFromTheCommandLine(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("r");
        String[] r = runCli("train", "--out", dir.toString(), "--name", "r", "--iterations", "2", "--batch", "8",
                "--eval-every", "5", "--checkpoint-every", "0", "--sample-every", "0", "--device", "cpu", "--no-progress");
        assertEquals("0", r[0], r[2]);
        List<String> evals = Files.readAllLines(run.resolve("eval.csv"));
        assertEquals(2, evals.size(), "header and the final row: " + evals);
        assertTrue(evals.get(1).startsWith("2,"), evals.toString());

        r = runCli("train", "--out", dir.toString(), "--name", "r", "--device", "gpu");
        assertEquals("error: --device must be cpu, cuda or auto, not 'gpu'", r[2].strip(), "the option before the folder");

        r = runCli("train", "--resume", run.toString(), "--iterations", "1", "--device", "cpu");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("already at iteration 2") && r[2].contains("--iterations"), r[2]);

        r = runCli("train", "fashion-mnist", "--resume", run.toString(), "--iterations", "3", "--batch", "50", "--device", "cpu", "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("ignoring the dataset argument, --batch"), r[1]);
        assertTrue(Files.readString(run.resolve("config.properties")).contains("iterations=3"));
        assertTrue(Files.readString(run.resolve("config.properties")).contains("batch=8"));
        assertTrue(Files.readAllLines(run.resolve("eval.csv")).getLast().startsWith("3,"));
    }

    @Test
    void aRunStoppedBeforeItsFirstPeriodicCheckpointCanBeResumed(@TempDir Path dir) throws Exception {
        // Trainer writes the iteration-0 checkpoint before the first step; a run of 0 further steps is what a kill leaves.
        Path run = dir.resolve("k");
        TrainConfig c = small(3);
        Trainer t = new Trainer(c, run, new CpuBackend(1), QUIET, false);
        assertThrows(RuntimeException.class, () -> t.dumpTape(dir.resolve("no/such/dir/x.dot")).run(false));   // dies in step 1
        assertTrue(Files.exists(run.resolve("checkpoint.ckpt")), "checkpoint written before the first step");
        new Trainer(c, run, new CpuBackend(1), QUIET, false).run(true);
        assertEquals(2, metrics(run).size(), "header + row at 3: " + metrics(run));
    }

    /** The README promises that --help lists every option with its default: each valued option of train says one. */
    @Test
    void trainHelpStatesEveryDefault() {
        String[] r = runCli("train", "--help");
        assertEquals("0", r[0], r[2]);
        String help = r[1];
        // Options whose absence means "not used" or "derived", so they have no literal default.
        List<String> noDefault = List.of("--data", "--resume", "--dump-tape", "--name");
        int checked = 0;
        for (String block : help.split("\\n(?=\\s+(-\\w, )?--)")) {
            String b = block.strip();
            if (!b.startsWith("--") || !b.contains("=<")) continue;   // flags (--help, --learn-sigma) take no value
            String name = b.substring(0, b.indexOf('='));
            if (noDefault.contains(name)) continue;
            checked++;
            assertTrue(b.replaceAll("\\s+", " ").contains("default"), "train --help gives no default for " + name + ":\n" + b);
        }
        assertTrue(checked >= 15, "expected the valued options of train in its help, found " + checked + ":\n" + help);

        r = runCli("train", "--sample-every", "-1", "--iterations", "1");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("--sample-every"), r[2]);
    }

    @Test
    void anExistingRunIsNeverOverwritten(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("mnist-seed1");
        Files.createDirectories(run);
        Files.writeString(run.resolve("metrics.csv"), "precious");
        String[] r = runCli("train", "--out", dir.toString(), "--iterations", "1", "--device", "cpu");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("already holds a run") && r[2].contains("--resume"), r[2]);
        assertEquals("precious", Files.readString(run.resolve("metrics.csv")));
    }

    /**
     * Nothing a user made is overwritten or lost: files in a folder a new run is pointed at, an existing --dump-tape
     * file, figures in a sample --out folder, a folder outside --out reached through --name; each refusal is one line
     * and leaves no run folder behind. Values that would only fail later (an infinite rate, a latent layout too large
     * to draw) are refused up front, naming the option.
     */
    @Test
    void userFilesAreNeverOverwritten(@TempDir Path dir) throws Exception {
        String[] quick = {"--iterations", "1", "--batch", "8", "--device", "cpu", "--no-progress", "--sample-every", "0"};
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("losses.png"), "precious");
        String[] r = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "mine"}, quick));
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("already exists and holds losses.png"), r[2]);
        assertEquals("precious", Files.readString(mine.resolve("losses.png")));

        Path tape = Files.writeString(dir.resolve("step.dot"), "precious");
        r = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "t", "--dump-tape", tape.toString()}, quick));
        assertTrue(r[2].contains("--dump-tape " + tape + " already exists"), r[2]);
        r = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "t", "--dump-tape", dir.toString()}, quick));
        assertTrue(r[2].contains("is a folder"), r[2]);
        assertEquals("precious", Files.readString(tape));
        assertFalse(Files.exists(dir.resolve("t")), "no run folder is made when an option is refused");

        for (String name : new String[]{"../escape", "", "a/b", ".."}) {
            r = runCli(cat(new String[]{"train", "--out", dir.resolve("o").toString(), "--name", name}, quick));
            assertEquals("1", r[0], name);
            assertTrue(r[2].contains("--name '" + name + "' must be one plain folder name"), r[2]);
        }
        assertFalse(Files.exists(dir.resolve("escape")) || Files.exists(dir.resolve("o")));

        String[][] refused = {{"--lr-g", "1e400", "--lr-g must be a positive finite number, got Infinity"},
                {"--lambda-cont", "Infinity", "--lambda-cont must be a non-negative finite number"},
                {"--latent", "62:100000:2", "at most 100 categories"}, {"--latent", "62:10:99999", "at most 16 continuous codes"},
                {"--latent", "62:10+:2", "--latent 62:10+:2: "}, {"--eval-every", "-2", "--eval-every must be 0 (only at the end) or positive, got -2"},
                {"--batch", "100000", "--batch 100000 is more than the 9000 training images"},
                {"--threads", "100000", "--threads must be in 1..1024, got 100000"},
                {"--dump-tape", dir.resolve("v/tape.dot").toString(), "is inside the run folder"}};
        Files.createDirectories(dir.resolve("v"));             // empty: a run may start there, but not its tape
        for (String[] c : refused) {
            String[] rest = c[0].equals("--batch") ? new String[]{"--iterations", "1", "--device", "cpu"} : quick;
            r = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "v", c[0], c[1]}, rest));
            assertEquals("1", r[0], c[0] + " " + c[1]);
            assertEquals(1, r[2].strip().lines().count(), r[2]);
            assertTrue(r[2].contains(c[2]), c[0] + " " + c[1] + ": " + r[2]);
        }

        r = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "run"}, quick));
        assertEquals("0", r[0], r[2]);
        Path run = dir.resolve("run"), figs = Files.createDirectories(dir.resolve("figs"));
        Files.writeString(figs.resolve("c2_continuous_-2_to_2.png"), "precious");
        r = runCli("sample", "--checkpoint", run.toString(), "--out", figs.toString(), "--device", "cpu");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("already holds c2_continuous_-2_to_2.png"), r[2]);
        assertEquals("precious", Files.readString(figs.resolve("c2_continuous_-2_to_2.png")));
        assertFalse(Files.exists(figs.resolve("c1_categorical.png")), "refused before drawing anything");
        r = runCli("sample", "--checkpoint", run.toString(), "--out", tape.toString(), "--device", "cpu");
        assertTrue(r[2].contains("is a file, not a folder") && !r[2].contains("report"), r[2]);

        r = runCli("frobnicate");
        assertTrue(r[2].startsWith("error: unknown command 'frobnicate': expected train, eval or sample"), r[2]);
    }

    /**
     * A run killed right after its first checkpoint (no metrics.csv or eval.csv yet) resumes, the files starting
     * from their headers; a resume of a run killed during its final evaluation still ends eval.csv with the final
     * accuracy.
     */
    @Test
    void resumesRepairWhatAKillCutShort(@TempDir Path dir) throws Exception {
        String[] quick = {"--batch", "8", "--device", "cpu", "--no-progress", "--sample-every", "0", "--eval-every", "0"};
        String[] r = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "a", "--iterations", "2"}, quick));
        assertEquals("0", r[0], r[2]);
        Path a = dir.resolve("a");
        List<String> evals = Files.readAllLines(a.resolve("eval.csv"));
        assertTrue(evals.getLast().startsWith("2,"), evals.toString());
        Files.write(a.resolve("eval.csv"), evals.subList(0, evals.size() - 1));   // killed during the final evaluation
        r = runCli("train", "--resume", a.toString(), "--device", "cpu", "--no-progress");
        assertEquals("0", r[0], r[2]);
        assertEquals(evals, Files.readAllLines(a.resolve("eval.csv")), "the final row is back, once");

        Files.delete(a.resolve("metrics.csv"));                                  // killed right after the checkpoint
        Files.delete(a.resolve("eval.csv"));
        r = runCli("train", "--resume", a.toString(), "--iterations", "3", "--device", "cpu", "--no-progress");
        assertEquals("0", r[0], r[2]);
        List<String> m = Files.readAllLines(a.resolve("metrics.csv"));
        assertTrue(m.get(0).startsWith("iteration,d_loss") && m.size() == 2 && m.get(1).startsWith("3,"), m.toString());
        assertEquals(List.of("iteration,heldout_accuracy"), Files.readAllLines(a.resolve("eval.csv")).subList(0, 1));

        Files.writeString(a.resolve("metrics.csv"), m.get(0) + "\nx2,1,2\n");
        r = runCli("train", "--resume", a.toString(), "--iterations", "4", "--device", "cpu", "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("metrics.csv: the row 'x2,1,2' does not start with an iteration number"), r[2]);
    }

    /** A folder whose metrics.csv belongs to another model than its checkpoint is refused, untouched. */
    @Test
    void aResumeIntoAFolderMixingTwoRunsIsRefused(@TempDir Path dir) throws Exception {
        String[] quick = {"--iterations", "1", "--batch", "8", "--device", "cpu", "--no-progress", "--sample-every", "0"};
        String[] made = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "a"}, quick));
        assertEquals("0", made[0], made[2]);
        made = runCli(cat(new String[]{"train", "--out", dir.toString(), "--name", "b", "--latent", "62:10+5:1"}, quick));
        assertEquals("0", made[0], made[2]);
        Path a = dir.resolve("a");
        Files.copy(dir.resolve("b/checkpoint.ckpt"), a.resolve("checkpoint.ckpt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String before = Files.readString(a.resolve("metrics.csv"));
        String[] r = runCli("train", "--resume", a.toString(), "--iterations", "2", "--device", "cpu", "--no-progress");
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("the folder mixes two runs") && !r[2].contains("report"), r[2]);
        assertEquals(before, Files.readString(a.resolve("metrics.csv")));
    }

    static String[] cat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
