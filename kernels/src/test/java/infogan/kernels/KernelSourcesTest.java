package infogan.kernels;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.*;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.regex.*;
import java.util.stream.*;
import org.junit.jupiter.api.Test;

/**
 * GPU-free checks on the committed PTX: it was built from the current sources (manifest hashes), it defines
 * every entry point {@link Kernel} lists and nothing the Java side cannot launch, and ptxas accepts it for sm_90.
 */
class KernelSourcesTest {
    static final Path CUDA = Path.of("cuda");     // surefire runs in the module directory
    static final Pattern ENTRY = Pattern.compile("^\\.visible \\.entry (\\w+)\\(", Pattern.MULTILINE);

    static Map<String, String> manifest() throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(CUDA.resolve("ptx-manifest.txt"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] p = line.trim().split("\\s+");
            m.put(p[1], p[0]);
        }
        return m;
    }

    static List<String> sources() throws IOException {
        try (Stream<Path> s = Files.list(CUDA)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).sorted().toList();
        }
    }

    static String sha256(Path p) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void everyPtxWasBuiltFromItsCurrentSource() throws Exception {
        Map<String, String> m = manifest();
        assertEquals(new TreeSet<>(sources()), m.keySet(), "manifest lists exactly the .cu files; rerun kernels/build-ptx.sh");
        for (String cu : sources()) {
            assertEquals(m.get(cu), sha256(CUDA.resolve(cu)), cu + " changed since its PTX was built; rerun kernels/build-ptx.sh");
            Path ptx = CUDA.resolve(cu.replace(".cu", ".ptx"));
            assertTrue(Files.exists(ptx), ptx + " missing");
            String text = Files.readString(ptx);
            assertTrue(text.contains(".version 9.0"), ptx + ": expected PTX ISA 9.0 (nvcc 13.0)");
            assertTrue(text.contains(".target sm_80"), ptx + ": expected -arch=compute_80");
        }
        String head = Files.readString(CUDA.resolve("ptx-manifest.txt"));
        assertTrue(head.contains("# nvcc: release 13.0"), "manifest must record nvcc 13.0");
    }

    static Set<String> entries(String module) throws IOException {
        Matcher mt = ENTRY.matcher(Files.readString(CUDA.resolve(module + ".ptx")));
        Set<String> s = new TreeSet<>();
        while (mt.find()) s.add(mt.group(1));
        return s;
    }

    @Test
    void everyLaunchedKernelIsAnEntryAndEveryEntryIsLaunched() throws Exception {
        Set<String> modules = Arrays.stream(Kernel.values()).map(k -> k.module).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(sources().stream().map(s -> s.replace(".cu", "")).collect(Collectors.toCollection(TreeSet::new)),
                modules, "every op family has kernels in Kernel and every Kernel module has a .cu");
        List<String> missing = new ArrayList<>(), unlisted = new ArrayList<>();
        for (String mod : modules) {
            Set<String> have = entries(mod);
            Set<String> listed = Arrays.stream(Kernel.values()).filter(k -> k.module.equals(mod)).map(k -> k.entry)
                    .collect(Collectors.toSet());
            for (String e : listed) if (!have.contains(e)) missing.add(mod + ".ptx lacks " + e);
            for (String e : have) if (!listed.contains(e)) unlisted.add(mod + ".ptx:" + e);
        }
        assertTrue(missing.isEmpty(), "kernels the Java side launches but the PTX lacks: " + missing);
        assertTrue(unlisted.isEmpty(), "PTX entries not in Kernel (dead code or a missing launcher): " + unlisted);
        for (Kernel k : Kernel.values())
            assertTrue(k.entry.matches("[a-z0-9_]+_(fwd|bwd)(_v\\d+)?|batchnorm_(train|eval)_fwd"), "name style: " + k.entry);
    }

    @Test
    void ptxIsOnTheClassPath() {
        for (String mod : Arrays.stream(Kernel.values()).map(k -> k.module).distinct().toList())
            assertNotNull(Kernel.class.getClassLoader().getResource(Kernel.ptxResource(mod)), mod + ".ptx not a resource");
    }

    static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    @Test
    void ptxasAcceptsEveryPtxForSm90() throws Exception {
        String ptxas = which("ptxas");
        assumeTrue(ptxas != null, "ptxas not on PATH (install the CUDA toolkit to run this check)");
        for (String cu : sources()) {
            Path ptx = CUDA.resolve(cu.replace(".cu", ".ptx"));
            Process p = new ProcessBuilder(ptxas, "-arch=sm_90", "-O3", ptx.toString(), "-o", "/dev/null")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ptxas timed out on " + ptx);
            assertEquals(0, p.exitValue(), "ptxas -arch=sm_90 rejected " + ptx + ":\n" + out);
        }
    }
}
