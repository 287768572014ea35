package infogan.data;

import java.util.random.RandomGenerator;

/**
 * SplitMix64: a tiny, fast 64-bit PRNG whose entire state is one {@code long}, so it can be saved
 * in a checkpoint and restored exactly.
 *
 * <p>Why our own generator: {@link java.util.SplittableRandom} (which uses the same algorithm)
 * and {@link java.util.Random} cannot export their state, and the JDK's bounded-int helpers are
 * implementation details that could change between releases. Here every draw is spelled out, so a
 * sampler resumed from a checkpoint replays the exact same batches on any JVM.
 *
 * <p>Algorithm (Steele, Lea, Flood 2014; Vigna's reference C): {@code state += 0x9E3779B97F4A7C15};
 * the output is {@code state} passed through a variant of MurmurHash3's 64-bit finaliser.
 */
public final class SplitMix64 implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    /** A generator whose first output is derived from {@code seed} (the state starts equal to it). */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The whole state; {@code new SplitMix64(g.state())} continues exactly where {@code g} is. */
    public long state() {
        return state;
    }

    /** Overwrites the state (restore from a checkpoint). */
    public void setState(long state) {
        this.state = state;
    }

    @Override
    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The upper 32 bits of {@link #nextLong()}. */
    @Override
    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    /**
     * Uniform in {@code [0, bound)} without modulo bias: draw 31 bits, reject the top partial
     * range (the classic {@code java.util.Random} method, written out so it is fixed forever).
     */
    @Override
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        int bits, val;
        do {
            bits = (int) (nextLong() >>> 33);
            val = bits % bound;
        } while (bits - val + (bound - 1) < 0);
        return val;
    }
}
