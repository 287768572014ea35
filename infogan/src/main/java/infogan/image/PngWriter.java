package infogan.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * PngWriter: encodes 8-bit grayscale and RGB PNG files with nothing but {@link Deflater} and
 * {@link CRC32} (no java.desktop / ImageIO, which the GPU runtime lacks).
 *
 * <p>A PNG is the 8-byte signature followed by chunks, each {@code length(4) type(4) data CRC32(4)}
 * with the CRC over type and data:
 * <ul>
 *   <li>{@code IHDR}: width, height, bit depth 8, colour type 0 (gray) or 2 (RGB), compression 0,
 *       filter method 0, no interlace;</li>
 *   <li>{@code IDAT}: the zlib-deflated scanlines, each prefixed by its filter type; we always
 *       use filter 0 ("None"), which is simple and deterministic;</li>
 *   <li>{@code IEND}: empty, marks the end.</li>
 * </ul>
 * Files are written atomically: to a temporary file in the same directory, then renamed over the
 * target, so a reader (or a crash) never sees half a picture.
 */
public final class PngWriter {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int COLOR_GRAY = 0, COLOR_RGB = 2;

    private PngWriter() {}

    /** PNG bytes of a grayscale raster. */
    public static byte[] encode(GrayRaster img) {
        return encode(img.width(), img.height(), COLOR_GRAY, 1, img.pixels());
    }

    /** PNG bytes of an RGB raster. */
    public static byte[] encode(RgbRaster img) {
        return encode(img.width(), img.height(), COLOR_RGB, 3, img.rgb());
    }

    /** Writes {@code img} as a grayscale PNG to {@code file}, atomically. */
    public static void write(Path file, GrayRaster img) {
        writeAtomically(file, encode(img));
    }

    /** Writes {@code img} as an RGB PNG to {@code file}, atomically. */
    public static void write(Path file, RgbRaster img) {
        writeAtomically(file, encode(img));
    }

    /** Writes {@code bytes} to a temp file beside {@code file} and renames it into place. */
    public static void writeAtomically(Path file, byte[] bytes) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // a fresh name opened with CREATE_NEW gets the usual permissions (umask), unlike createTempFile's 0600
            tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) { }
        }
    }

    private static byte[] encode(int w, int h, int colorType, int channels, byte[] pixels) {
        int stride = w * channels;
        if (pixels.length != (long) stride * h) throw new IllegalArgumentException("pixel array size mismatch");
        // Scanlines: one filter-type byte (0 = None) then the row's bytes.
        byte[] raw = new byte[(stride + 1) * h];
        for (int y = 0; y < h; y++) System.arraycopy(pixels, y * stride, raw, y * (stride + 1) + 1, stride);

        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = (byte) colorType;
        // compression, filter method and interlace are all 0
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", deflate(raw));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION); // zlib format, as PNG requires
        try {
            d.setInput(raw);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
            byte[] buf = new byte[1 << 16];
            while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(len);
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }
}
