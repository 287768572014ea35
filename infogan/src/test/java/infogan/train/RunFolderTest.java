package infogan.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder's rules: new runs only in new or empty folders, one process per folder, reasons in words. */
class RunFolderTest {
    @Test
    void aNewRunStartsOnlyInANewOrEmptyFolder(@TempDir Path dir) throws IOException {
        RunFolder.checkNew(dir.resolve("absent"));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        RunFolder.checkNew(empty);
        Files.createFile(empty.resolve(RunFolder.LOCK));            // left by a killed attempt: still empty
        RunFolder.checkNew(empty);

        Path mine = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "precious");
        var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.checkNew(mine));
        assertTrue(e.getMessage().contains("holds notes.txt") && e.getMessage().contains("--name"), e.getMessage());

        Path run = Files.createDirectory(dir.resolve("run"));
        Files.writeString(run.resolve("metrics.csv"), "iteration\n");
        e = assertThrows(IllegalArgumentException.class, () -> RunFolder.checkNew(run));
        assertTrue(e.getMessage().contains("already holds a run") && e.getMessage().contains("--resume " + run), e.getMessage());

        Path file = Files.writeString(dir.resolve("file"), "x");
        e = assertThrows(IllegalArgumentException.class, () -> RunFolder.checkNew(file));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        assertEquals("precious", Files.readString(mine.resolve("notes.txt")));
    }

    /** What a run killed before its first checkpoint leaves still counts as empty; the claim clears the temp file. */
    @Test
    void aRunKilledBeforeItsFirstCheckpointLeavesAnEmptyFolder(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectory(dir.resolve("r"));
        Files.createFile(run.resolve(RunFolder.LOCK));
        Files.createDirectory(run.resolve("samples"));
        Path temp = Files.writeString(run.resolve(".checkpoint.ckpt.1f2e3d.tmp"), "half a checkpoint");
        RunFolder.checkNew(run);
        try (RunFolder f = RunFolder.claim(run, false)) {
            assertFalse(Files.exists(temp), "the cut-short save is deleted under the lock");
        }
        Files.writeString(run.resolve("samples/iter_000001.png"), "a sample");     // a folder with content is not a leftover
        var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.checkNew(run));
        assertTrue(e.getMessage().contains("holds samples"), e.getMessage());
        Path other = Files.writeString(dir.resolve(".checkpoint.ckpt.notes.tmp"), "a user's file with a similar name");
        assertFalse(RunFolder.isCheckpointTemp(other), "only CheckpointFile's hex-named temp files are ours");
    }

    @Test
    void oneProcessAtATimeHoldsAFolder(@TempDir Path dir) {
        Path run = dir.resolve("r");
        try (RunFolder first = RunFolder.claim(run, false)) {
            var e = assertThrows(IllegalStateException.class, () -> RunFolder.claim(run, true));
            assertTrue(e.getMessage().contains("in use by another training process"), e.getMessage());
        }
        try (RunFolder again = RunFolder.claim(run, true)) {          // released on close
            assertTrue(Files.exists(run.resolve(RunFolder.LOCK)));
        }
    }

    @Test
    void aFolderThatFilledUpBeforeTheLockIsRefusedUnderIt(@TempDir Path dir) throws IOException {
        Path run = Files.createDirectory(dir.resolve("r"));
        Files.writeString(run.resolve("config.properties"), "from another process");
        var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.claim(run, false));
        assertTrue(e.getMessage().contains("holds config.properties"), e.getMessage());
        try (RunFolder f = RunFolder.claim(run, false)) {
            fail("claimed a folder holding another run's file");
        } catch (IllegalArgumentException expected) {
            // and the failed claim released its lock, so a resume may take it
        }
        try (RunFolder resumed = RunFolder.claim(run, true)) {
            assertEquals("from another process", Files.readString(run.resolve("config.properties")));
        }
    }

    @Test
    void reasonsSayWhatTheSystemSaid() {
        assertEquals("/x/y: permission denied", infogan.io.IoErrors.reason(new AccessDeniedException("/x/y")));
        assertEquals("/x/y: No space left on device", infogan.io.IoErrors.reason(new FileSystemException("/x/y", null, "No space left on device")));
        assertEquals("disk on fire", infogan.io.IoErrors.reason(new IOException("disk on fire")));
    }
}
