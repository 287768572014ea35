package infogan.launch;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The jar's entry point: makes {@code java -jar infogan-engine.jar ARGS} work whatever {@code java} the
 * user happens to start it with.
 *
 * <p>Why: the engine is Java 25 code that needs the incubating Vector API, which a JVM only loads when
 * told {@code --add-modules jdk.incubator.vector} on its command line (a jar manifest cannot add modules).
 * So this class — compiled to Java 17 bytecode, so an older default {@code java} can at least run it —
 * checks the running JVM and, if it is not ready, re-executes the jar on a suitable one:
 * <pre>
 *   JAVA ≥ 25 --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dinfogan.…=… $INFOGAN_JAVA_OPTS
 *            -cp THIS_JAR infogan.launch.Launcher ARGS         (with INFOGAN_RELAUNCHED=1 in its environment)
 * </pre>
 * The {@code -Dinfogan.…} are this JVM's own {@code infogan.*} system properties, so that
 * {@code java -Dinfogan.cuda.graph=off -jar infogan-engine.jar …} means the same on any {@code java}.
 * The child inherits stdin/stdout/stderr, and its exit code becomes ours.
 *
 * <p>Choices, for the record:
 * <ul>
 *   <li>No GC flag. The JVM's default (G1) stays; without a benchmark of the real training loop showing
 *       another collector is faster, a flag would be guesswork. Users can add one via INFOGAN_JAVA_OPTS.</li>
 *   <li>INFOGAN_JAVA_OPTS is split on whitespace (no quoting); our flags come first so the user's win
 *       where the JVM takes the last occurrence (e.g. -Xmx).</li>
 *   <li>The child prints "WARNING: Using incubator modules: jdk.incubator.vector" to stderr. The JDK 25
 *       module bootstrap prints it unconditionally (ModuleBootstrap.checkIncubatingStatus); no flag turns
 *       it off. Filtering it would mean piping the child's stderr, after which it is no longer a
 *       terminal (progress bars, colours), so we leave it.</li>
 * </ul>
 */
public final class Launcher {

    /** Set in the child's environment so that a misconfigured child can never relaunch again. */
    static final String RELAUNCHED_MARKER = "INFOGAN_RELAUNCHED";
    /** The launcher's process id, in the child's environment: the child stops when that process is gone. */
    static final String LAUNCHER_PID = "INFOGAN_LAUNCHER_PID";
    /** The real entry point, in the Java 25 part of the jar. */
    static final String REAL_MAIN = "infogan.cli.Main";

    private Launcher() {}

    public static void main(String[] args) throws Throwable {
        if (runtimeIsReady()) {
            watchLauncher(System.getenv(LAUNCHER_PID));
            // invokeExact does not wrap what main throws, so the user sees the real exception.
            MethodHandle main = MethodHandles.publicLookup().findStatic(
                    Class.forName(REAL_MAIN), "main", MethodType.methodType(void.class, String[].class));
            main.invokeExact(args);
            return;
        }
        if (System.getenv(RELAUNCHED_MARKER) != null) {
            fail("infogan-engine was relaunched on Java " + Runtime.version() + " at " + System.getProperty("java.home")
                    + " but " + JdkSearch.VECTOR_MODULE + " is still not loaded; check INFOGAN_JAVA_OPTS.");
        }
        JdkSearch.Result result = JdkSearch.forThisMachine().search();
        if (result.chosen() == null) {
            fail(result.problem());
        }
        System.exit(relaunch(result.chosen().java().toString(), args));
    }

    /**
     * In a relaunched child: when the launcher is gone without taking the child along (a kill -9 cannot be forwarded),
     * the child stops too, through System.exit, so its shutdown hooks run (the trainer says where to resume and the
     * run folder's lock is released) instead of training on unseen, with no terminal, until it is done.
     */
    static void watchLauncher(String pid) {
        if (pid == null) return;
        try {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> h.onExit().thenRun(() -> {
                System.err.println();
                System.err.println("infogan-engine: the launching java process " + pid + " is gone; stopping");
                System.exit(143);
            }));
        } catch (NumberFormatException notAPid) {
            // not set by our launcher: nothing to watch
        }
    }

    /** True when this JVM can run the engine directly: Java 25+ with the Vector API module loaded. */
    static boolean runtimeIsReady() {
        return Runtime.version().feature() >= JdkSearch.REQUIRED_FEATURE
                && ModuleLayer.boot().findModule(JdkSearch.VECTOR_MODULE).isPresent();
    }

    /** The child's command line (see the class comment); props are passed on as -Dname=value. */
    static List<String> command(String java, Map<String, String> props, String userOpts, String classPath, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--add-modules");
        cmd.add(JdkSearch.VECTOR_MODULE);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        if (userOpts != null && !userOpts.isBlank()) {
            cmd.addAll(Arrays.asList(userOpts.trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Launcher.class.getName());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** This JVM's {@code infogan.*} system properties (the engine's switches), sorted by name. */
    static Map<String, String> engineProperties() {
        Map<String, String> props = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames())
            if (name.startsWith("infogan.")) props.put(name, System.getProperty(name));
        return props;
    }

    /** Runs the child and returns its exit code. */
    private static int relaunch(String java, String[] args) throws Exception {
        // Under `java -jar X.jar` the class path is exactly X.jar; from an IDE it is the full class path.
        String classPath = System.getProperty("java.class.path");
        ProcessBuilder pb = new ProcessBuilder(command(java, engineProperties(), System.getenv("INFOGAN_JAVA_OPTS"), classPath, args))
                .inheritIO();
        pb.environment().put(RELAUNCHED_MARKER, "1");
        pb.environment().put(LAUNCHER_PID, Long.toString(ProcessHandle.current().pid()));
        Process child = pb.start();
        // Ctrl-C reaches both JVMs (same process group). If we are shutting down, make sure the child
        // goes too, and wait for it (it may be saving a checkpoint) so the shell prompt does not come
        // back while it is still printing. A hook runs no stack-trace-printing code path in main.
        Thread hook = new Thread(() -> {
            if (child.isAlive()) {
                child.destroy();
                try {
                    if (!child.waitFor(30, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    child.destroyForcibly();
                }
            }
        }, "infogan-child-reaper");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Ctrl-C arrived: the hook is running; System.exit below just waits for shutdown to finish.
        }
        return code;
    }

    /** Prints one line to stderr and exits 1: the only way this launcher reports a problem. */
    private static void fail(String line) {
        System.err.println(line);
        System.exit(1);
    }
}
