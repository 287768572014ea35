package infogan.engine.util;

/**
 * The one seeded random-number generator the engine passes down (weights, latent codes, batches):
 * xoshiro256** (Blackman &amp; Vigna), seeded through SplitMix64. Its whole state is four longs, which a
 * checkpoint stores so that a resumed run draws exactly the numbers the uninterrupted run would have drawn
 * ({@link java.util.SplittableRandom} cannot export its state, hence this class).
 */
public final class Rng {
    private long s0, s1, s2, s3;

    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9, t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [lo, hi). */
    public double uniform(double lo, double hi) { return lo + (hi - lo) * nextDouble(); }

    /** Uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long r = nextLong() >>> 33, m = (long) bound;
        long lim = (1L << 31) - ((1L << 31) % m);
        while (r >= lim) r = nextLong() >>> 33;
        return (int) (r % m);
    }

    /** Standard normal by Box–Muller (one value per call, so the stream depends on nothing but the state). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(), u2 = nextDouble();   // u1 in (0, 1]
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The full state, for checkpoints. */
    public long[] state() { return new long[]{s0, s1, s2, s3}; }

    public void setState(long[] s) {
        if (s.length != 4) throw new IllegalArgumentException("an Rng state is 4 longs, got " + s.length);
        s0 = s[0]; s1 = s[1]; s2 = s[2]; s3 = s[3];
    }
}
