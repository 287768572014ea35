package infogan.data;

import java.util.Arrays;

/**
 * BatchSampler: draws shuffled mini-batches from a {@link Dataset}, reproducibly and resumably.
 *
 * <p>Each epoch visits the images in a fresh order: the index permutation is reshuffled in place
 * with Fisher–Yates ({@code for i = n-1..1: swap(i, rng.nextInt(i+1))}) using a {@link SplitMix64}.
 * A batch takes the next {@code B} indices; when fewer than {@code B} remain, they are dropped and
 * a new epoch begins, so every batch holds {@code B} distinct images from one epoch.
 *
 * <p>{@link #next} copies into caller-provided arrays and allocates nothing.
 *
 * <p>Checkpointing: {@link #state()} ({@code epoch, position, rngState}) plus {@link #permutation()}
 * fully describe the sampler; {@link #restore(long[], int[])} on a sampler built over the same
 * dataset and batch size continues with exactly the batches the original would have produced.
 */
public final class BatchSampler {
    private final Dataset data;
    private final int batchSize;
    private final SplitMix64 rng;
    private final int[] perm;
    private long epoch;
    private int position;

    /** A sampler seeded with {@code seed}; epoch 0 is shuffled immediately. */
    public BatchSampler(Dataset data, int batchSize, long seed) {
        this(data, batchSize, new SplitMix64(seed));
    }

    /** A sampler drawing from {@code rng} (which it then owns and advances). */
    public BatchSampler(Dataset data, int batchSize, SplitMix64 rng) {
        if (batchSize <= 0 || batchSize > data.n())
            throw new IllegalArgumentException("batch size " + batchSize + " must be in 1.." + data.n());
        this.data = data;
        this.batchSize = batchSize;
        this.rng = rng;
        this.perm = new int[data.n()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        shuffle();
    }

    /** Images per batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Full batches per epoch, {@code floor(n / B)}. */
    public int batchesPerEpoch() {
        return data.n() / batchSize;
    }

    /** The epoch the next batch comes from (0-based). */
    public long epoch() {
        return epoch;
    }

    /**
     * Fills {@code batch} (length at least {@code B * height * width}) with the next images and,
     * if {@code labelsOrNull} is not null, their labels. Returns the epoch the batch belongs to.
     */
    public long next(float[] batch, byte[] labelsOrNull) {
        int px = data.pixels();
        if (batch.length < batchSize * px)
            throw new IllegalArgumentException("batch array has " + batch.length + " floats, need " + batchSize * px);
        if (labelsOrNull != null && labelsOrNull.length < batchSize)
            throw new IllegalArgumentException("labels array has " + labelsOrNull.length + " entries, need " + batchSize);
        if (position + batchSize > perm.length) {
            epoch++;
            position = 0;
            shuffle();
        }
        float[] images = data.images();
        for (int b = 0; b < batchSize; b++) {
            int idx = perm[position + b];
            System.arraycopy(images, idx * px, batch, b * px, px);
            if (labelsOrNull != null) labelsOrNull[b] = data.labels()[idx];
        }
        position += batchSize;
        return epoch;
    }

    /** Same as {@code next(batch, null)}. */
    public long next(float[] batch) {
        return next(batch, null);
    }

    /** {@code {epoch, position, rngState}}: with {@link #permutation()}, everything needed to resume. */
    public long[] state() {
        return new long[] {epoch, position, rng.state()};
    }

    /** A copy of the current epoch's index order. */
    public int[] permutation() {
        return perm.clone();
    }

    /** Restores what {@link #state()} and {@link #permutation()} returned (same dataset size and batch size). */
    public void restore(long[] state, int[] permutation) {
        if (state.length != 3) throw new IllegalArgumentException("state must be {epoch, position, rngState}");
        if (permutation.length != perm.length)
            throw new IllegalArgumentException("permutation has " + permutation.length + " entries, dataset has " + perm.length);
        if (state[0] < 0 || state[1] < 0 || state[1] > perm.length)
            throw new IllegalArgumentException("bad epoch/position " + Arrays.toString(state));
        boolean[] seen = new boolean[perm.length];
        for (int v : permutation) {
            if (v < 0 || v >= perm.length || seen[v])
                throw new IllegalArgumentException("not a permutation of 0.." + (perm.length - 1));
            seen[v] = true;
        }
        System.arraycopy(permutation, 0, perm, 0, perm.length);
        epoch = state[0];
        position = (int) state[1];
        rng.setState(state[2]);
    }

    private void shuffle() {
        for (int i = perm.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
    }
}
