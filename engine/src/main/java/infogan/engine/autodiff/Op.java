package infogan.engine.autodiff;

import infogan.engine.tensor.Tensor;

/**
 * One recorded operation on the {@link Tape}: its inputs, its output, and the tensors it saved for backward
 * together with the versions they had when saved. Each concrete op (package {@code infogan.engine.ops}) keeps its
 * forward (a static {@code apply}) and its {@link #backward} side by side in one small class.
 * <p>
 * Rule for every backward: <b>accumulate</b> into the inputs' gradients ({@code +=}, via {@link Tape#grad}),
 * and only for inputs that {@link Tensor#requiresGrad()}.
 */
public abstract class Op {
    public final String name;
    protected Tensor[] inputs;
    protected Tensor out;
    private Tensor[] saved = NONE;
    private int[] savedVersions;
    /** Which backward pass last visited this op (see {@link Tape#backward}). */
    int mark;
    boolean consumed;

    private static final Tensor[] NONE = {};

    protected Op(String name) { this.name = name; }

    public Tensor[] inputs() { return inputs; }

    public Tensor output() { return out; }

    /** Declares the tensors backward will read, and remembers their versions. */
    protected final void save(Tensor... tensors) {
        saved = tensors;
        savedVersions = new int[tensors.length];
        for (int i = 0; i < tensors.length; i++) savedVersions[i] = tensors[i].version();
    }

    public Tensor[] saved() { return saved; }

    /** Throws if a saved tensor was written in place after forward (e.g. an optimizer step in between). */
    final void checkSaved() {
        for (int i = 0; i < saved.length; i++)
            if (saved[i].version() != savedVersions[i])
                throw new IllegalStateException("backward of " + name + ": saved tensor " + saved[i]
                        + " was modified in place after the forward pass (version " + savedVersions[i] + " -> "
                        + saved[i].version() + "); recompute the forward after the update (e.g. run D again after D's optimizer step)");
    }

    /** Adds this op's contribution to its inputs' gradients, given dout = ∂loss/∂output. */
    protected abstract void backward(Tape t, Tensor dout);
}
