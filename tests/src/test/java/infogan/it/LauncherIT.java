package infogan.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end test of {@code java -jar infogan-engine.jar} as a user runs it: started by a Java 17
 * {@code java}, the launcher must find a JDK 25 and relaunch on it, and must fail with exactly one
 * line when told to use a Java that does not exist.
 *
 * <p>Runs under failsafe (integration-test phase) because it needs the shaded jar, which only exists
 * after the infogan module's package phase. The Java 17 is {@code -Dinfogan.java17=...} or the
 * Debian/Ubuntu package path; without one the tests are skipped, not failed.
 */
class LauncherIT {

    static Path jar;
    static Path java17;

    @BeforeAll
    static void locate() {
        jar = Paths.get(System.getProperty("infogan.jar", "../target/infogan-engine.jar"));
        java17 = Paths.get(System.getProperty("infogan.java17", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"));
        assertTrue(Files.isRegularFile(jar), "run after package: no " + jar.toAbsolutePath());
        assumeTrue(Files.isExecutable(java17), "no Java 17 at " + java17 + " (set -Dinfogan.java17=/path/to/java)");
    }

    record Run(int code, String out, String err) {}

    /** Runs {@code java17 -jar infogan-engine.jar args} with the given environment changes. */
    static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(java17.toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("INFOGAN_JAVA");
        pb.environment().remove("INFOGAN_JAVA_OPTS");
        pb.environment().remove("INFOGAN_RELAUNCHED");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("launcher-it", ".out");
        Path err = Files.createTempFile("launcher-it", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("launcher did not finish in 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void java17RelaunchesOnJava25() throws Exception {
        // The JDK running this test is a 25 (the build's toolchain); JAVA_HOME makes sure the launcher can find it.
        Run r = run(Map.of("JAVA_HOME", System.getProperty("java.home")), "--version");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s)infogan-engine 0\\.1\\.0 \\(Java (2[5-9]|[3-9]\\d).*"), r.out());
    }

    @Test
    void aWrongOptionIsOneLineAndAHint() throws Exception {
        Run r = run(Map.of("JAVA_HOME", System.getProperty("java.home")), "train", "--iterations", "many");
        assertEquals(2, r.code());
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains("--iterations"), lines.get(0));
        assertEquals("try: infogan-engine train --help", lines.get(1));
    }

    @Test
    void missingOverrideIsOneLine() throws Exception {
        Run r = run(Map.of("INFOGAN_JAVA", "/nonexistent"), "a", "b");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertEquals("infogan-engine needs Java 25 or newer; INFOGAN_JAVA=/nonexistent does not exist."
                + " Point INFOGAN_JAVA at a JDK 25's bin/java, or unset it to search for one." + System.lineSeparator(), r.err());
    }

    /**
     * kill -9 of the Java 17 launcher cannot be forwarded to the JDK 25 child; the child notices its launcher is gone
     * and stops (with the trainer's interruption note), instead of training on as an orphan.
     */
    @Test
    void theChildStopsWhenItsLauncherIsKilled() throws Exception {
        Path dir = Files.createTempDirectory("launcher-it-kill");
        List<String> cmd = List.of(java17.toString(), "-jar", jar.toString(), "train", "mnist", "--out", dir.toString(),
                "--iterations", "100000", "--batch", "8", "--device", "cpu", "--threads", "1", "--no-progress", "--log-every", "1",
                "--sample-every", "0", "--eval-every", "0", "--checkpoint-every", "0");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("INFOGAN_JAVA");
        pb.environment().remove("INFOGAN_JAVA_OPTS");
        pb.environment().remove("INFOGAN_RELAUNCHED");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path err = dir.resolve("err.txt");
        Process launcher = pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(err.toFile()).start();
        ProcessHandle child = null;
        Path metrics = dir.resolve("mnist-seed1/metrics.csv");
        for (int i = 0; i < 600 && child == null; i++) {                    // until the child has trained a step
            Thread.sleep(100);
            if (Files.exists(metrics) && Files.readAllLines(metrics).size() > 1)
                child = launcher.toHandle().children().findFirst().orElse(null);
        }
        assertTrue(child != null, "no training child after 60 s: " + Files.readString(err));
        launcher.destroyForcibly();                                          // SIGKILL: no hook of the launcher runs
        launcher.waitFor(10, TimeUnit.SECONDS);
        boolean stopped = child.onExit().completeOnTimeout(null, 20, TimeUnit.SECONDS).get() != null || !child.isAlive();
        if (!stopped) child.destroyForcibly();
        assertTrue(stopped, "the child outlived its launcher by 20 s");
        String text = Files.readString(err);
        try (var files = Files.walk(dir)) {                                  // the run's 160 MB checkpoint included
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        assertTrue(text.contains("the launching java process") && text.contains("interrupted at iteration"), text);
    }
}
