package infogan.engine.tensor;

import java.util.Arrays;

/** Small helpers over shapes ({@code int[]}, row-major). */
public final class Shapes {
    private Shapes() { }

    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31 elements");
        return (int) n;
    }

    public static String str(int[] shape) { return Arrays.toString(shape).replace('[', '(').replace(']', ')'); }

    /** Throws "op: shapes (a) and (b) differ" unless equal. */
    public static void requireSame(String op, int[] a, int[] b) {
        if (!Arrays.equals(a, b)) throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " differ");
    }

    /** Product of dims [from, to). */
    public static int prod(int[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) n *= shape[i];
        return n;
    }
}
