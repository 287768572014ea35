package infogan.eval;

import java.util.Locale;

/**
 * Confusion: a count matrix of (predicted category, true label) pairs, for scoring a categorical
 * code that was learned without labels.
 *
 * <p>Because category numbers are arbitrary, accuracy is measured under the best one-to-one
 * matching of categories to labels ({@link Hungarian}): {@code accuracy = sum of matched counts / total}.
 * {@link #toText()} renders rows as categories (with their matched label) and columns as labels;
 * {@link #toCsv()} gives the same numbers for spreadsheets.
 */
public final class Confusion {
    private final long[][] counts;
    private final int categories, labels;

    /** An empty {@code categories x labels} matrix. */
    public Confusion(int categories, int labels) {
        if (categories <= 0 || labels <= 0) throw new IllegalArgumentException("empty confusion matrix");
        this.categories = categories;
        this.labels = labels;
        this.counts = new long[categories][labels];
    }

    public int categories() {
        return categories;
    }

    public int labels() {
        return labels;
    }

    /** Counts one sample assigned to {@code category} whose true label is {@code label}. */
    public void add(int category, int label) {
        counts[category][label]++;
    }

    /** Counts {@code n} samples: {@code categories[i]} against {@code labels[i] & 0xff}. */
    public void addAll(int[] categories, byte[] labels, int n) {
        for (int i = 0; i < n; i++) add(categories[i], labels[i] & 0xff);
    }

    /** The count for (category, label). */
    public long count(int category, int label) {
        return counts[category][label];
    }

    /** A copy of the matrix. */
    public long[][] counts() {
        long[][] c = new long[categories][];
        for (int i = 0; i < categories; i++) c[i] = counts[i].clone();
        return c;
    }

    /** Number of samples counted. */
    public long total() {
        long t = 0;
        for (long[] row : counts) for (long v : row) t += v;
        return t;
    }

    /** {@code match[category]} = label under the best one-to-one matching ({@code -1} if unmatched). */
    public int[] bestMatch() {
        return Hungarian.maxAssignment(counts);
    }

    /** Fraction of samples on the matched diagonal; 0 when nothing was counted. */
    public double accuracyUnderBestMatch() {
        long t = total();
        return t == 0 ? 0 : (double) Hungarian.total(counts, bestMatch()) / t;
    }

    /**
     * Fixed-width table: one row per category ({@code c3->7} means category 3 matched label 7),
     * one column per label, then the row total; a final line gives the accuracy.
     */
    public String toText() {
        int[] m = bestMatch();
        int w = Math.max(5, Long.toString(total()).length() + 1);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-8s|", "cat->lbl"));
        for (int l = 0; l < labels; l++) sb.append(String.format(Locale.ROOT, "%" + w + "d", l));
        sb.append(String.format(Locale.ROOT, " |%" + w + "s%n", "total"));
        sb.append("-".repeat(8)).append('+').append("-".repeat(w * labels + 1)).append('+').append("-".repeat(w)).append(System.lineSeparator());
        for (int c = 0; c < categories; c++) {
            String head = "c" + c + "->" + (m[c] < 0 ? "-" : Integer.toString(m[c]));
            sb.append(String.format(Locale.ROOT, "%-8s|", head));
            long rowT = 0;
            for (int l = 0; l < labels; l++) {
                sb.append(String.format(Locale.ROOT, "%" + w + "d", counts[c][l]));
                rowT += counts[c][l];
            }
            sb.append(String.format(Locale.ROOT, " |%" + w + "d%n", rowT));
        }
        sb.append(String.format(Locale.ROOT, "accuracy under best match: %.4f (%d/%d)%n",
                accuracyUnderBestMatch(), Hungarian.total(counts, m), total()));
        return sb.toString();
    }

    /** CSV: header {@code category,matched_label,label_0,...}, one line per category. */
    public String toCsv() {
        int[] m = bestMatch();
        StringBuilder sb = new StringBuilder("category,matched_label");
        for (int l = 0; l < labels; l++) sb.append(",label_").append(l);
        sb.append('\n');
        for (int c = 0; c < categories; c++) {
            sb.append(c).append(',').append(m[c]);
            for (int l = 0; l < labels; l++) sb.append(',').append(counts[c][l]);
            sb.append('\n');
        }
        return sb.toString();
    }
}
