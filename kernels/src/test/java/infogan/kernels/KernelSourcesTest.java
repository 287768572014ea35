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
 * every entry point {@link Kernel} lists and nothing the Java side cannot launch, and ptxas accepts it for sm_90
 * without register spills.
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
            Process p = new ProcessBuilder(ptxas, "-arch=sm_90", "-O3", "-v", ptx.toString(), "-o", "/dev/null")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ptxas timed out on " + ptx);
            assertEquals(0, p.exitValue(), "ptxas -arch=sm_90 rejected " + ptx + ":\n" + out);
            assertNoSpills(ptx, out);
        }
    }

    /** The report reader on ptxas's own wording, so the check above cannot pass by reading nothing. */
    @Test
    void aSpillingOrUnreportedEntryFailsTheCheck() {
        Path adam = CUDA.resolve("adam.ptx");               // one entry, adam_fwd
        String head = "ptxas info    : 0 bytes gmem\nptxas info    : Compiling entry function 'adam_fwd' for 'sm_90'\n"
                + "ptxas info    : Function properties for adam_fwd\n    ";
        String clean = head + "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
                + "ptxas info    : Used 80 registers, used 1 barriers, 8320 bytes smem\n";
        assertDoesNotThrow(() -> assertNoSpills(adam, clean));
        assertThrows(AssertionError.class, () -> assertNoSpills(adam, clean.replace("0 bytes spill stores", "16 bytes spill stores")));
        assertThrows(AssertionError.class, () -> assertNoSpills(adam, clean.replace("Used 80", "Used 168")));
        assertThrows(AssertionError.class, () -> assertNoSpills(adam, "ptxas info    : 0 bytes gmem\n"));
    }

    static final Pattern FUNCTION = Pattern.compile("Compiling entry function '(\\w+)'");
    static final Pattern SPILLS = Pattern.compile("(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
    static final Pattern REGISTERS = Pattern.compile("Used (\\d+) registers");

    /**
     * ptxas -v's resource report, per entry: no register spills to local memory (a spilling SGEMM would run from
     * L1/L2 instead of registers, the first thing that keeps it from half of cuBLAS), and at most 128 registers,
     * so a 256-thread block (the GEMM's launch bound, our widest) fits twice in an SM's 64 K registers.
     * Seen on nvcc 13.0 for sm_90: gemm_fwd 80 registers, every other kernel 14-44, no spills anywhere.
     */
    static void assertNoSpills(Path ptx, String report) throws IOException {
        String[] perEntry = report.split("(?=ptxas info\\s+: Compiling entry function)");
        int seen = 0;
        for (String part : perEntry) {
            Matcher f = FUNCTION.matcher(part);
            if (!f.find()) continue;
            seen++;
            String name = f.group(1);
            Matcher s = SPILLS.matcher(part), r = REGISTERS.matcher(part);
            assertTrue(s.find() && r.find(), ptx + ": no resource report for " + name + " in:\n" + report);
            assertEquals("0/0/0", s.group(1) + "/" + s.group(2) + "/" + s.group(3),
                    ptx + ": " + name + " uses a stack frame or spills registers (frame/stores/loads bytes)");
            assertTrue(Integer.parseInt(r.group(1)) <= 128, ptx + ": " + name + " uses " + r.group(1) + " registers (> 128)");
        }
        assertEquals(entries(ptx.getFileName().toString().replace(".ptx", "")).size(), seen,
                ptx + ": ptxas reported on every entry:\n" + report);
    }
}
