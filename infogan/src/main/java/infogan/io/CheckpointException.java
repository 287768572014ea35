package infogan.io;

import java.nio.file.Path;

/**
 * Any failure to write or read a {@link CheckpointFile}: a corrupt, truncated, foreign or newer-version
 * file, a missing section or one of another type, or an I/O error underneath.
 *
 * <p>Unchecked, because no caller can do better than report it; and its message is always one line that
 * starts with {@code checkpoint FILE:} and says what is wrong, so the CLI can print {@link #getMessage()}
 * as-is. Any underlying {@link java.io.IOException} stays available as the cause.
 */
public final class CheckpointException extends RuntimeException {

    private final Path file;

    public CheckpointException(Path file, String problem) {
        this(file, problem, null);
    }

    CheckpointException(Path file, String problem, Throwable cause) {
        super("checkpoint " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The checkpoint file this is about. */
    public Path file() {
        return file;
    }
}
