package infogan.train;

import infogan.io.CheckpointFile;
import infogan.io.IoErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The rules that keep a user's files safe around a run folder: a new run starts only in a folder that does not exist
 * or is empty (so nothing already there is overwritten), and a run, new or resumed, holds an operating-system lock on
 * the folder's {@value #LOCK} file while it trains, so a second process on the same folder is refused instead of
 * interleaving its rows into metrics.csv. The lock goes with the process (also on a kill); the empty file stays.
 */
public final class RunFolder implements AutoCloseable {
    /** The lock file, the one name a new run's folder may already hold (left by an earlier, killed attempt). */
    public static final String LOCK = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunFolder(FileChannel channel, FileLock lock) { this.channel = channel; this.lock = lock; }

    /**
     * What a run attempt killed before its first checkpoint leaves, and so what still counts as an empty folder: the
     * lock file, an empty samples/ folder, a checkpoint's temporary file (deleted when the folder is claimed) and the
     * write test's.
     */
    static boolean leftover(Path p) {
        String n = p.getFileName().toString();
        if (n.equals(LOCK) || isCheckpointTemp(p) || n.startsWith(".write-test") && n.endsWith(".tmp")) return true;
        if (!n.equals("samples") || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** A temporary file of the checkpoint's atomic write, left by a kill mid-save. */
    static boolean isCheckpointTemp(Path p) {
        return CheckpointFile.Builder.isTempFileOf(p, "checkpoint.ckpt") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The first entry of dir that is not a {@linkplain #leftover leftover}, if dir exists and holds one. */
    public static Optional<Path> firstEntry(Path dir) {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !leftover(p)).sorted().findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run folder " + IoErrors.reason(e), e);
        }
    }

    /** Refuses, in one line, a folder a new run must not write into: a file, or a folder that already holds something. */
    public static void checkNew(Path dir) {
        if (Files.exists(dir.resolve("checkpoint.ckpt")) || Files.exists(dir.resolve("metrics.csv")))
            throw new IllegalArgumentException("run folder " + dir + " already holds a run; continue it with --resume " + dir + " or pick another --name");
        if (Files.exists(dir) && !Files.isDirectory(dir))
            throw new IllegalArgumentException("run folder " + dir + " is a file, not a folder; pick another --name or --out");
        firstEntry(dir).ifPresent(p -> {
            throw new IllegalArgumentException("run folder " + dir + " already exists and holds " + p.getFileName()
                    + "; a new run only starts in a new or empty folder (nothing there is overwritten): pick another --name or --out");
        });
    }

    /**
     * Creates dir if needed and locks it for this process; for a new run (resume false) then checks again, under the
     * lock, that it holds nothing (another process may have started there since the command line looked).
     */
    public static RunFolder claim(Path dir, boolean resume) {
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {   // held by this JVM
                l = null;
            }
            if (l == null)
                throw new IllegalStateException("run folder " + dir + " is in use by another training process (its " + LOCK + " is locked); wait for it or pick another --name");
            RunFolder f = new RunFolder(ch, l);
            try {
                if (!resume) checkNew(dir);
                checkWritable(dir);
                try (Stream<Path> s = Files.list(dir)) {     // a checkpoint save that a kill cut short
                    for (Path p : s.filter(RunFolder::isCheckpointTemp).toList()) Files.deleteIfExists(p);
                }
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
            return f;
        } catch (IOException e) {
            closeQuietly(ch);
            throw cannotWrite(dir, e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /**
     * Fails now, not at the first checkpoint hundreds of iterations later, if the folder or a file a run rewrites
     * cannot be written: a file is created and deleted in the folder (checkpoints are written beside and renamed).
     */
    static void checkWritable(Path dir) throws IOException {
        Files.delete(Files.createTempFile(dir, ".write-test", ".tmp"));
        for (String f : new String[]{"config.properties", "metrics.csv", "eval.csv", "checkpoint.ckpt", "confusion.csv", "eval.txt"}) {
            Path p = dir.resolve(f);
            if (Files.exists(p) && !Files.isWritable(p)) throw new java.nio.file.AccessDeniedException(p.toString());
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of a run folder: " + IoErrors.reason(e), e);
        }
    }

    /** The one-line error for a failed write into a run folder, with what the system said. */
    public static UncheckedIOException cannotWrite(Path dir, IOException e) {
        return new UncheckedIOException("cannot write to run folder " + dir + ": " + IoErrors.reason(e), e);
    }
}
