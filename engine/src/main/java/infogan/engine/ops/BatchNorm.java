package infogan.engine.ops;

import infogan.engine.autodiff.Op;
import infogan.engine.autodiff.Tape;
import infogan.engine.tensor.Shapes;
import infogan.engine.tensor.Tensor;

/**
 * Batch normalisation over features (x (N, C), "BatchNorm1d") or channels (x (N, C, H, W), "BatchNorm2d"),
 * torch.nn.functional.batch_norm with PyTorch's conventions: statistics over all axes but 1; biased variance
 * to normalise; running statistics updated in training as r = (1 − momentum)·r + momentum·batch with the unbiased
 * variance (momentum 0.1 ≡ the InfoGAN code's EMA decay 0.9); eps inside the square root (default 1e-5).
 * <p>
 * Train: y = γ (x − μ_B)/√(σ²_B + eps) + β, saving μ_B and 1/√(σ²_B + eps) for backward.
 * Eval: the running statistics replace the batch's, so an image does not depend on its batch-mates.
 * Backward (train; see the Backend javadoc for the formula). Eval-mode backward is a per-channel affine map.
 */
public final class BatchNorm extends Op {
    private final int outer, c, inner;
    private final Tensor mean, invStd;   // (C) each, tape-owned
    private final boolean training;
    private final double eps;

    private BatchNorm(int outer, int c, int inner, Tensor mean, Tensor invStd, boolean training, double eps) {
        super(training ? "batchnorm" : "batchnorm_eval");
        this.outer = outer; this.c = c; this.inner = inner; this.mean = mean; this.invStd = invStd;
        this.training = training; this.eps = eps;
    }

    public static Tensor apply(Tape t, Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar,
                               boolean training, double momentum, double eps) {
        if (x.rank() < 2 || gamma.size != x.dim(1) || beta.size != x.dim(1) || runMean.size != x.dim(1) || runVar.size != x.dim(1))
            throw new IllegalArgumentException("batchnorm: input " + Shapes.str(x.shape) + " needs per-channel parameters of size "
                    + (x.rank() < 2 ? "?" : x.dim(1)) + ", got gamma " + Shapes.str(gamma.shape));
        int outer = x.dim(0), c = x.dim(1), inner = Shapes.prod(x.shape, 2, x.rank());
        Tensor y = t.tensor(x.shape.clone());
        BatchNorm op;
        if (training) {
            if (outer * inner < 2) throw new IllegalArgumentException("batchnorm: training needs more than one value per channel, got input " + Shapes.str(x.shape));
            Tensor mean = t.tensor(c), invStd = t.tensor(c);
            t.backend.batchNormForwardTrain(y.data, mean.data, invStd.data, x.data, gamma.data, beta.data,
                    runMean.data, runVar.data, outer, c, inner, momentum, eps);
            runMean.bumpVersion();
            runVar.bumpVersion();
            op = new BatchNorm(outer, c, inner, mean, invStd, true, eps);
            if (t.needsGrad(x, gamma, beta)) op.save(x, gamma);
        } else {
            t.backend.batchNormForwardEval(y.data, x.data, gamma.data, beta.data, runMean.data, runVar.data, outer, c, inner, eps);
            op = new BatchNorm(outer, c, inner, runMean, runVar, false, eps);
            if (t.needsGrad(x, gamma, beta)) op.save(x, gamma, runMean, runVar);
        }
        return t.record(op, y, x, gamma, beta);
    }

    @Override
    protected void backward(Tape t, Tensor dy) {
        Tensor x = inputs[0], gamma = inputs[1], beta = inputs[2];
        if (training) {
            t.backend.batchNormBackward(x.requiresGrad() ? t.grad(x).data : null,
                    gamma.requiresGrad() ? t.grad(gamma).data : null,
                    beta.requiresGrad() ? t.grad(beta).data : null,
                    dy.data, x.data, mean.data, invStd.data, gamma.data, outer, c, inner);
            return;
        }
        // Eval: y = γ·(x − r_μ)·s + β with s = 1/√(r_σ² + eps): every term is per channel. Kept simple, it is not a hot path.
        double[] g = gamma.toDoubles(), rm = mean.toDoubles(), rv = invStd.toDoubles(), up = dy.toDoubles(), xs = x.toDoubles();
        double[] dx = new double[x.size], dg = new double[c], db = new double[c];
        for (int p = 0; p < outer; p++)
            for (int j = 0; j < c; j++) {
                double s = 1 / Math.sqrt(rv[j] + eps);
                for (int i = 0; i < inner; i++) {
                    int k = (p * c + j) * inner + i;
                    dx[k] = up[k] * g[j] * s;
                    dg[j] += up[k] * (xs[k] - rm[j]) * s;
                    db[j] += up[k];
                }
            }
        if (x.requiresGrad()) addHost(t, t.grad(x), dx);
        if (gamma.requiresGrad()) addHost(t, t.grad(gamma), dg);
        if (beta.requiresGrad()) addHost(t, t.grad(beta), db);
    }

    private static void addHost(Tape t, Tensor grad, double[] v) {
        var tmp = t.scratch(v.length);
        t.backend.write(tmp, v);
        t.backend.axpy(grad.data, tmp, v.length, 1.0);
    }
}
