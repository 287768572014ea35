package infogan.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * IdxReader: reads the IDX files MNIST-style datasets ship in, raw or gzip-compressed.
 *
 * <p>The IDX format (LeCun et al.) is a big-endian header followed by raw data:
 * <pre>
 *   bytes 0-1  0x00 0x00
 *   byte  2    dtype code: 0x08 = uint8 (the only one we accept), 0x09 int8, 0x0B int16,
 *              0x0C int32, 0x0D float32, 0x0E float64
 *   byte  3    number of dimensions d
 *   then d big-endian int32 sizes, then prod(sizes) elements, row-major.
 * </pre>
 * Images are IDX3 ({@code n x height x width}), labels IDX1 ({@code n}).
 *
 * <p>Compression is detected from the content, not the name: a stream starting with the gzip
 * magic {@code 1f 8b} is inflated, anything else is read as raw IDX. A file whose name ends in
 * {@code .gz} but is not gzip is rejected, because that usually means a broken download.
 *
 * <p>Every problem surfaces as a {@link DataException} with a one-line message naming the file,
 * what was expected and what was found (bad magic or dtype, wrong rank, unexpected image size,
 * truncated data, trailing bytes, missing file).
 */
public final class IdxReader {
    /** The image size MNIST-like data has; other sizes are refused unless the caller allows them. */
    public static final int MNIST_SIDE = 28;

    private static final int DTYPE_UINT8 = 0x08;

    private IdxReader() {}

    /** A decoded IDX3 file: {@code n} images of {@code height x width} uint8 pixels, row-major. */
    public record Images(int n, int height, int width, byte[] pixels) {}

    /** Reads 28x28 uint8 images from {@code file} (raw or gzipped). */
    public static Images readImages(Path file) {
        return readImages(file, false);
    }

    /** Reads uint8 images from {@code file}; with {@code anySize} false they must be 28x28. */
    public static Images readImages(Path file, boolean anySize) {
        try (InputStream in = open(file)) {
            return readImages(file.toString(), in, anySize);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e, e);
        }
    }

    /** Reads uint8 images from a stream; {@code name} is used in error messages and for the .gz check. */
    public static Images readImages(String name, InputStream in, boolean anySize) {
        byte[] data = decode(name, in);
        int[] dims = header(name, data, 3, "IDX3 images");
        int n = dims[0], h = dims[1], w = dims[2];
        if (!anySize && (h != MNIST_SIDE || w != MNIST_SIDE))
            throw DataException.of(name, "28x28 images", h + "x" + w);
        if (h <= 0 || w <= 0)
            throw DataException.of(name, "positive image dimensions", h + "x" + w);
        byte[] pixels = body(name, data, 16, (long) n * h * w, n + " images of " + h + "x" + w);
        return new Images(n, h, w, pixels);
    }

    /** Reads uint8 labels from {@code file} (raw or gzipped). */
    public static byte[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            return readLabels(file.toString(), in);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e, e);
        }
    }

    /** Reads uint8 labels from a stream; {@code name} is used in error messages and for the .gz check. */
    public static byte[] readLabels(String name, InputStream in) {
        byte[] data = decode(name, in);
        int[] dims = header(name, data, 1, "IDX1 labels");
        return body(name, data, 8, dims[0], dims[0] + " labels");
    }

    // ---------------------------------------------------------------- internals

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw DataException.of(file.toString(), "an existing file", "no such file");
        } catch (IOException e) {
            throw new DataException(file + ": cannot open: " + e, e);
        }
    }

    /** Returns the whole (inflated if gzip) content, choosing by the first two bytes. */
    private static byte[] decode(String name, InputStream raw) {
        try {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            if (!gzip && name.endsWith(".gz"))
                throw DataException.of(name, "gzip data (magic 1f 8b) since the name ends in .gz",
                        b0 < 0 ? "an empty file" : b1 < 0 ? "1 byte" : "bytes " + hex(b0) + " " + hex(b1));
            if (!gzip) return in.readAllBytes();
            try (GZIPInputStream gz = new GZIPInputStream(in, 1 << 16)) {
                return gz.readAllBytes();
            } catch (EOFException e) {
                throw DataException.of(name, "a complete gzip stream", "it truncated (" + e.getMessage() + ")");
            } catch (ZipException e) {
                throw DataException.of(name, "a valid gzip stream", "corrupt data (" + e.getMessage() + ")");
            }
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e, e);
        }
    }

    /** Checks magic, dtype and rank; returns the dimension sizes. */
    private static int[] header(String name, byte[] d, int rank, String what) {
        if (d.length < 4)
            throw DataException.of(name, "an " + what + " header (4 magic bytes)", "only " + d.length + " bytes");
        if (d[0] != 0 || d[1] != 0)
            throw DataException.of(name, "IDX magic 00 00 08 0" + rank + " (" + what + ")",
                    hex(d[0]) + " " + hex(d[1]) + " " + hex(d[2]) + " " + hex(d[3]));
        int dtype = d[2] & 0xff;
        if (dtype != DTYPE_UINT8)
            throw DataException.of(name, "dtype code 0x08 (uint8)", "0x" + hex(dtype) + " (" + dtypeName(dtype) + ")");
        int got = d[3] & 0xff;
        if (got != rank)
            throw DataException.of(name, rank + " dimensions (" + what + ")", got + " dimensions");
        int headerLen = 4 + 4 * rank;
        if (d.length < headerLen)
            throw DataException.of(name, headerLen + " header bytes", "only " + d.length + " bytes (truncated)");
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            int o = 4 + 4 * i;
            dims[i] = ((d[o] & 0xff) << 24) | ((d[o + 1] & 0xff) << 16) | ((d[o + 2] & 0xff) << 8) | (d[o + 3] & 0xff);
            if (dims[i] < 0)
                throw DataException.of(name, "non-negative dimension sizes", "size " + Integer.toUnsignedString(dims[i]));
        }
        return dims;
    }

    /** Copies exactly {@code count} payload bytes starting at {@code offset}, insisting on the exact length. */
    private static byte[] body(String name, byte[] d, int offset, long count, String promised) {
        long have = d.length - (long) offset;
        if (have < count)
            throw DataException.of(name, count + " data bytes (" + promised + ")", "only " + have + " (truncated)");
        if (have > count)
            throw DataException.of(name, count + " data bytes (" + promised + ")", have + " (" + (have - count) + " trailing bytes)");
        byte[] out = new byte[(int) count];
        System.arraycopy(d, offset, out, 0, (int) count);
        return out;
    }

    private static String hex(int b) {
        return String.format("%02x", b & 0xff);
    }

    private static String dtypeName(int code) {
        return switch (code) {
            case 0x08 -> "uint8";
            case 0x09 -> "int8";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> "unknown";
        };
    }
}
