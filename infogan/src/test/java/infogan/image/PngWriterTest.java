package infogan.image;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PngWriterTest: gray and RGB PNGs decode (with CRC checks) back to the exact pixels; writes are atomic. */
class PngWriterTest {
    @TempDir Path dir;

    @Test
    void grayRoundTrip() throws Exception {
        byte[] px = new byte[37 * 23];
        new Random(1).nextBytes(px);
        Path f = dir.resolve("g.png");
        PngWriter.write(f, new GrayRaster(37, 23, px));
        PngReader.Decoded d = PngReader.decode(Files.readAllBytes(f));
        assertEquals(37, d.width());
        assertEquals(23, d.height());
        assertEquals(0, d.colorType());
        assertArrayEquals(px, d.pixels());
    }

    @Test
    void rgbRoundTrip() throws Exception {
        RgbRaster r = new RgbRaster(19, 11, 0x123456);
        r.set(3, 4, 0xff0080);
        r.line(0, 10, 18, 0, 0x00ff00);
        Path f = dir.resolve("sub/dir/c.png");
        PngWriter.write(f, r);
        PngReader.Decoded d = PngReader.decode(Files.readAllBytes(f));
        assertEquals(2, d.colorType());
        assertArrayEquals(r.rgb(), d.pixels());
        assertEquals(0xff, d.pixels()[(4 * 19 + 3) * 3] & 0xff);
    }

    @Test
    void deterministicAndNoTempFilesLeft() throws Exception {
        GrayRaster g = new GrayRaster(5, 5);
        Path f = dir.resolve("x.png");
        PngWriter.write(f, g);
        byte[] a = Files.readAllBytes(f);
        PngWriter.write(f, g); // replaces
        assertArrayEquals(a, Files.readAllBytes(f));
        assertArrayEquals(a, PngWriter.encode(g));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "temp file left behind");
        }
    }

    @Test
    void figuresGetTheUsualPermissionsNotATempFilesPrivateOnes() throws Exception {
        // createTempFile would leave every figure rw------- (0600); a figure must be as readable as any file the
        // user creates here (what the umask gives), e.g. for a web server or a colleague.
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        Path png = dir.resolve("p.png");
        PngWriter.write(png, new GrayRaster(2, 2, new byte[4]));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.getFileStore(png).supportsFileAttributeView("posix"), "no POSIX permissions here");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(png));
    }
}
