package infogan.engine.autodiff;

import infogan.engine.backend.Backend;
import infogan.engine.backend.Storage;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

import java.util.ArrayList;

/**
 * Reverse-mode automatic differentiation on a tape (a Wengert list).
 * <p>
 * <b>Forward</b>: every op whose inputs need a gradient appends itself to {@link #ops} in execution order, so the
 * list is already a topological order. <b>Backward</b> from a scalar loss: mark the ops the loss depends on
 * (an iterative depth-first walk over {@code creator} links, no recursion), seed ∂loss/∂loss = 1, then visit the
 * marked ops in reverse tape order; each accumulates ({@code +=}) into its inputs' gradients.
 * <p>
 * The tape is also the step's <b>arena</b>: every intermediate tensor and gradient is allocated through it and
 * returned to the backend's pool by {@link #reset()}, so a training loop with fixed shapes stops allocating after
 * its first step. Parameters live outside it.
 * <p>
 * {@link #noGrad()} opens a scope in which nothing is recorded (evaluation, the frozen network of a GAN step).
 */
public final class Tape {
    public final Backend backend;
    private final ArrayList<Op> ops = new ArrayList<>();
    private final ArrayList<Storage> arena = new ArrayList<>();
    private final ArrayList<Op> stack = new ArrayList<>();
    private int noGradDepth;
    private int pass;

    public Tape(Backend backend) { this.backend = backend; }

    /** A fresh intermediate tensor owned by this tape (contents unspecified). */
    public Tensor tensor(int... shape) {
        Storage s = backend.alloc(Shapes.size(shape));
        arena.add(s);
        return new Tensor(backend, s, shape, null, false);
    }

    /** A fresh intermediate tensor of zeros. */
    public Tensor zeros(int... shape) {
        Tensor t = tensor(shape);
        backend.fill(t.data, t.size, 0.0);
        return t;
    }

    /** A tape-owned tensor holding host values (a batch, latent codes, targets). */
    public Tensor constant(float[] values, int... shape) {
        Tensor t = tensor(shape);
        if (values.length != t.size) throw new IllegalArgumentException("constant: " + values.length + " values for shape " + Shapes.str(shape));
        backend.write(t.data, values);
        return t;
    }

    /** Scratch storage for an op's backward, released with the tape. */
    public Storage scratch(int n) {
        Storage s = backend.alloc(n);
        arena.add(s);
        return s;
    }

    /** The gradient tensor of x, created as zeros on first use (persistent for parameters, tape-owned otherwise). */
    public Tensor grad(Tensor x) {
        if (x.grad == null) {
            x.grad = x.isParameter
                    ? new Tensor(backend, backend.zeros(x.size), x.shape, x.name + ".grad", false)
                    : zeros(x.shape);
        }
        return x.grad;
    }

    public boolean recording() { return noGradDepth == 0; }

    /**
     * Records op with its inputs and output if gradients are being tracked and some input needs one.
     * Ops call this at the end of their forward; it returns the output for chaining.
     */
    public Tensor record(Op op, Tensor out, Tensor... inputs) {
        if (noGradDepth > 0) return out;
        boolean any = false;
        for (Tensor in : inputs) any |= in.requiresGrad();
        if (!any) return out;
        op.inputs = inputs;
        op.out = out;
        out.creator = op;
        out.markRequiresGrad();
        ops.add(op);
        return out;
    }

    /** Whether a forward should bother saving tensors: false under no-grad or when no input needs a gradient. */
    public boolean needsGrad(Tensor... inputs) {
        if (noGradDepth > 0) return false;
        for (Tensor in : inputs) if (in.requiresGrad()) return true;
        return false;
    }

    /** Computes ∂loss/∂x for every tensor x that requires grad and that loss depends on. loss must be a scalar. */
    public void backward(Tensor loss) {
        if (loss.size != 1) throw new IllegalArgumentException("backward needs a scalar loss, got shape " + Shapes.str(loss.shape));
        if (loss.creator == null) throw new IllegalStateException("backward: the loss was not computed from anything that requires grad");
        int p = ++pass;
        // 1. Mark every op the loss depends on: iterative DFS over creator links.
        stack.clear();
        stack.add(loss.creator);
        loss.creator.mark = p;
        while (!stack.isEmpty()) {
            Op op = stack.removeLast();
            if (op.consumed)
                throw new IllegalStateException("backward through " + op.name + " a second time: run the forward again for a new loss");
            for (Tensor in : op.inputs) {
                Op c = in.creator;
                if (c != null && c.mark != p) { c.mark = p; stack.add(c); }
            }
        }
        // 2. Seed dloss/dloss = 1 and walk the tape backwards over the marked ops.
        backend.fill(grad(loss).data, 1, 1.0);
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if (op.mark != p) continue;
            op.consumed = true;
            if (op.out.grad == null) continue; // nothing flowed into this branch
            op.checkSaved();
            op.backward(this, op.out.grad);
        }
    }

    /** Ops recorded so far, in execution order (for inspection, tests and the DOT dump). */
    public java.util.List<Op> ops() { return java.util.Collections.unmodifiableList(ops); }

    /**
     * The recorded ops as a Graphviz DOT graph (for teaching and debugging): one box per op with its output shape and
     * L2 norm, one ellipse per leaf (parameters by name, inputs and constants by shape), edges in data-flow order.
     * Reads every tensor back, so call it once, not in a hot loop. {@code dot -Tsvg tape.dot > tape.svg} draws it.
     */
    public String toDot() {
        StringBuilder b = new StringBuilder("digraph tape {\n  rankdir=TB; node [fontname=monospace, fontsize=10];\n");
        java.util.IdentityHashMap<Object, String> ids = new java.util.IdentityHashMap<>();
        for (Op op : ops) {
            String id = "op" + ids.size();
            ids.put(op, id);
            b.append(String.format(java.util.Locale.ROOT, "  %s [shape=box, label=\"%s\\n%s  |y|=%.4g\"];%n", id, op.name, Shapes.str(op.out.shape), norm(op.out)));
            for (Tensor in : op.inputs) {
                String from;
                if (in.creator != null && ids.containsKey(in.creator)) from = ids.get(in.creator);
                else {
                    from = ids.get(in);
                    if (from == null) {
                        from = "t" + ids.size();
                        ids.put(in, from);
                        b.append(String.format(java.util.Locale.ROOT, "  %s [shape=ellipse, label=\"%s\\n%s  |x|=%.4g\"];%n", from,
                                in.name != null ? in.name : (in.requiresGrad() ? "leaf" : "input"), Shapes.str(in.shape), norm(in)));
                    }
                }
                b.append("  ").append(from).append(" -> ").append(id).append(";\n");
            }
        }
        return b.append("}\n").toString();
    }

    private static double norm(Tensor t) {
        double s = 0;
        for (double v : t.toDoubles()) s += v * v;
        return Math.sqrt(s);
    }

    /** Forgets the recorded ops and returns every tape-owned storage to the backend's pool. */
    public void reset() {
        for (Op op : ops) op.out.creator = null;
        ops.clear();
        for (Storage s : arena) backend.release(s);
        arena.clear();
    }

    /** A scope in which no op is recorded: {@code try (var ng = tape.noGrad()) { ... }}. */
    public NoGrad noGrad() {
        noGradDepth++;
        return new NoGrad();
    }

    public final class NoGrad implements AutoCloseable {
        private boolean closed;

        @Override
        public void close() {
            if (!closed) { closed = true; noGradDepth--; }
        }
    }
}
