package infogan.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the JDK search against fake JDK folders: a {@code release} file and an executable
 * {@code bin/java} stub. Nothing here looks at the machine's real JDKs: the environment, the
 * "current JVM" and the install folders are all injected.
 */
class JdkSearchTest {

    @TempDir Path tmp;

    /** Makes {@code dir/bin/java} (a shell stub that prints {@code versionOutput} like java -version) and, if given, a release file. */
    private Path fakeJdk(Path dir, String releaseText, String versionOutput) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve(JdkSearch.javaExecutableName());
        Files.writeString(java, "#!/bin/sh\necho '" + versionOutput + "' >&2\n");
        try {
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the release file tests still work; the -version fallback test is skipped.
        }
        if (releaseText != null) {
            Files.writeString(dir.resolve("release"), releaseText);
        }
        return java;
    }

    private Path fakeJdk(String name, String version) throws IOException {
        return fakeJdk(tmp.resolve("jvm").resolve(name), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n", "");
    }

    private JdkSearch searchOnly(Path jvmFolder, Map<String, String> env) {
        return new JdkSearch(env, null, List.of(new JdkSearch.Root(jvmFolder, "*", "")));
    }

    @Test
    void featureVersionOfEveryScheme() {
        assertEquals(25, JdkSearch.featureOf("25"));
        assertEquals(25, JdkSearch.featureOf("25.0.1"));
        assertEquals(25, JdkSearch.featureOf("25-ea"));
        assertEquals(26, JdkSearch.featureOf("26.0.2+7-LTS"));
        assertEquals(17, JdkSearch.featureOf("17.0.15"));
        assertEquals(8, JdkSearch.featureOf("1.8.0_292"));
        assertEquals(-1, JdkSearch.featureOf("banana"));
        assertEquals(-1, JdkSearch.featureOf(""));
    }

    @Test
    void versionsCompareNumberByNumber() {
        assertTrue(JdkSearch.compareVersions("25.0.10", "25.0.9") > 0);
        assertTrue(JdkSearch.compareVersions("26", "25.0.3") > 0);
        assertTrue(JdkSearch.compareVersions("1.8.0_292", "17") < 0);
        assertEquals(0, JdkSearch.compareVersions("25", "25.0.0"));
    }

    @Test
    void readsVersionAndModulesFromReleaseFile() throws IOException {
        Path java = fakeJdk(tmp.resolve("full"), "JAVA_VERSION=\"25.0.1\"\nMODULES=\"java.base jdk.incubator.vector java.logging\"\n", "");
        JdkSearch.Jdk jdk = JdkSearch.inspect(java);
        assertEquals("25.0.1", jdk.version());
        assertEquals(tmp.resolve("full"), jdk.home());
        assertTrue(jdk.qualifies());

        Path jlinked = fakeJdk(tmp.resolve("slim"), "JAVA_VERSION=\"25.0.1\"\nMODULES=\"java.base java.logging\"\n", "");
        JdkSearch.Jdk slim = JdkSearch.inspect(jlinked);
        assertFalse(slim.hasVector());
        assertFalse(slim.qualifies(), "a jlinked runtime without the Vector API cannot run the engine");
    }

    @Test
    void fallsBackToRunningJavaVersionWithoutReleaseFile() throws IOException {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "the stub java is a shell script");
        Path java = fakeJdk(tmp.resolve("norelease"), null, "openjdk version \"26.0.1\" 2026-04-21");
        JdkSearch.Jdk jdk = JdkSearch.inspect(java);
        assertEquals("26.0.1", jdk.version());
        assertTrue(jdk.qualifies());
    }

    @Test
    void choosesHighestQualifyingVersion() throws IOException {
        fakeJdk("java-17", "17.0.15");
        fakeJdk("jdk-25.0.1", "25.0.1");
        Path best = fakeJdk("jdk-25.0.10", "25.0.10");
        fakeJdk("jdk-8", "1.8.0_292");
        JdkSearch.Result r = searchOnly(tmp.resolve("jvm"), Map.of()).search();
        assertNull(r.problem());
        assertEquals(best.toRealPath(), r.chosen().java());
    }

    @Test
    void searchOrderIsCurrentJavaHomePathThenFoldersAndDuplicatesCollapse() throws IOException {
        Path current = fakeJdk(tmp.resolve("current"), "JAVA_VERSION=\"17\"\n", "").getParent().getParent();
        Path javaHome = fakeJdk(tmp.resolve("home"), "JAVA_VERSION=\"25\"\n", "").getParent().getParent();
        Path onPath = fakeJdk(tmp.resolve("onpath"), "JAVA_VERSION=\"25\"\n", "").getParent();
        Path inFolder = fakeJdk("inFolder", "25");
        // The same JDK reached twice (JAVA_HOME and the install folder via a symlink) is listed once.
        Files.createDirectories(tmp.resolve("jvm"));
        Files.createSymbolicLink(tmp.resolve("jvm").resolve("alias"), javaHome);
        JdkSearch search = new JdkSearch(Map.of("JAVA_HOME", javaHome.toString(), "PATH", onPath.toString()),
                current, List.of(new JdkSearch.Root(tmp.resolve("jvm"), "*", "")));
        List<JdkSearch.Jdk> found = search.candidates();
        assertEquals(List.of(current.toRealPath(), javaHome.toRealPath(), onPath.getParent().toRealPath(),
                        inFolder.getParent().getParent().toRealPath()),
                found.stream().map(JdkSearch.Jdk::home).toList());
        // Three JDK 25s tie: the first found (JAVA_HOME) wins.
        assertEquals(javaHome.toRealPath(), search.search().chosen().home());
    }

    @Test
    void rootSuffixFindsMacOsLayout() throws IOException {
        Path java = fakeJdk(tmp.resolve("JavaVirtualMachines/temurin-25.jdk/Contents/Home"), "JAVA_VERSION=\"25.0.1\"\n", "");
        JdkSearch search = new JdkSearch(Map.of(), null,
                List.of(new JdkSearch.Root(tmp.resolve("JavaVirtualMachines"), "*", "Contents/Home")));
        assertEquals(java.toRealPath(), search.search().chosen().java());
    }

    @Test
    void oneLineErrorWhenNothingQualifies() throws IOException {
        fakeJdk("java-17-openjdk-amd64", "17.0.15");
        fakeJdk("java-11", "11.0.2");
        JdkSearch.Result r = searchOnly(tmp.resolve("jvm"), Map.of()).search();
        assertNull(r.chosen());
        assertEquals("infogan-engine needs Java 25 or newer; found Java 17.0.15 at "
                + tmp.resolve("jvm/java-17-openjdk-amd64").toRealPath()
                + " (the newest of 2 checked). Install a JDK 25 or set INFOGAN_JAVA=/path/to/java.", r.problem());
        assertFalse(r.problem().contains("\n"));
    }

    @Test
    void oneLineErrorWhenNoJavaAtAll() {
        JdkSearch.Result r = searchOnly(tmp.resolve("nothing-here"), Map.of("PATH", tmp.toString())).search();
        assertEquals("infogan-engine needs Java 25 or newer; found no Java installation."
                + " Install a JDK 25 or set INFOGAN_JAVA=/path/to/java.", r.problem());
    }

    @Test
    void overrideIsExclusive() throws IOException {
        fakeJdk("jdk-26", "26");
        Path old = fakeJdk("java-17", "17.0.15");
        Path jdk25 = fakeJdk("jdk-25", "25.0.1");
        Path folder = tmp.resolve("jvm");

        // A qualifying override wins even over a newer JDK elsewhere; a JDK folder works as well as bin/java.
        assertEquals(jdk25, searchOnly(folder, Map.of("INFOGAN_JAVA", jdk25.toString())).search().chosen().java());
        assertEquals(jdk25, searchOnly(folder, Map.of("INFOGAN_JAVA", folder.resolve("jdk-25").toString())).search().chosen().java());

        // A bad override is reported, not silently replaced by jdk-26.
        JdkSearch.Result missing = searchOnly(folder, Map.of("INFOGAN_JAVA", "/nonexistent")).search();
        assertNull(missing.chosen());
        assertEquals("infogan-engine needs Java 25 or newer; INFOGAN_JAVA=/nonexistent does not exist."
                + " Point INFOGAN_JAVA at a JDK 25's bin/java, or unset it to search for one.", missing.problem());
        JdkSearch.Result tooOld = searchOnly(folder, Map.of("INFOGAN_JAVA", old.toString())).search();
        assertEquals("infogan-engine needs Java 25 or newer; INFOGAN_JAVA=" + old + " is Java 17.0.15 at "
                + folder.resolve("java-17") + ". Point INFOGAN_JAVA at a JDK 25's bin/java, or unset it to search for one.",
                tooOld.problem());
    }

    @Test
    void childCommandLine() {
        assertEquals(List.of("/j/bin/java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-Xmx8g", "-XX:+UseParallelGC", "-cp", "x.jar", "infogan.launch.Launcher", "train", "mnist"),
                Launcher.command("/j/bin/java", Map.of(), "  -Xmx8g   -XX:+UseParallelGC ", "x.jar", new String[] {"train", "mnist"}));
        assertEquals(List.of("/j/bin/java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "-Dinfogan.cuda.graph=off", "-cp", "x.jar", "infogan.launch.Launcher"),
                Launcher.command("/j/bin/java", Map.of("infogan.cuda.graph", "off"), null, "x.jar", new String[0]));
    }

    @Test
    void theEngineSwitchesOfThisJvmArePassedOn() {
        System.setProperty("infogan.test.switch", "a value");
        try {
            Map<String, String> p = Launcher.engineProperties();
            assertEquals("a value", p.get("infogan.test.switch"));
            assertTrue(p.keySet().stream().allMatch(k -> k.startsWith("infogan.")), p.toString());
        } finally {
            System.clearProperty("infogan.test.switch");
        }
    }

    @Test
    void thisTestJvmIsReady() {
        // Surefire runs us on JDK 25 with --add-modules jdk.incubator.vector (parent pom argLine).
        assertTrue(Launcher.runtimeIsReady());
    }
}
