package infogan.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
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

    /** The first entry of dir other than the lock file, if dir exists and holds one. */
    public static Optional<Path> firstEntry(Path dir) {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals(LOCK)).sorted().findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run folder " + reason(e), e);
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
            if (!resume) {
                try {
                    checkNew(dir);
                } catch (RuntimeException e) {
                    f.close();
                    throw e;
                }
            }
            return f;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot write to run folder " + dir + ": " + reason(e), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
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
            throw new UncheckedIOException("cannot release the lock of a run folder: " + reason(e), e);
        }
    }

    /**
     * An I/O failure in words: the path and what the operating system said (Java's AccessDeniedException and kin carry
     * only the path in their message).
     */
    public static String reason(IOException e) {
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof NoSuchFileException ? "no such file or folder"
                : e instanceof NotDirectoryException ? "not a folder"
                : e instanceof FileAlreadyExistsException ? "already exists"
                : e instanceof DirectoryNotEmptyException ? "folder not empty" : null;
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : f.getFile() + ": ";
            if (f.getReason() != null) return file + f.getReason();
            return file + (why != null ? why : e.getClass().getSimpleName());
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
