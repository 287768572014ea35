package infogan.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** ConfusionTest: accuracy under the best matching and the text/CSV renderings. */
class ConfusionTest {
    @Test
    void permutedCategoriesScorePerfectly() {
        Confusion c = new Confusion(10, 10);
        for (int label = 0; label < 10; label++)
            for (int k = 0; k < 5; k++) c.add((label + 3) % 10, label);
        assertEquals(1.0, c.accuracyUnderBestMatch());
        assertEquals(50, c.total());
        int[] m = c.bestMatch();
        for (int cat = 0; cat < 10; cat++) assertEquals((cat + 7) % 10, m[cat]);
    }

    @Test
    void partialAccuracyAndRenderings() {
        Confusion c = new Confusion(3, 3);
        c.addAll(new int[] {0, 0, 0, 1, 1, 2, 2, 2}, new byte[] {2, 2, 1, 0, 0, 1, 1, 2}, 8);
        // best: c0->2 (2), c1->0 (2), c2->1 (2) = 6 of 8
        assertEquals(0.75, c.accuracyUnderBestMatch(), 1e-12);
        String text = c.toText();
        assertTrue(text.contains("c0->2"), text);
        assertTrue(text.contains("c1->0"), text);
        assertTrue(text.contains("0.7500 (6/8)"), text);
        String[] lines = text.split("\\R");
        assertEquals(lines[0].length(), lines[2].length(), "fixed width:\n" + text);
        assertEquals("""
                category,matched_label,label_0,label_1,label_2
                0,2,0,1,2
                1,0,2,0,0
                2,1,0,2,1
                """, c.toCsv());
        assertEquals(0.0, new Confusion(2, 2).accuracyUnderBestMatch());
    }
}
