package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * C = op(A) · op(B) for 2-d tensors, op = identity or transpose (torch.matmul / F.linear's x·Wᵀ).
 * Backward: dA += dC · op(B)ᵀ (laid out to match A's storage), dB += op(A)ᵀ · dC likewise.
 */
public final class MatMul extends Op {
    private final boolean transA, transB;
    private final int m, n, k;

    private MatMul(boolean transA, boolean transB, int m, int n, int k) {
        super("matmul");
        this.transA = transA; this.transB = transB; this.m = m; this.n = n; this.k = k;
    }

    public static Tensor apply(Tape t, Tensor a, Tensor b) { return apply(t, a, false, b, false); }

    public static Tensor apply(Tape t, Tensor a, boolean transA, Tensor b, boolean transB) {
        if (a.rank() != 2 || b.rank() != 2) throw new IllegalArgumentException("matmul needs 2-d tensors, got " + Shapes.str(a.shape) + " and " + Shapes.str(b.shape));
        int m = transA ? a.dim(1) : a.dim(0), k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0), n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shapes.str(a.shape) + (transA ? "ᵀ" : "")
                + " · " + Shapes.str(b.shape) + (transB ? "ᵀ" : ""));
        Tensor c = t.tensor(m, n);                                   // (m, n)
        t.backend.gemm(transA, transB, m, n, k, 1.0, a.data, b.data, 0.0, c.data);
        MatMul op = new MatMul(transA, transB, m, n, k);
        if (t.needsGrad(a, b)) op.save(a, b);
        return t.record(op, c, a, b);
    }

    @Override
    protected void backward(Tape t, Tensor dc) {
        Tensor a = inputs[0], b = inputs[1];
        if (a.requiresGrad()) {
            // A is m×k (or k×m stored when transA): dA = dC·op(B)ᵀ  (or its transpose op(B)·dCᵀ)
            if (!transA) t.backend.gemm(false, !transB, m, k, n, 1.0, dc.data, b.data, 1.0, t.grad(a).data);
            else t.backend.gemm(transB, true, k, m, n, 1.0, b.data, dc.data, 1.0, t.grad(a).data);
        }
        if (b.requiresGrad()) {
            // B is k×n (or n×k stored when transB): dB = op(A)ᵀ·dC  (or dCᵀ·op(A))
            if (!transB) t.backend.gemm(!transA, false, k, n, m, 1.0, a.data, dc.data, 1.0, t.grad(b).data);
            else t.backend.gemm(true, transA, n, k, m, 1.0, dc.data, a.data, 1.0, t.grad(b).data);
        }
    }
}
