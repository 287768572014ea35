package infogan.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IdxReaderTest: round trips, gzip detection by content, and one-line errors for every bad input. */
class IdxReaderTest {
    @TempDir Path dir;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void rawAndGzipRoundTrip() {
        byte[] px = randomBytes(3 * 28 * 28, 1);
        byte[] idx = IdxWriter.idx(px, 3, 28, 28);
        for (Path f : new Path[] {
                IdxWriter.write(dir.resolve("a-idx3-ubyte"), idx),
                IdxWriter.write(dir.resolve("a-idx3-ubyte.gz"), IdxWriter.gzip(idx))}) {
            IdxReader.Images img = IdxReader.readImages(f);
            assertEquals(3, img.n());
            assertEquals(28, img.height());
            assertEquals(28, img.width());
            assertArrayEquals(px, img.pixels());
        }
        byte[] lab = {0, 9, 5, (byte) 255};
        Path lf = IdxWriter.write(dir.resolve("l.gz"), IdxWriter.gzip(IdxWriter.idx(lab, 4)));
        assertArrayEquals(lab, IdxReader.readLabels(lf));
    }

    @Test
    void gzipDetectedByBytesNotName() {
        byte[] px = randomBytes(2 * 28 * 28, 2);
        Path f = IdxWriter.write(dir.resolve("images.bin"), IdxWriter.gzip(IdxWriter.idx(px, 2, 28, 28)));
        assertArrayEquals(px, IdxReader.readImages(f).pixels());
    }

    @Test
    void otherSizesOnlyWhenAllowed() {
        Path f = IdxWriter.write(dir.resolve("small"), IdxWriter.idx(randomBytes(2 * 5 * 7, 3), 2, 5, 7));
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readImages(f)), "28x28", "5x7");
        IdxReader.Images img = IdxReader.readImages(f, true);
        assertEquals(5, img.height());
        assertEquals(7, img.width());
    }

    @Test
    void wrongMagic() {
        byte[] idx = IdxWriter.idx(new byte[784], 1, 28, 28);
        idx[0] = 0x12;
        Path f = IdxWriter.write(dir.resolve("magic"), idx);
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readImages(f)), "magic", "12 00 08 03");
    }

    @Test
    void wrongDtype() {
        byte[] idx = IdxWriter.idx(new byte[784], 1, 28, 28);
        idx[2] = 0x0D;
        Path f = IdxWriter.write(dir.resolve("dtype"), idx);
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readImages(f)), "uint8", "float32");
    }

    @Test
    void wrongRank() {
        Path f = IdxWriter.write(dir.resolve("labels-as-images"), IdxWriter.idx(new byte[4], 4));
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readImages(f)), "3 dimensions", "1 dimensions");
        Path g = IdxWriter.write(dir.resolve("images-as-labels"), IdxWriter.idx(new byte[784], 1, 28, 28));
        assertOneLine(g, assertThrows(DataException.class, () -> IdxReader.readLabels(g)), "1 dimensions", "3 dimensions");
    }

    @Test
    void truncatedRawAndGzip() {
        byte[] idx = IdxWriter.idx(new byte[2 * 784], 2, 28, 28);
        byte[] cut = Arrays.copyOf(idx, idx.length - 100);
        Path f = IdxWriter.write(dir.resolve("cut"), cut);
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readImages(f)), "1568 data bytes", "truncated");
        Path g = IdxWriter.write(dir.resolve("cut-inner.gz"), IdxWriter.gzip(cut));
        assertOneLine(g, assertThrows(DataException.class, () -> IdxReader.readImages(g)), "1568 data bytes", "truncated");
        byte[] gz = IdxWriter.gzip(idx);
        Path h = IdxWriter.write(dir.resolve("cut-stream.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertOneLine(h, assertThrows(DataException.class, () -> IdxReader.readImages(h)), "gzip", "truncated");
        Path e = IdxWriter.write(dir.resolve("header-only"), new byte[] {0, 0, 8, 3, 0, 0});
        assertOneLine(e, assertThrows(DataException.class, () -> IdxReader.readImages(e)), "16 header bytes", "truncated");
        Path z = IdxWriter.write(dir.resolve("empty"), new byte[0]);
        assertOneLine(z, assertThrows(DataException.class, () -> IdxReader.readLabels(z)), "header", "0 bytes");
    }

    @Test
    void trailingBytes() {
        byte[] idx = IdxWriter.idx(new byte[5], 4);
        Path f = IdxWriter.write(dir.resolve("long"), idx);
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readLabels(f)), "4 data bytes", "trailing");
    }

    @Test
    void namedGzButNotGzip() {
        Path f = IdxWriter.write(dir.resolve("fake.gz"), IdxWriter.idx(new byte[3], 3));
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readLabels(f)), "gzip", "00 00");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope-idx1-ubyte.gz");
        assertOneLine(f, assertThrows(DataException.class, () -> IdxReader.readLabels(f)), "existing file", "no such file");
    }

    @Test
    void countsThatDisagree() {
        Path d = dir.resolve("mismatch");
        d.toFile().mkdir();
        IdxWriter.write(d.resolve("train-images-idx3-ubyte"), IdxWriter.idx(new byte[3 * 784], 3, 28, 28));
        IdxWriter.write(d.resolve("train-labels-idx1-ubyte"), IdxWriter.idx(new byte[2], 2));
        IdxWriter.write(d.resolve("t10k-images-idx3-ubyte.gz"), IdxWriter.gzip(IdxWriter.idx(new byte[784], 1, 28, 28)));
        IdxWriter.write(d.resolve("t10k-labels-idx1-ubyte.gz"), IdxWriter.gzip(IdxWriter.idx(new byte[1], 1)));
        DataException e = assertThrows(DataException.class, () -> Datasets.fromDir(d));
        assertOneLine(d.resolve("train-labels-idx1-ubyte"), e, "3 labels", "2 labels");
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }

    /** The message is one line, names the file, and contains the expected and found parts. */
    static void assertOneLine(Path file, DataException e, String expected, String found) {
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "multi-line: " + m);
        assertTrue(m.contains(file.toString()), "no file name in: " + m);
        assertTrue(m.contains(expected), "no '" + expected + "' in: " + m);
        assertTrue(m.contains(found), "no '" + found + "' in: " + m);
    }
}
