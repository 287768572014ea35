package infogan.train;

import infogan.model.Evaluator;

import java.util.Locale;

/** The text of eval.txt: accuracy of c1 as a classifier under the best matching, and the confusion matrix. */
public final class EvalReport {
    private EvalReport() { }

    public static String text(Evaluator.Result ev, int n) {
        return String.format(Locale.ROOT, "unsupervised accuracy of c1 on %d held-out images (best one-to-one matching of categories to labels): %.2f%%%n%s",
                n, 100 * ev.accuracy(), ev.confusion().toText());
    }
}
