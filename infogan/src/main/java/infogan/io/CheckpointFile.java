package infogan.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * A training checkpoint on disk: a small, versioned binary container of named, typed arrays
 * (weights, Adam moments, RNG state, step counters) and strings (the run's configuration).
 *
 * <p>Why our own format: a checkpoint must survive a crash mid-write, must be recognised as damaged
 * rather than silently loaded, and must hold ~14M floats quickly. Java serialization does none of that
 * well, and zip/npz would add a dependency and a copy. The whole format fits in this comment:
 *
 * <pre>
 *   offset  size  field                      (all numbers little-endian)
 *   0       8     magic "IGCKPT\r\n"         like PNG, the CR LF catches newline-mangling transfers
 *   8       4     format version             {@link #FORMAT_VERSION}; a reader refuses newer versions
 *   12      4     section count
 *   16      8     file length in bytes       so truncation is named as such, not as a checksum error
 *   24      ...   sections, each:
 *                   2   name length n (UTF-8 bytes, at most 65535)
 *                   n   name
 *                   1   type tag             {@link Type}
 *                   4   element count c      (a String's count is its UTF-8 byte length)
 *                   c*s elements             s = the type's element size; floats/doubles as raw IEEE bits
 *   end-4   4     CRC32C of every byte before it
 * </pre>
 *
 * <p>Little-endian because x86 and ARM are: bulk copies between {@code float[]} and the I/O buffer are
 * then plain memory copies. Float and double payloads are stored bit for bit, so NaN payloads and -0.0
 * come back unchanged.
 *
 * <p>CRC32C, not SHA-256: the threat is accidental damage (a full disk, a cut copy, a bad sector), not an
 * adversary, and a 32-bit CRC misses random damage with probability 2^-32 and any burst of up to 32
 * bits never. It is a JIT intrinsic: measured on our build machine (JDK 25, x86 with SHA-NI) it hashes a
 * 56 MiB checkpoint in ~7 ms (~8.5 GB/s) against ~45 ms (~1.3 GB/s) for SHA-256.
 *
 * <p>Writing is atomic: {@link Builder#writeAtomically} writes a temporary file next to the target,
 * forces it to disk, and renames it over the target, so the target name only ever holds a complete old
 * or a complete new checkpoint. Reading verifies magic, version, length and checksum before parsing,
 * and every failure is a {@link CheckpointException} with a one-line message naming the file.
 */
public final class CheckpointFile {

    /** The version this code writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    static final byte[] MAGIC = {'I', 'G', 'C', 'K', 'P', 'T', '\r', '\n'};
    static final int HEADER_BYTES = 24;
    static final int TRAILER_BYTES = 4;
    /** I/O buffer size: big enough that per-call overhead vanishes, small enough to be cache- and memory-friendly. */
    private static final int BUFFER_BYTES = 1 << 20;

    private CheckpointFile() {}

    /** What a section holds. The tag is what the file stores; never renumber. */
    public enum Type {
        FLOATS(1, 4, "float[]"), DOUBLES(2, 8, "double[]"), LONGS(3, 8, "long[]"),
        INTS(4, 4, "int[]"), BYTES(5, 1, "byte[]"), STRING(6, 1, "String");

        final int tag;
        final int elementBytes;
        final String javaName;

        Type(int tag, int elementBytes, String javaName) {
            this.tag = tag;
            this.elementBytes = elementBytes;
            this.javaName = javaName;
        }

        static Type ofTag(int tag) {
            for (Type t : values()) {
                if (t.tag == tag) {
                    return t;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return javaName;
        }
    }

    /** One named section: its type and its value (a primitive array, or a String). */
    private record Section(Type type, Object value) {
        int count() {
            return switch (value) {
                case float[] a -> a.length;
                case double[] a -> a.length;
                case long[] a -> a.length;
                case int[] a -> a.length;
                case byte[] a -> a.length;
                default -> throw new IllegalStateException("builder keeps Strings as UTF-8 byte[]");
            };
        }
    }

    /** Starts a new checkpoint. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Collects sections in insertion order, then writes them. Arrays are kept by reference until
     * {@link #writeAtomically} returns — do not modify them in between (this avoids copying ~56 MB).
     */
    public static final class Builder {
        private final Map<String, Section> sections = new LinkedHashMap<>();

        private Builder() {}

        public Builder put(String name, float[] v) { return add(name, Type.FLOATS, v); }
        public Builder put(String name, double[] v) { return add(name, Type.DOUBLES, v); }
        public Builder put(String name, long[] v) { return add(name, Type.LONGS, v); }
        public Builder put(String name, int[] v) { return add(name, Type.INTS, v); }
        public Builder put(String name, byte[] v) { return add(name, Type.BYTES, v); }
        public Builder put(String name, String v) {
            return add(name, Type.STRING, v == null ? null : v.getBytes(StandardCharsets.UTF_8));
        }

        private Builder add(String name, Type type, Object value) {
            if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 0xFFFF) {
                throw new IllegalArgumentException("section name must be 1 to 65535 UTF-8 bytes: " + name);
            }
            if (value == null) {
                throw new IllegalArgumentException("section " + name + ": value is null");
            }
            if (sections.putIfAbsent(name, new Section(type, value)) != null) {
                throw new IllegalArgumentException("section " + name + " was already put");
            }
            return this;
        }

        /** The exact size of the file {@link #writeAtomically} will write. */
        public long fileBytes() {
            long n = HEADER_BYTES + TRAILER_BYTES;
            for (var e : sections.entrySet()) {
                n += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 1 + 4
                        + (long) e.getValue().count() * e.getValue().type().elementBytes;
            }
            return n;
        }

        /**
         * Whether {@code p} is a temporary file {@link #writeAtomically} made for {@code target} (".NAME.HEX.tmp" beside
         * it), which only a write cut short by a kill leaves behind.
         */
        public static boolean isTempFileOf(Path p, String target) {
            String n = p.getFileName().toString(), head = "." + target + ".";
            return n.startsWith(head) && n.endsWith(TEMP_SUFFIX)
                    && n.substring(head.length(), n.length() - TEMP_SUFFIX.length()).matches("[0-9a-f]+");
        }

        private static final String TEMP_SUFFIX = ".tmp";

        /**
         * Writes the checkpoint to {@code file} so that {@code file} is never seen half-written: temp file
         * in the same directory (a rename is only atomic within one file system), {@code force}, then an
         * atomic rename over any old file. On failure the temp file is deleted and the old file is untouched.
         *
         * @throws CheckpointException if anything fails (the I/O error is the cause)
         */
        public void writeAtomically(Path file) {
            writeAtomically(file, UnaryOperator.identity());
        }

        /** As above; tests wrap the channel to make a write fail midway. */
        void writeAtomically(Path file, UnaryOperator<WritableByteChannel> wrap) {
            Path target = file.toAbsolutePath();
            Path dir = target.getParent();
            Path temp = dir.resolve("." + target.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    writeTo(wrap.apply(ch));
                    ch.force(true); // the data must be on disk before the rename makes it visible
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e instanceof CheckpointException ce ? ce
                        : new CheckpointException(target, "cannot write (" + (e instanceof IOException io ? IoErrors.reason(io) : e.toString()) + ")", e);
            }
            // Make the rename itself durable. Works on Linux; other systems cannot open a directory, which is fine.
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort
            }
        }

        private void writeTo(WritableByteChannel ch) throws IOException {
            Out out = new Out(ch);
            out.bytes(MAGIC);
            out.int32(FORMAT_VERSION);
            out.int32(sections.size());
            out.int64(fileBytes());
            for (var e : sections.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                Section s = e.getValue();
                out.int16(name.length);
                out.bytes(name);
                out.int8(s.type().tag);
                out.int32(s.count());
                switch (s.value()) {
                    case float[] a -> out.floats(a);
                    case double[] a -> out.doubles(a);
                    case long[] a -> out.longs(a);
                    case int[] a -> out.ints(a);
                    case byte[] a -> out.bytes(a);
                    default -> throw new IllegalStateException();
                }
            }
            out.finish();
        }
    }

    /** Buffered little-endian output that keeps a running CRC32C of everything written. */
    private static final class Out {
        private final WritableByteChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();

        Out(WritableByteChannel ch) { this.ch = ch; }

        /** Makes room for at least {@code n} (≤ 8) bytes. */
        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                drain();
            }
        }

        private void drain() throws IOException {
            buf.flip();
            crc.update(buf.duplicate());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }

        void int8(int v) throws IOException { room(1); buf.put((byte) v); }
        void int16(int v) throws IOException { room(2); buf.putShort((short) v); }
        void int32(int v) throws IOException { room(4); buf.putInt(v); }
        void int64(long v) throws IOException { room(8); buf.putLong(v); }

        // Each bulk writer copies as many elements as fit, through a typed view of the buffer (a memcpy
        // on little-endian hardware), drains, and repeats.
        void bytes(byte[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                room(1);
                int n = Math.min(a.length - i, buf.remaining());
                buf.put(a, i, n);
                i += n;
            }
        }

        void floats(float[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                room(8);
                int n = Math.min(a.length - i, buf.remaining() / 4);
                buf.asFloatBuffer().put(a, i, n);
                buf.position(buf.position() + n * 4);
                i += n;
            }
        }

        void ints(int[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                room(8);
                int n = Math.min(a.length - i, buf.remaining() / 4);
                buf.asIntBuffer().put(a, i, n);
                buf.position(buf.position() + n * 4);
                i += n;
            }
        }

        void doubles(double[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                room(8);
                int n = Math.min(a.length - i, buf.remaining() / 8);
                buf.asDoubleBuffer().put(a, i, n);
                buf.position(buf.position() + n * 8);
                i += n;
            }
        }

        void longs(long[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                room(8);
                int n = Math.min(a.length - i, buf.remaining() / 8);
                buf.asLongBuffer().put(a, i, n);
                buf.position(buf.position() + n * 8);
                i += n;
            }
        }

        /** Appends the CRC32C of everything so far and writes out the rest. */
        void finish() throws IOException {
            drain();
            buf.putInt((int) crc.getValue());
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    /**
     * Reads and verifies a whole checkpoint into memory.
     *
     * <p>Checks, in this order, each with its own message: the file is at least a header long and starts
     * with the magic (else: foreign, with a guess at what it is), its version is not newer than ours, its
     * length matches the header (else: truncated), and the CRC32C matches (else: corrupt). Only then are the
     * sections parsed, so damaged data never drives an allocation.
     *
     * @throws CheckpointException for any of the above or an I/O error
     */
    public static Reader read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
                // read(dst, position) does not move the channel; loop until full or end of file
            }
            head.flip();
            byte[] start = new byte[Math.min(MAGIC.length, head.remaining())];
            head.get(start);
            if (!Arrays.equals(start, 0, start.length, MAGIC, 0, start.length) || start.length == 0) {
                throw new CheckpointException(file, "not an infogan checkpoint (" + guessWhatItIs(start, size) + ")");
            }
            if (size < HEADER_BYTES + TRAILER_BYTES) {
                throw new CheckpointException(file, "truncated (" + size + " bytes, shorter than any checkpoint)");
            }
            int version = head.getInt();
            int sectionCount = head.getInt();
            long expectedSize = head.getLong();
            if (version > FORMAT_VERSION) {
                throw new CheckpointException(file, "written in checkpoint format version " + version
                        + ", this infogan-engine reads up to version " + FORMAT_VERSION + "; use a newer infogan-engine");
            }
            if (version < 1) {
                throw new CheckpointException(file, "corrupt (format version " + version + ")");
            }
            if (size < expectedSize) {
                throw new CheckpointException(file, "truncated (" + size + " of " + expectedSize + " bytes)");
            }
            if (size > expectedSize) {
                throw new CheckpointException(file, "corrupt (" + (size - expectedSize) + " unexpected bytes after the end)");
            }
            verifyChecksum(file, ch, size);
            return new Reader(file, version, parse(file, ch, size, sectionCount));
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read (" + IoErrors.reason(e) + ")", e);
        }
    }

    /** A friendlier "foreign file" message for the things people mistake for checkpoints. */
    private static String guessWhatItIs(byte[] start, long size) {
        if (size == 0) {
            return "the file is empty";
        }
        String hex = HexFormat.of().formatHex(start);
        if (hex.startsWith("89504e47")) return "looks like a PNG image";
        if (hex.startsWith("504b0304") || hex.startsWith("504b0506")) return "looks like a zip/jar file";
        if (hex.startsWith("1f8b")) return "looks like a gzip file";
        if (hex.startsWith("cafebabe")) return "looks like a Java class file";
        if (hex.startsWith("7b")) return "looks like JSON";
        return "starts with bytes " + hex + ", not the magic 4947434b50540d0a";
    }

    private static void verifyChecksum(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES);
        CRC32C crc = new CRC32C();
        long pos = 0;
        long end = size - TRAILER_BYTES;
        while (pos < end) {
            buf.clear().limit((int) Math.min(BUFFER_BYTES, end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new CheckpointException(file, "truncated while reading (file shrank?)");
            }
            pos += n;
            buf.flip();
            crc.update(buf);
        }
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (trailer.hasRemaining() && ch.read(trailer, end + trailer.position()) > 0) {
            // fill
        }
        int stored = trailer.flip().getInt();
        int computed = (int) crc.getValue();
        if (stored != computed) {
            throw new CheckpointException(file, String.format(
                    "corrupt (CRC32C mismatch: stored %08x, computed %08x)", stored, computed));
        }
    }

    /** Parses the (already checksummed) sections. Structural errors here mean a writer bug, or a CRC collision. */
    private static Map<String, Section> parse(Path file, FileChannel ch, long size, int sectionCount) throws IOException {
        In in = new In(file, ch, HEADER_BYTES, size - TRAILER_BYTES);
        Map<String, Section> sections = new LinkedHashMap<>();
        for (int s = 0; s < sectionCount; s++) {
            byte[] nameBytes = new byte[in.int16()];
            in.bytes(nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            int tag = in.int8();
            Type type = Type.ofTag(tag);
            if (type == null) {
                throw new CheckpointException(file, "corrupt (section " + name + " has unknown type tag " + tag + ")");
            }
            int count = in.int32();
            if (count < 0 || (long) count * type.elementBytes > in.remaining()) {
                throw new CheckpointException(file, "corrupt (section " + name + " claims " + count
                        + " elements, more than the file holds)");
            }
            Object value = switch (type) {
                case FLOATS -> in.floats(new float[count]);
                case DOUBLES -> in.doubles(new double[count]);
                case LONGS -> in.longs(new long[count]);
                case INTS -> in.ints(new int[count]);
                case BYTES -> in.bytes(new byte[count]);
                case STRING -> new String(in.bytes(new byte[count]), StandardCharsets.UTF_8);
            };
            if (sections.putIfAbsent(name, new Section(type, value)) != null) {
                throw new CheckpointException(file, "corrupt (section " + name + " appears twice)");
            }
        }
        if (in.remaining() != 0) {
            throw new CheckpointException(file, "corrupt (" + in.remaining() + " bytes after the last section)");
        }
        return sections;
    }

    /** Buffered little-endian input over [from, to) of a channel, the mirror image of {@link Out}. */
    private static final class In {
        private final Path file;
        private final FileChannel ch;
        private final long to;
        private long pos; // file position of the next byte to load into buf
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

        In(Path file, FileChannel ch, long from, long to) {
            this.file = file;
            this.ch = ch;
            this.pos = from;
            this.to = to;
            buf.limit(0);
        }

        long remaining() { return buf.remaining() + (to - pos); }

        /** Ensures at least {@code n} (≤ 8) bytes are buffered. */
        private void need(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            if (remaining() < n) {
                throw new CheckpointException(file, "corrupt (a section runs past the end)");
            }
            buf.compact();
            buf.limit((int) Math.min(buf.capacity(), buf.position() + (to - pos)));
            while (buf.position() < n) {
                int r = ch.read(buf, pos);
                if (r < 0) {
                    throw new CheckpointException(file, "truncated while reading (file shrank?)");
                }
                pos += r;
            }
            // keep reading until the buffer is full or the range is consumed
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r <= 0) {
                    break;
                }
                pos += r;
            }
            buf.flip();
        }

        int int8() throws IOException { need(1); return buf.get() & 0xFF; }
        int int16() throws IOException { need(2); return buf.getShort() & 0xFFFF; }
        int int32() throws IOException { need(4); return buf.getInt(); }

        byte[] bytes(byte[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                need(1);
                int n = Math.min(a.length - i, buf.remaining());
                buf.get(a, i, n);
                i += n;
            }
            return a;
        }

        float[] floats(float[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                need(4);
                int n = Math.min(a.length - i, buf.remaining() / 4);
                buf.asFloatBuffer().get(a, i, n);
                buf.position(buf.position() + n * 4);
                i += n;
            }
            return a;
        }

        int[] ints(int[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                need(4);
                int n = Math.min(a.length - i, buf.remaining() / 4);
                buf.asIntBuffer().get(a, i, n);
                buf.position(buf.position() + n * 4);
                i += n;
            }
            return a;
        }

        double[] doubles(double[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                need(8);
                int n = Math.min(a.length - i, buf.remaining() / 8);
                buf.asDoubleBuffer().get(a, i, n);
                buf.position(buf.position() + n * 8);
                i += n;
            }
            return a;
        }

        long[] longs(long[] a) throws IOException {
            for (int i = 0; i < a.length; ) {
                need(8);
                int n = Math.min(a.length - i, buf.remaining() / 8);
                buf.asLongBuffer().get(a, i, n);
                buf.position(buf.position() + n * 8);
                i += n;
            }
            return a;
        }
    }

    /**
     * A verified checkpoint held in memory. Getters return the arrays read from the file, not copies
     * (the caller owns them); each getter checks the section exists and has the asked-for type.
     */
    public static final class Reader {
        private final Path file;
        private final int version;
        private final Map<String, Section> sections;

        private Reader(Path file, int version, Map<String, Section> sections) {
            this.file = file;
            this.version = version;
            this.sections = sections;
        }

        public Path file() { return file; }

        /** The format version the file was written in. */
        public int formatVersion() { return version; }

        /** Section names in the order they were written. */
        public SequencedSet<String> names() {
            return Collections.unmodifiableSequencedSet(new java.util.LinkedHashSet<>(sections.keySet()));
        }

        public boolean contains(String name) { return sections.containsKey(name); }

        /** The type of a section. @throws CheckpointException if there is no such section */
        public Type typeOf(String name) { return section(name).type(); }

        public float[] getFloats(String name) { return (float[]) get(name, Type.FLOATS); }
        public double[] getDoubles(String name) { return (double[]) get(name, Type.DOUBLES); }
        public long[] getLongs(String name) { return (long[]) get(name, Type.LONGS); }
        public int[] getInts(String name) { return (int[]) get(name, Type.INTS); }
        public byte[] getBytes(String name) { return (byte[]) get(name, Type.BYTES); }
        public String getString(String name) { return (String) get(name, Type.STRING); }

        private Object get(String name, Type wanted) {
            Section s = section(name);
            if (s.type() != wanted) {
                throw new CheckpointException(file, "section " + name + " is " + s.type() + ", not " + wanted);
            }
            return s.value();
        }

        private Section section(String name) {
            Section s = sections.get(name);
            if (s == null) {
                List<String> some = new ArrayList<>(sections.keySet());
                String has = some.isEmpty() ? "it has no sections"
                        : "it has " + String.join(", ", some.subList(0, Math.min(8, some.size())))
                        + (some.size() > 8 ? " and " + (some.size() - 8) + " more" : "");
                throw new CheckpointException(file, "no section named " + name + " (" + has + ")");
            }
            return s;
        }
    }
}
