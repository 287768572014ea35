package infogan.data;

/**
 * DataException: the one unchecked exception the data layer throws for unusable input files.
 *
 * <p>Its message is always a single line of the form {@code "<file>: expected <what>, found <what>"}
 * so that a CLI can print it as-is and the user sees which file is wrong and why. Line breaks in
 * the parts are flattened to spaces.
 */
public final class DataException extends RuntimeException {
    /** Creates an exception whose message is {@code message} with any line breaks replaced by spaces. */
    public DataException(String message) {
        super(oneLine(message));
    }

    /** Same, keeping {@code cause} for debugging (its text is not added to the message). */
    public DataException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Builds the canonical {@code "<file>: expected X, found Y"} message. */
    public static DataException of(String file, String expected, String found) {
        return new DataException(file + ": expected " + expected + ", found " + found);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
    }
}
