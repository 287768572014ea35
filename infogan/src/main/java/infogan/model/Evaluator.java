package infogan.model;

import infogan.data.Dataset;
import infogan.engine.autodiff.Tape;
import infogan.engine.ops.Slice;
import infogan.engine.tensor.Tensor;
import infogan.eval.Confusion;

/**
 * The paper's headline metric: the first categorical code used as an unsupervised classifier. Each real held-out image
 * goes through D's trunk and Q's head in eval mode; its category is the argmax of Q's logits for c1. Categories come
 * out in arbitrary order, so accuracy is measured after the best one-to-one matching of categories to labels
 * (the Hungarian algorithm on the confusion matrix). Labels are read here and nowhere in training.
 */
public final class Evaluator {
    private Evaluator() { }

    public record Result(Confusion confusion, double accuracy, int[] match) { }

    public static Result evaluate(InfoGan m, Dataset data, int batch) {
        LatentSpec s = m.cfg.latent();
        if (s.categorical().length == 0) throw new IllegalArgumentException("evaluation needs a categorical code; this model has none");
        int K = s.categorical()[0];
        Confusion conf = new Confusion(K, 10);
        boolean tr = m.trunk.isTraining(), qr = m.qHead.isTraining();
        m.trunk.train(false);
        m.qHead.train(false);
        float[] buf = new float[batch * 784];
        try {
            for (int start = 0; start < data.n(); start += batch) {
                int b = Math.min(batch, data.n() - start);
                for (int i = 0; i < b; i++) data.copyImage(start + i, buf, i * 784);
                Tape t = new Tape(m.backend);
                try (var ng = t.noGrad()) {
                    Tensor x = t.constant(b == batch ? buf : java.util.Arrays.copyOf(buf, b * 784), b, 1, 28, 28);
                    float[] logits = Slice.apply(t, m.qHead.forward(t, m.trunk.forward(t, x)), 1, 0, K).toFloats();
                    for (int i = 0; i < b; i++) {
                        int best = 0;
                        for (int j = 1; j < K; j++) if (logits[i * K + j] > logits[i * K + best]) best = j;
                        conf.add(best, data.label(start + i));
                    }
                } finally {
                    t.reset();
                }
            }
        } finally {
            m.trunk.train(tr);
            m.qHead.train(qr);
        }
        return new Result(conf, conf.accuracyUnderBestMatch(), conf.bestMatch());
    }
}
