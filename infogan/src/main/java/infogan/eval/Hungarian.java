package infogan.eval;

import java.util.Arrays;

/**
 * Hungarian: the optimal assignment of categories to labels maximising total matched counts.
 *
 * <p>Used to score an unsupervised categorical code: category {@code c} of InfoGAN's code is matched
 * to the digit label it most plausibly stands for, one-to-one, so that the matched diagonal of the
 * confusion matrix is as large as possible.
 *
 * <p>Algorithm: the O(n³) shortest-augmenting-path form of the Hungarian method (Kuhn–Munkres with
 * row/column potentials, as in Jonker–Volgenant / e-maxx), run on costs {@code -counts}. A
 * rectangular matrix is padded with zero rows or columns to a square; padded partners are
 * reported as {@code -1}. Ties are resolved deterministically (the algorithm is fully ordered).
 */
public final class Hungarian {
    private Hungarian() {}

    /**
     * For an {@code r x c} count matrix, returns {@code match} of length {@code r}: {@code match[i]} is
     * the column assigned to row {@code i}, or {@code -1} when {@code r > c} left it unmatched.
     * Distinct rows get distinct columns and the sum of {@code counts[i][match[i]]} is maximal.
     */
    public static int[] maxAssignment(long[][] counts) {
        int rows = counts.length;
        if (rows == 0) return new int[0];
        int cols = counts[0].length;
        for (long[] row : counts)
            if (row.length != cols) throw new IllegalArgumentException("ragged matrix");
        int n = Math.max(rows, cols);
        // cost[i][j] (1-based) = -counts, 0 for padding; minimising cost maximises counts.
        long[][] cost = new long[n + 1][n + 1];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) cost[i + 1][j + 1] = -counts[i][j];

        long[] u = new long[n + 1], v = new long[n + 1]; // potentials of rows and columns
        int[] p = new int[n + 1];   // p[j] = row matched to column j (0 = none); column 0 is a sentinel
        int[] way = new int[n + 1]; // previous column on the shortest alternating path
        long[] minv = new long[n + 1];
        boolean[] used = new boolean[n + 1];
        for (int i = 1; i <= n; i++) {
            // Add row i: grow a shortest-path tree of alternating paths from it until a free column.
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Long.MAX_VALUE);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                long delta = Long.MAX_VALUE;
                for (int j = 1; j <= n; j++) {
                    if (used[j]) continue;
                    long cur = cost[i0][j] - u[i0] - v[j]; // reduced cost
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            // Flip the matched/unmatched edges along the path back to the sentinel.
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] match = new int[rows];
        Arrays.fill(match, -1);
        for (int j = 1; j <= n; j++) {
            int i = p[j] - 1, col = j - 1;
            if (i < rows && col < cols) match[i] = col;
        }
        return match;
    }

    /** The total {@code sum counts[i][match[i]]} over matched rows. */
    public static long total(long[][] counts, int[] match) {
        long t = 0;
        for (int i = 0; i < match.length; i++) if (match[i] >= 0) t += counts[i][match[i]];
        return t;
    }
}
