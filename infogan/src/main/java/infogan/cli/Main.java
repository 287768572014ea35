package infogan.cli;

/**
 * PLACEHOLDER — the real command-line interface (picocli: {@code train mnist}, ...) replaces this class.
 *
 * <p>It exists so that {@link infogan.launch.Launcher} has a Java 25 entry point to call while the CLI
 * is being written: it prints its arguments and the runtime version, which is all the launcher's
 * end-to-end test ({@code tests/.../LauncherIT}) checks. Keep the class name and the
 * {@code public static void main(String[])} signature when replacing it.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("infogan.cli.Main placeholder: args=" + java.util.Arrays.toString(args)
                + " java=" + Runtime.version());
    }
}
