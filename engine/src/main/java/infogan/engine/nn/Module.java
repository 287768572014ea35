package infogan.engine.nn;

import infogan.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A layer or a network: it owns parameters (trainable) and buffers (running statistics), and has a training
 * flag that BatchNorm reads. Composite modules list their children; everything else is derived from that list.
 */
public abstract class Module {
    protected boolean training = true;

    /** Direct children (layers inside this network). */
    protected List<Module> children() { return List.of(); }

    /** This module's own parameters (not its children's). */
    protected List<Tensor> ownParameters() { return List.of(); }

    /** This module's own buffers. */
    protected List<Tensor> ownBuffers() { return List.of(); }

    public final List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>(ownParameters());
        for (Module m : children()) out.addAll(m.parameters());
        return out;
    }

    public final List<Tensor> buffers() {
        List<Tensor> out = new ArrayList<>(ownBuffers());
        for (Module m : children()) out.addAll(m.buffers());
        return out;
    }

    /** Training mode: BatchNorm normalises with batch statistics and updates its running ones. */
    public final void train(boolean on) {
        training = on;
        for (Module m : children()) m.train(on);
    }

    public final boolean isTraining() { return training; }

    /** Freezes (false) or unfreezes every parameter: frozen ones get no gradients and cost no weight-gradient work. */
    public final void setRequiresGrad(boolean on) {
        for (Tensor p : parameters()) p.setRequiresGrad(on);
    }

    public final long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.size;
        return n;
    }
}
