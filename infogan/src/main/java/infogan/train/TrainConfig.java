package infogan.train;

import infogan.model.LatentSpec;
import infogan.model.ModelConfig;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Properties;

/** Everything that defines a training run; saved as the run's config.properties and inside each checkpoint. */
public record TrainConfig(String dataset, Path dataDir, ModelConfig model, long seed, int iterations,
                          int logEvery, int sampleEvery, int checkpointEvery, int evalEvery) {

    public String toProperties() {
        Properties p = new Properties();
        p.setProperty("dataset", dataset);
        if (dataDir != null) p.setProperty("data", dataDir.toString());
        p.setProperty("seed", Long.toString(seed));
        p.setProperty("iterations", Integer.toString(iterations));
        p.setProperty("log_every", Integer.toString(logEvery));
        p.setProperty("sample_every", Integer.toString(sampleEvery));
        p.setProperty("checkpoint_every", Integer.toString(checkpointEvery));
        p.setProperty("eval_every", Integer.toString(evalEvery));
        ModelConfig m = model;
        p.setProperty("latent", m.latent().toString());
        p.setProperty("learn_sigma", Boolean.toString(m.latent().learnSigma()));
        p.setProperty("batch", Integer.toString(m.batch()));
        p.setProperty("lr_d", Double.toString(m.lrD()));
        p.setProperty("lr_g", Double.toString(m.lrG()));
        p.setProperty("beta1", Double.toString(m.beta1()));
        p.setProperty("beta2", Double.toString(m.beta2()));
        p.setProperty("lambda_cat", Double.toString(m.lambdaCat()));
        p.setProperty("lambda_cont", Double.toString(m.lambdaCont()));
        p.setProperty("leak", Double.toString(m.leak()));
        StringWriter w = new StringWriter();
        try {
            p.store(w, "infogan-engine run configuration");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // Properties.store writes a date comment; drop it so identical runs have identical files.
        return w.toString().lines().filter(l -> !l.startsWith("#") || l.contains("infogan")).reduce("", (a, b) -> a + b + "\n");
    }

    public static TrainConfig fromProperties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        LatentSpec latent = LatentSpec.parse(p.getProperty("latent"), Boolean.parseBoolean(p.getProperty("learn_sigma")));
        ModelConfig m = new ModelConfig(latent, i(p, "batch"), d(p, "lr_d"), d(p, "lr_g"), d(p, "beta1"), d(p, "beta2"),
                d(p, "lambda_cat"), d(p, "lambda_cont"), d(p, "leak"));
        String data = p.getProperty("data");
        return new TrainConfig(p.getProperty("dataset"), data == null ? null : Path.of(data), m, Long.parseLong(p.getProperty("seed")),
                i(p, "iterations"), i(p, "log_every"), i(p, "sample_every"), i(p, "checkpoint_every"), i(p, "eval_every"));
    }

    private static int i(Properties p, String k) { return Integer.parseInt(p.getProperty(k)); }

    private static double d(Properties p, String k) { return Double.parseDouble(p.getProperty(k)); }

    public TrainConfig withIterations(int n) { return new TrainConfig(dataset, dataDir, model, seed, n, logEvery, sampleEvery, checkpointEvery, evalEvery); }
}
