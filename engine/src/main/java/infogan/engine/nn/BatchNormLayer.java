package infogan.engine.nn;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.ops.BatchNorm;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

import java.util.List;

/**
 * BatchNorm1d/2d as a layer: γ ~ N(1, 0.02) (the InfoGAN code's init), β = 0, running mean 0 and variance 1;
 * momentum 0.1 and eps 1e-5 (PyTorch's defaults; momentum 0.1 equals the InfoGAN code's EMA decay 0.9).
 */
public final class BatchNormLayer extends Module {
    public static final double MOMENTUM = 0.1, EPS = 1e-5;
    public final Tensor gamma, beta, runningMean, runningVar;

    public BatchNormLayer(Backend be, String name, int channels, Rng rng) {
        gamma = Tensor.parameter(be, name + ".gamma", channels);
        Init.normal(gamma, rng, 1, 0.02);
        beta = Tensor.parameter(be, name + ".beta", channels);
        runningMean = Tensor.buffer(be, name + ".running_mean", channels);
        runningVar = Tensor.buffer(be, name + ".running_var", channels);
        Init.constant(runningVar, 1);
    }

    public Tensor forward(Tape t, Tensor x) {
        return BatchNorm.apply(t, x, gamma, beta, runningMean, runningVar, training, MOMENTUM, EPS);
    }

    @Override
    protected List<Tensor> ownParameters() { return List.of(gamma, beta); }

    @Override
    protected List<Tensor> ownBuffers() { return List.of(runningMean, runningVar); }
}
