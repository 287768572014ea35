package infogan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the checkpoint container: exact round trips of every type, each way a file can be bad
 * (flipped byte, truncation, foreign file, newer version), typed-getter errors, atomicity when a write
 * fails midway, and the speed of a model-sized checkpoint (printed, not asserted: the build machine is shared).
 */
class CheckpointFileTest {

    @TempDir Path tmp;

    /** Asserts the one-line message shape every CheckpointException has. */
    private static CheckpointException fails(Path file, String expectedProblem, org.junit.jupiter.api.function.Executable call) {
        CheckpointException e = assertThrows(CheckpointException.class, call);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith("checkpoint " + file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedProblem), e.getMessage());
        return e;
    }

    private Path sample() {
        Path f = tmp.resolve("sample.ckpt");
        CheckpointFile.builder()
                .put("w", new float[] {1f, -2.5f, 3e-38f})
                .put("config", "{\"lr\": 0.0002}")
                .put("step", new long[] {1234})
                .writeAtomically(f);
        return f;
    }

    @Test
    void roundTripOfEveryTypeIsBitExact() {
        float[] floats = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00123), Float.intBitsToFloat(0xffbadbad),
                Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, 1.5f};
        double[] doubles = {-0.0, Double.NaN, Double.longBitsToDouble(0x7ff0000000000123L), Math.PI, Double.MIN_VALUE};
        long[] longs = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        int[] ints = {Integer.MIN_VALUE, -1, 0, 42, Integer.MAX_VALUE};
        byte[] bytes = {-128, -1, 0, 1, 127};
        String text = "latent.continuous=2\nname=Ünïcödé ✓ 𝄞\n";
        Path f = tmp.resolve("all.ckpt");
        CheckpointFile.Builder b = CheckpointFile.builder()
                .put("floats", floats).put("doubles", doubles).put("longs", longs).put("ints", ints)
                .put("bytes", bytes).put("text", text).put("empty string", "")
                .put("no floats", new float[0]).put("no doubles", new double[0]).put("no longs", new long[0])
                .put("no ints", new int[0]).put("no bytes", new byte[0]);
        b.writeAtomically(f);

        CheckpointFile.Reader r = CheckpointFile.read(f);
        assertEquals(b.fileBytes(), f.toFile().length());
        assertEquals(CheckpointFile.FORMAT_VERSION, r.formatVersion());
        assertEquals(List.of("floats", "doubles", "longs", "ints", "bytes", "text", "empty string",
                "no floats", "no doubles", "no longs", "no ints", "no bytes"), List.copyOf(r.names()));
        float[] gotF = r.getFloats("floats");
        for (int i = 0; i < floats.length; i++) {
            assertEquals(Float.floatToRawIntBits(floats[i]), Float.floatToRawIntBits(gotF[i]), "float " + i);
        }
        double[] gotD = r.getDoubles("doubles");
        for (int i = 0; i < doubles.length; i++) {
            assertEquals(Double.doubleToRawLongBits(doubles[i]), Double.doubleToRawLongBits(gotD[i]), "double " + i);
        }
        assertArrayEquals(longs, r.getLongs("longs"));
        assertArrayEquals(ints, r.getInts("ints"));
        assertArrayEquals(bytes, r.getBytes("bytes"));
        assertEquals(text, r.getString("text"));
        assertEquals("", r.getString("empty string"));
        assertEquals(0, r.getFloats("no floats").length);
        assertEquals(0, r.getDoubles("no doubles").length);
        assertEquals(0, r.getLongs("no longs").length);
        assertEquals(0, r.getInts("no ints").length);
        assertEquals(0, r.getBytes("no bytes").length);
        assertEquals(CheckpointFile.Type.STRING, r.typeOf("text"));
    }

    @Test
    void arraysLargerThanTheBufferRoundTrip() {
        // 1 MiB buffer: these cross several buffer boundaries at odd offsets.
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] odd = new byte[3_000_001];
        for (int i = 0; i < odd.length; i++) odd[i] = (byte) rnd.nextInt();
        double[] d = rnd.doubles(700_001).toArray();
        int[] n = rnd.ints(500_003).toArray();
        long[] l = rnd.longs(300_007).toArray();
        Path f = tmp.resolve("big.ckpt");
        CheckpointFile.builder().put("odd", odd).put("d", d).put("n", n).put("l", l).writeAtomically(f);
        CheckpointFile.Reader r = CheckpointFile.read(f);
        assertArrayEquals(odd, r.getBytes("odd"));
        assertArrayEquals(d, r.getDoubles("d"));
        assertArrayEquals(n, r.getInts("n"));
        assertArrayEquals(l, r.getLongs("l"));
    }

    @Test
    void flippedByteIsAChecksumError() throws IOException {
        Path f = sample();
        byte[] data = Files.readAllBytes(f);
        data[40] ^= 0x01; // inside the first section's payload
        Files.write(f, data);
        fails(f, "corrupt (CRC32C mismatch: stored ", () -> CheckpointFile.read(f));
    }

    @Test
    void flippedChecksumByteIsAChecksumError() throws IOException {
        Path f = sample();
        byte[] data = Files.readAllBytes(f);
        data[data.length - 1] ^= (byte) 0x80;
        Files.write(f, data);
        fails(f, "CRC32C mismatch", () -> CheckpointFile.read(f));
    }

    @Test
    void truncationIsNamed() throws IOException {
        Path f = sample();
        byte[] data = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(data, data.length - 3));
        fails(f, "truncated (" + (data.length - 3) + " of " + data.length + " bytes)", () -> CheckpointFile.read(f));
        Files.write(f, java.util.Arrays.copyOf(data, 12));
        fails(f, "truncated (12 bytes, shorter than any checkpoint)", () -> CheckpointFile.read(f));
        Files.write(f, java.util.Arrays.copyOf(data, data.length + 5));
        fails(f, "corrupt (5 unexpected bytes after the end)", () -> CheckpointFile.read(f));
    }

    @Test
    void foreignFilesAreRecognised() throws IOException {
        Path png = tmp.resolve("image.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        fails(png, "not an infogan checkpoint (looks like a PNG image)", () -> CheckpointFile.read(png));

        Path zip = tmp.resolve("model.zip");
        try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("x"));
            out.write(new byte[100]);
        }
        fails(zip, "not an infogan checkpoint (looks like a zip/jar file)", () -> CheckpointFile.read(zip));

        Path empty = Files.createFile(tmp.resolve("empty.ckpt"));
        fails(empty, "not an infogan checkpoint (the file is empty)", () -> CheckpointFile.read(empty));

        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello world, not a checkpoint");
        fails(text, "not an infogan checkpoint (starts with bytes 68656c6c6f20776f", () -> CheckpointFile.read(text));

        Path missing = tmp.resolve("missing.ckpt");
        fails(missing, "cannot read (" + missing + ": no such file or folder)", () -> CheckpointFile.read(missing));
    }

    @Test
    void newerVersionIsRefusedWithAdvice() throws IOException {
        Path f = sample();
        byte[] data = Files.readAllBytes(f);
        data[8] = 2; // format version, little-endian int at offset 8
        Files.write(f, data);
        fails(f, "written in checkpoint format version 2, this infogan-engine reads up to version 1; use a newer infogan-engine",
                () -> CheckpointFile.read(f));
    }

    @Test
    void gettersNameMissingSectionsAndWrongTypes() {
        Path f = sample();
        CheckpointFile.Reader r = CheckpointFile.read(f);
        fails(f, "section w is float[], not long[]", () -> r.getLongs("w"));
        fails(f, "section config is String, not byte[]", () -> r.getBytes("config"));
        fails(f, "no section named adam.m (it has w, config, step)", () -> r.getFloats("adam.m"));
        assertTrue(r.contains("step"));
        assertFalse(r.contains("adam.m"));
    }

    @Test
    void builderRejectsBadNamesAndDuplicates() {
        CheckpointFile.Builder b = CheckpointFile.builder().put("a", new int[1]);
        assertThrows(IllegalArgumentException.class, () -> b.put("a", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> b.put("", new float[1]));
        assertThrows(IllegalArgumentException.class, () -> b.put("x", (float[]) null));
        assertThrows(IllegalArgumentException.class, () -> b.put("y".repeat(70_000), new float[1]));
    }

    @Test
    void failedWriteLeavesTheOldFileIntactAndNoTempFile() throws IOException {
        Path f = sample();
        byte[] before = Files.readAllBytes(f);
        // A channel that accepts 2 MiB and then fails, like a disk filling up mid-checkpoint.
        UnaryOpenFailing failing = new UnaryOpenFailing(2 << 20);
        CheckpointException e = fails(f.toAbsolutePath(), "cannot write (No space left on device (simulated))",
                () -> CheckpointFile.builder().put("big", new float[4_000_000]).writeAtomically(f, failing::wrap));
        assertTrue(failing.written > 0, "the write really started");
        assertTrue(e.getCause() instanceof IOException);
        assertArrayEquals(before, Files.readAllBytes(f), "old checkpoint untouched");
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(f.getFileName()), files.map(Path::getFileName).toList(), "temp file removed");
        }
        assertEquals(1234L, CheckpointFile.read(f).getLongs("step")[0]);
    }

    /** Wraps a channel so that writing fails after {@code limit} bytes. */
    private static final class UnaryOpenFailing {
        final long limit;
        long written;

        UnaryOpenFailing(long limit) { this.limit = limit; }

        WritableByteChannel wrap(WritableByteChannel inner) {
            return new WritableByteChannel() {
                @Override public int write(ByteBuffer src) throws IOException {
                    if (written + src.remaining() > limit) {
                        throw new IOException("No space left on device (simulated)");
                    }
                    int n = inner.write(src);
                    written += n;
                    return n;
                }
                @Override public boolean isOpen() { return inner.isOpen(); }
                @Override public void close() throws IOException { inner.close(); }
            };
        }
    }

    @Test
    void overwritesAnExistingCheckpoint() {
        Path f = sample();
        CheckpointFile.builder().put("step", new long[] {99}).writeAtomically(f);
        assertEquals(99L, CheckpointFile.read(f).getLongs("step")[0]);
    }

    /**
     * A model-sized checkpoint: 14M floats (56 MB) — InfoGAN's weights plus Adam's two moments are of
     * this order. Prints write and read throughput; asserts only correctness.
     */
    @Test
    void modelSizedCheckpointSpeed() {
        int n = 14_000_000;
        float[] weights = new float[n];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < n; i++) weights[i] = (float) rnd.nextGaussian();
        Path f = tmp.resolve("model.ckpt");
        double mb = n * 4 / 1e6;
        long bestWrite = Long.MAX_VALUE, bestRead = Long.MAX_VALUE;
        float[] back = null;
        for (int rep = 0; rep < 3; rep++) {
            long t0 = System.nanoTime();
            CheckpointFile.builder().put("params", weights).put("step", new long[] {rep}).writeAtomically(f);
            long t1 = System.nanoTime();
            back = CheckpointFile.read(f).getFloats("params");
            long t2 = System.nanoTime();
            bestWrite = Math.min(bestWrite, t1 - t0);
            bestRead = Math.min(bestRead, t2 - t1);
        }
        assertArrayEquals(weights, back);
        System.out.printf("CheckpointFile 14M floats (%.0f MB): write %.0f ms (%.0f MB/s, incl. fsync), read %.0f ms (%.0f MB/s, incl. CRC pass)%n",
                mb, bestWrite / 1e6, mb / (bestWrite / 1e9), bestRead / 1e6, mb / (bestRead / 1e9));
    }
}
