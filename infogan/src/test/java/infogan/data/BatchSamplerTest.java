package infogan.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** BatchSamplerTest: SplitMix64 reference outputs, epoch coverage, determinism, and checkpoint restore. */
class BatchSamplerTest {

    /** n images of 2x2 whose pixels all equal i/255, so a batch reveals which indices it holds. */
    static Dataset tiny(int n) {
        float[] img = new float[n * 4];
        byte[] lab = new byte[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(img, i * 4, i * 4 + 4, i / 255f);
            lab[i] = (byte) (i % 10);
        }
        return new Dataset(n, 2, 2, img, lab);
    }

    static int[] indices(float[] batch, int b) {
        int[] r = new int[b];
        for (int i = 0; i < b; i++) r[i] = Math.round(batch[i * 4] * 255);
        return r;
    }

    @Test
    void splitMixMatchesReference() {
        // Vigna's splitmix64.c with x = 1234567 (also recomputed in Python for this test).
        SplitMix64 g = new SplitMix64(1234567);
        assertEquals(6457827717110365317L, g.nextLong());
        assertEquals(3203168211198807973L, g.nextLong());
        assertEquals(-8629252141511181193L, g.nextLong());
        SplitMix64 h = new SplitMix64(g.state());
        assertEquals(g.nextLong(), h.nextLong());
        for (int i = 0; i < 1000; i++) {
            int v = g.nextInt(7);
            assertTrue(v >= 0 && v < 7);
        }
    }

    @Test
    void eachEpochIsAPermutationAndLabelsFollowImages() {
        Dataset d = tiny(103);
        BatchSampler s = new BatchSampler(d, 10, 42);
        assertEquals(10, s.batchesPerEpoch());
        float[] batch = new float[10 * 4];
        byte[] lab = new byte[10];
        boolean[] seen = new boolean[103];
        for (int k = 0; k < 10; k++) {
            assertEquals(0, s.next(batch, lab));
            int[] idx = indices(batch, 10);
            for (int b = 0; b < 10; b++) {
                assertFalse(seen[idx[b]], "index repeated within an epoch");
                seen[idx[b]] = true;
                assertEquals(idx[b] % 10, lab[b]);
            }
        }
        assertEquals(1, s.next(batch, lab), "the 3 left over are dropped; a new epoch begins");
    }

    @Test
    void sameSeedSameBatchesDifferentSeedDifferent() {
        Dataset d = tiny(50);
        BatchSampler a = new BatchSampler(d, 8, 7), b = new BatchSampler(d, 8, 7), c = new BatchSampler(d, 8, 8);
        float[] x = new float[32], y = new float[32], z = new float[32];
        boolean differs = false;
        for (int k = 0; k < 30; k++) {
            a.next(x);
            b.next(y);
            c.next(z);
            assertArrayEquals(x, y);
            differs |= !Arrays.equals(x, z);
        }
        assertTrue(differs);
    }

    @Test
    void restoreReplaysTheSameBatches() {
        Dataset d = tiny(37);
        BatchSampler a = new BatchSampler(d, 5, 99);
        float[] x = new float[20], y = new float[20];
        for (int k = 0; k < 11; k++) a.next(x); // mid-way through epoch 1
        long[] st = a.state();
        int[] perm = a.permutation();
        BatchSampler b = new BatchSampler(d, 5, 12345); // different seed: everything comes from the restore
        b.restore(st, perm);
        assertEquals(a.epoch(), b.epoch());
        for (int k = 0; k < 40; k++) {
            assertEquals(a.next(x), b.next(y));
            assertArrayEquals(x, y, "batch " + k + " after restore");
        }
        assertThrows(IllegalArgumentException.class, () -> b.restore(st, new int[37]));
    }

    @Test
    void rejectsBadSizes() {
        Dataset d = tiny(4);
        assertThrows(IllegalArgumentException.class, () -> new BatchSampler(d, 5, 1));
        BatchSampler s = new BatchSampler(d, 2, 1);
        assertThrows(IllegalArgumentException.class, () -> s.next(new float[7]));
    }
}
