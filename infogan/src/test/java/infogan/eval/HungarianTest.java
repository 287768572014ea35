package infogan.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** HungarianTest: optimality against brute force, and rectangular / degenerate matrices. */
class HungarianTest {
    static long brute(long[][] m, int row, boolean[] used) {
        if (row == m.length) return 0;
        long best = Long.MIN_VALUE;
        boolean any = false;
        for (int j = 0; j < m[0].length; j++) {
            if (used[j]) continue;
            any = true;
            used[j] = true;
            best = Math.max(best, m[row][j] + brute(m, row + 1, used));
            used[j] = false;
        }
        if (!any) return brute(m, row + 1, used); // more rows than columns: this row stays unmatched
        if (m.length > m[0].length) best = Math.max(best, brute(m, row + 1, used)); // or skip it anyway
        return best;
    }

    static void assertValid(long[][] m, int[] match) {
        assertEquals(m.length, match.length);
        boolean[] used = new boolean[m.length == 0 ? 0 : m[0].length];
        int matched = 0;
        for (int c : match) {
            if (c < 0) continue;
            assertFalse(used[c], "column used twice");
            used[c] = true;
            matched++;
        }
        assertEquals(Math.min(m.length, m[0].length), matched, "every row or every column is matched");
    }

    @Test
    void matchesBruteForceOnRandom6x6() {
        Random r = new Random(2024);
        for (int t = 0; t < 200; t++) {
            long[][] m = new long[6][6];
            for (long[] row : m) for (int j = 0; j < 6; j++) row[j] = r.nextInt(t % 2 == 0 ? 1000 : 4); // small range = many ties
            int[] match = Hungarian.maxAssignment(m);
            assertValid(m, match);
            assertEquals(brute(m, 0, new boolean[6]), Hungarian.total(m, match), "trial " + t);
        }
    }

    @Test
    void rectangular() {
        Random r = new Random(7);
        for (int t = 0; t < 100; t++) {
            int rows = 1 + r.nextInt(6), cols = 1 + r.nextInt(6);
            long[][] m = new long[rows][cols];
            for (long[] row : m) for (int j = 0; j < cols; j++) row[j] = r.nextInt(50);
            int[] match = Hungarian.maxAssignment(m);
            assertValid(m, match);
            assertEquals(brute(m, 0, new boolean[cols]), Hungarian.total(m, match), rows + "x" + cols);
        }
    }

    @Test
    void degenerate() {
        long[][] zeros = new long[4][4];
        int[] m = Hungarian.maxAssignment(zeros);
        assertValid(zeros, m);
        assertEquals(0, Hungarian.total(zeros, m));
        long[][] ties = {{5, 5}, {5, 5}};
        assertEquals(10, Hungarian.total(ties, Hungarian.maxAssignment(ties)));
        assertArrayEquals(new int[0], Hungarian.maxAssignment(new long[0][]));
        assertArrayEquals(new int[] {0}, Hungarian.maxAssignment(new long[][] {{3}}));
        // Greedy would take 9 then be stuck with 1; optimum is 8 + 8.
        long[][] trap = {{9, 8}, {8, 1}};
        assertArrayEquals(new int[] {1, 0}, Hungarian.maxAssignment(trap));
        long[][] big = {{Long.MAX_VALUE / 4, 0}, {0, Long.MAX_VALUE / 4}};
        assertArrayEquals(new int[] {0, 1}, Hungarian.maxAssignment(big));
    }
}
