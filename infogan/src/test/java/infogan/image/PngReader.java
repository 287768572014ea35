package infogan.image;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Inflater;

/** PngReader (test helper): a minimal decoder for the PNGs PngWriter makes; checks every CRC. */
final class PngReader {
    record Decoded(int width, int height, int colorType, byte[] pixels) {}

    static Decoded decode(byte[] png) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(png);
        byte[] sig = new byte[8];
        b.get(sig);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, sig, "signature");
        int w = -1, h = -1, ct = -1;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        boolean end = false;
        String first = null;
        while (!end) {
            int len = b.getInt();
            byte[] type = new byte[4], data = new byte[len];
            b.get(type);
            b.get(data);
            int crc = b.getInt();
            CRC32 c = new CRC32();
            c.update(type);
            c.update(data);
            String t = new String(type, StandardCharsets.US_ASCII);
            assertEquals((int) c.getValue(), crc, "CRC of " + t);
            if (first == null) first = t;
            switch (t) {
                case "IHDR" -> {
                    ByteBuffer d = ByteBuffer.wrap(data);
                    w = d.getInt();
                    h = d.getInt();
                    assertEquals(8, d.get(), "bit depth");
                    ct = d.get();
                    assertEquals(0, d.get());
                    assertEquals(0, d.get());
                    assertEquals(0, d.get());
                }
                case "IDAT" -> idat.writeBytes(data);
                case "IEND" -> end = true;
                default -> fail("unexpected chunk " + t);
            }
        }
        assertEquals("IHDR", first);
        assertFalse(b.hasRemaining(), "bytes after IEND");
        int ch = ct == 0 ? 1 : ct == 2 ? 3 : -1;
        assertTrue(ch > 0, "colour type " + ct);
        Inflater inf = new Inflater();
        inf.setInput(idat.toByteArray());
        byte[] raw = new byte[(w * ch + 1) * h];
        int got = 0;
        while (got < raw.length && !inf.finished()) got += inf.inflate(raw, got, raw.length - got);
        assertEquals(raw.length, got, "inflated size");
        assertTrue(inf.finished(), "zlib stream not finished");
        inf.end();
        byte[] px = new byte[w * ch * h];
        for (int y = 0; y < h; y++) {
            assertEquals(0, raw[y * (w * ch + 1)], "filter type of row " + y);
            System.arraycopy(raw, y * (w * ch + 1) + 1, px, y * w * ch, w * ch);
        }
        return new Decoded(w, h, ct, px);
    }
}
