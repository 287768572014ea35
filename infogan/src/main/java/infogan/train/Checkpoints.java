package infogan.train;

import infogan.engine.backend.Storage;
import infogan.engine.optim.Adam;
import infogan.engine.tensor.Tensor;
import infogan.io.CheckpointException;
import infogan.io.CheckpointFile;
import infogan.model.InfoGan;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a resumed run needs, in one {@link CheckpointFile}: the run's config, every parameter and BatchNorm
 * buffer by name, both Adam states (moments and step counts), the latent RNG, the batch sampler's state and
 * permutation, and the iteration. Written atomically (temp file + rename) with a CRC32C.
 */
public final class Checkpoints {
    private Checkpoints() { }

    public static void save(Path file, InfoGan m, String config, long iteration, long[] samplerState, int[] permutation) {
        var b = CheckpointFile.builder();
        b.put("kind", "infogan-engine model");
        b.put("config", config);
        b.put("iteration", new long[]{iteration});
        for (var mod : m.modules()) {
            for (Tensor p : mod.parameters()) b.put(p.name, p.toFloats());
            for (Tensor p : mod.buffers()) b.put(p.name, p.toFloats());
        }
        putAdam(b, "adamD", m.optD);
        putAdam(b, "adamG", m.optG);
        b.put("rng", m.rng.state());
        b.put("sampler.state", samplerState);
        b.put("sampler.permutation", permutation);
        b.writeAtomically(file);
    }

    private static void putAdam(CheckpointFile.Builder b, String name, Adam opt) {
        b.put(name + ".steps", new long[]{opt.steps()});
        for (int i = 0; i < opt.params.size(); i++) {
            Tensor p = opt.params.get(i);
            b.put(name + ".m." + p.name, read(p, opt.firstMoment(i)));
            b.put(name + ".v." + p.name, read(p, opt.secondMoment(i)));
        }
    }

    private static float[] read(Tensor p, Storage s) {
        float[] a = new float[p.size];
        p.backend.read(s, a);
        return a;
    }

    /** Reads the config string without building a model (to rebuild the right model first). */
    public static CheckpointFile.Reader open(Path file) {
        CheckpointFile.Reader r = CheckpointFile.read(file);
        if (!r.contains("kind") || !"infogan-engine model".equals(r.getString("kind")))
            throw new CheckpointException(file, "not an infogan-engine model checkpoint (no 'kind' section naming one)");
        return r;
    }

    /** Loads weights, buffers, optimiser and RNG state into m; returns the iteration. */
    public static long load(CheckpointFile.Reader r, InfoGan m) {
        for (var mod : m.modules()) {
            for (Tensor p : mod.parameters()) load(r, p, p.name);
            for (Tensor p : mod.buffers()) load(r, p, p.name);
        }
        loadAdam(r, "adamD", m.optD);
        loadAdam(r, "adamG", m.optG);
        m.rng.setState(r.getLongs("rng"));
        return r.getLongs("iteration")[0];
    }

    private static void load(CheckpointFile.Reader r, Tensor t, String name) {
        float[] v = r.getFloats(name);
        if (v.length != t.size)
            throw new CheckpointException(r.file(), "section " + name + " holds " + v.length + " values, the model needs " + t.size + " (a different model layout?)");
        t.write(v);
    }

    private static void loadAdam(CheckpointFile.Reader r, String name, Adam opt) {
        opt.setSteps(r.getLongs(name + ".steps")[0]);
        List<Tensor> ps = opt.params;
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i);
            p.backend.write(opt.firstMoment(i), r.getFloats(name + ".m." + p.name));
            p.backend.write(opt.secondMoment(i), r.getFloats(name + ".v." + p.name));
        }
    }
}
