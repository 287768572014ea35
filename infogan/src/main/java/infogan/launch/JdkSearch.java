package infogan.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Finds a Java installation that can run the engine: feature version 25 or newer, with the
 * {@code jdk.incubator.vector} module (the engine's CPU kernels use the Vector API).
 *
 * <p>Why this exists: users start us with {@code java -jar infogan-engine.jar}, and the {@code java}
 * on their PATH is often older (17 here). Rather than fail with an {@code UnsupportedClassVersionError},
 * the {@link Launcher} asks this class for a suitable JDK and re-executes itself on it.
 *
 * <p>Where it looks, in this order (the order only breaks ties, see below):
 * <ol>
 *   <li>{@code $INFOGAN_JAVA} — an explicit override, either a {@code java} executable or a JDK folder.
 *       When it is set it is the <em>only</em> candidate: if it does not qualify we say so rather than
 *       silently running on something else the user did not ask for.</li>
 *   <li>the JVM running this code ({@code java.home});</li>
 *   <li>{@code $JAVA_HOME/bin/java};</li>
 *   <li>every {@code java} on {@code $PATH} (symlinks such as {@code /usr/bin/java} are resolved);</li>
 *   <li>the usual install folders ({@link #defaultRoots}).</li>
 * </ol>
 * The choice is the highest version (compared component-wise, so 25.0.3 beats 25.0.1) among those
 * that qualify; equal versions go to the one found first.
 *
 * <p>A candidate's version comes from the {@code release} file every JDK since 9 ships in its home
 * ({@code JAVA_VERSION="25.0.1"}); reading a small text file is much cheaper than starting a JVM.
 * Only when there is no {@code release} file do we run {@code java -version} and parse its output.
 * The same file's {@code MODULES="..."} line tells us whether a (possibly jlinked) runtime has
 * {@code jdk.incubator.vector}.
 *
 * <p>Compiled to Java 17 bytecode and uses only {@code java.base}, like the rest of the launcher.
 */
final class JdkSearch {

    /** The oldest feature version the engine runs on. */
    static final int REQUIRED_FEATURE = 25;
    /** The incubator module the engine's CPU kernels need. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * An install folder pattern: every child of {@code parent} whose name matches {@code glob},
     * then {@code suffix} inside it (e.g. macOS's {@code Contents/Home}), is a JDK home to try.
     */
    record Root(Path parent, String glob, String suffix) {}

    /**
     * One Java installation we looked at.
     *
     * @param java      the {@code java} executable (real path, symlinks resolved)
     * @param home      the installation folder ({@code java}'s grandparent)
     * @param version   the version string, e.g. {@code "25.0.1"}; null if it could not be determined
     * @param hasVector false only when we know the runtime lacks {@code jdk.incubator.vector}
     */
    record Jdk(Path java, Path home, String version, boolean hasVector) {
        int feature() { return version == null ? -1 : featureOf(version); }

        boolean qualifies() { return feature() >= REQUIRED_FEATURE && hasVector; }

        /** How a user would describe it: "Java 17 at /usr/lib/jvm/java-17-openjdk-amd64". */
        String describe() {
            String v = version == null ? "Java of unknown version" : "Java " + version;
            return v + " at " + home + (feature() >= REQUIRED_FEATURE && !hasVector ? " (without " + VECTOR_MODULE + ")" : "");
        }
    }

    /** The outcome: either a JDK to run on, or the one line to print to stderr. */
    record Result(Jdk chosen, String problem) {}

    private final Map<String, String> env;
    private final Path currentHome;
    private final List<Root> roots;

    /**
     * @param env         the environment to read INFOGAN_JAVA, JAVA_HOME and PATH from
     * @param currentHome the running JVM's home, or null to not consider it
     * @param roots       install folder patterns to scan (tests pass temporary folders)
     */
    JdkSearch(Map<String, String> env, Path currentHome, List<Root> roots) {
        this.env = env;
        this.currentHome = currentHome;
        this.roots = roots;
    }

    /** The search as the launcher runs it: real environment, real JVM, real install folders. */
    static JdkSearch forThisMachine() {
        return new JdkSearch(System.getenv(), Paths.get(System.getProperty("java.home")),
                defaultRoots(Paths.get(System.getProperty("user.home"))));
    }

    /** Where JDK installers and managers put JDKs on Linux and macOS. */
    static List<Root> defaultRoots(Path userHome) {
        return List.of(
                new Root(Paths.get("/usr/lib/jvm"), "*", ""),                    // Debian/Ubuntu/Fedora packages
                new Root(Paths.get("/usr/java"), "*", ""),                       // Oracle RPMs
                new Root(Paths.get("/opt/java"), "*", ""),                       // Docker images (eclipse-temurin)
                new Root(Paths.get("/opt"), "*jdk*", ""),                        // hand-unpacked tarballs
                new Root(userHome.resolve(".sdkman/candidates/java"), "*", ""),  // SDKMAN!
                new Root(userHome.resolve(".jdks"), "*", ""),                    // IntelliJ IDEA downloads
                new Root(Paths.get("/Library/Java/JavaVirtualMachines"), "*", "Contents/Home")); // macOS
    }

    /** Runs the search and decides. */
    Result search() {
        String override = env.get("INFOGAN_JAVA");
        if (override != null && !override.isBlank()) {
            return checkOverride(Paths.get(override.trim()));
        }
        List<Jdk> found = candidates();
        Jdk best = null;
        for (Jdk jdk : found) {
            if (jdk.qualifies() && (best == null || compareVersions(jdk.version(), best.version()) > 0)) {
                best = jdk;
            }
        }
        if (best != null) {
            return new Result(best, null);
        }
        return new Result(null, noJdkMessage(found));
    }

    /** INFOGAN_JAVA set: use it if it qualifies, otherwise explain what is wrong with it. */
    private Result checkOverride(Path given) {
        Path java = Files.isDirectory(given) ? given.resolve("bin").resolve(javaExecutableName()) : given;
        String hint = " Point INFOGAN_JAVA at a JDK 25's bin/java, or unset it to search for one.";
        if (!Files.isRegularFile(java)) {
            return new Result(null, "infogan-engine needs Java 25 or newer; INFOGAN_JAVA=" + given
                    + " does not exist." + hint);
        }
        Jdk jdk = inspect(java);
        if (jdk == null || !jdk.qualifies()) {
            String what = jdk == null ? "is not a runnable java" : "is " + jdk.describe();
            return new Result(null, "infogan-engine needs Java 25 or newer; INFOGAN_JAVA=" + given
                    + " " + what + "." + hint);
        }
        return new Result(jdk, null);
    }

    /** Every distinct installation, in search order (duplicates via symlinks removed). */
    List<Jdk> candidates() {
        List<Path> javas = new ArrayList<>();
        if (currentHome != null) {
            javas.add(currentHome.resolve("bin").resolve(javaExecutableName()));
        }
        String javaHome = env.get("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            javas.add(Paths.get(javaHome.trim(), "bin", javaExecutableName()));
        }
        String path = env.get("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    javas.add(Paths.get(dir, javaExecutableName()));
                }
            }
        }
        for (Root root : roots) {
            javas.addAll(javasUnder(root));
        }
        Map<Path, Jdk> byRealPath = new LinkedHashMap<>();
        for (Path java : javas) {
            Path real;
            try {
                real = java.toRealPath();
            } catch (IOException | SecurityException e) {
                continue; // does not exist (the common case for most patterns) or unreadable
            }
            if (!byRealPath.containsKey(real) && Files.isRegularFile(real)) {
                Jdk jdk = inspect(real);
                if (jdk != null) {
                    byRealPath.put(real, jdk);
                }
            }
        }
        return new ArrayList<>(byRealPath.values());
    }

    private static List<Path> javasUnder(Root root) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root.parent())) {
            return out;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root.parent(), root.glob())) {
            for (Path child : children) {
                Path home = root.suffix().isEmpty() ? child : child.resolve(root.suffix());
                out.add(home.resolve("bin").resolve(javaExecutableName()));
            }
        } catch (IOException | SecurityException e) {
            // An unreadable install folder is not an error: we just find nothing there.
        }
        out.sort(null); // directory order is arbitrary; sorted makes ties deterministic
        return out;
    }

    /** Reads a java executable's version, preferring its home's release file. Null if unusable. */
    static Jdk inspect(Path java) {
        Path home = java.toAbsolutePath().getParent() == null ? null : java.toAbsolutePath().getParent().getParent();
        if (home == null) {
            return null;
        }
        Path release = home.resolve("release");
        if (Files.isRegularFile(release)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(release)) {
                p.load(in); // KEY="value" lines; Properties keeps the quotes, unquote() drops them
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
            String version = unquote(p.getProperty("JAVA_VERSION"));
            String modules = unquote(p.getProperty("MODULES"));
            boolean hasVector = modules == null || List.of(modules.split("\\s+")).contains(VECTOR_MODULE);
            if (version != null) {
                return new Jdk(java, home, version, hasVector);
            }
        }
        String version = versionByRunning(java);
        return version == null ? null : new Jdk(java, home, version, true);
    }

    /** Fallback for a java without a release file: run {@code java -version} (prints to stderr). */
    static String versionByRunning(Path java) {
        if (!Files.isExecutable(java)) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            // First line looks like: openjdk version "25.0.1" 2025-10-21   (or: java version "1.8.0_292")
            String text = new String(out, StandardCharsets.UTF_8);
            int open = text.indexOf('"');
            int close = open < 0 ? -1 : text.indexOf('"', open + 1);
            return close < 0 ? null : text.substring(open + 1, close);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String unquote(String s) {
        if (s == null) {
            return null;
        }
        s = s.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s.isEmpty() ? null : s;
    }

    /**
     * The feature (major) version of a version string: "25.0.1" → 25, "25-ea" → 25, "26" → 26,
     * and the pre-9 scheme "1.8.0_292" → 8. Returns -1 for anything unparseable.
     */
    static int featureOf(String version) {
        List<Integer> parts = numericParts(version);
        if (parts.isEmpty()) {
            return -1;
        }
        if (parts.get(0) == 1 && parts.size() > 1) {
            return parts.get(1);
        }
        return parts.get(0);
    }

    /** Compares versions number by number ("25.0.10" > "25.0.9"); pre-9 "1.x" maps to x first. */
    static int compareVersions(String a, String b) {
        List<Integer> pa = normalized(a);
        List<Integer> pb = normalized(b);
        for (int i = 0; i < Math.max(pa.size(), pb.size()); i++) {
            int x = i < pa.size() ? pa.get(i) : 0;
            int y = i < pb.size() ? pb.get(i) : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    private static List<Integer> normalized(String version) {
        List<Integer> parts = numericParts(version);
        if (parts.size() > 1 && parts.get(0) == 1) {
            parts = parts.subList(1, parts.size());
        }
        return parts;
    }

    /** Leading dot-separated numbers: "25.0.1+9-LTS" → [25, 0, 1]; "1.8.0_292" → [1, 8, 0]. */
    private static List<Integer> numericParts(String version) {
        List<Integer> parts = new ArrayList<>();
        if (version == null) {
            return parts;
        }
        for (String piece : version.trim().split("\\.")) {
            int end = 0;
            while (end < piece.length() && end < 9 && Character.isDigit(piece.charAt(end))) {
                end++;
            }
            if (end == 0) {
                break;
            }
            parts.add(Integer.parseInt(piece.substring(0, end)));
            if (end < piece.length()) {
                break; // "0_292", "25-ea", "1+9": the number ends the usable part
            }
        }
        return parts;
    }

    /** The one line printed when nothing qualifies, naming the newest Java we did find. */
    static String noJdkMessage(List<Jdk> found) {
        Jdk newest = null;
        for (Jdk jdk : found) {
            if (newest == null || compareVersions(jdk.version(), newest.version()) > 0) {
                newest = jdk;
            }
        }
        String seen = newest == null ? "found no Java installation"
                : "found " + newest.describe() + (found.size() > 1 ? " (the newest of " + found.size() + " checked)" : "");
        return "infogan-engine needs Java 25 or newer; " + seen
                + ". Install a JDK 25 or set INFOGAN_JAVA=/path/to/java.";
    }

    static String javaExecutableName() {
        return System.getProperty("os.name", "").startsWith("Windows") ? "java.exe" : "java";
    }
}
