package infogan.engine.backend;

/**
 * Pointwise nonlinearities with their derivatives (alpha is the leak of LEAKY_RELU, unused otherwise).
 * <pre>
 *   RELU        y = max(x, 0)            dy/dx = [x > 0]
 *   LEAKY_RELU  y = x > 0 ? x : alpha·x   dy/dx = x > 0 ? 1 : alpha
 *   SIGMOID     y = 1 / (1 + e^-x)       dy/dx = y (1 - y)
 *   TANH        y = tanh x               dy/dx = 1 - y²
 *   EXP         y = e^x                  dy/dx = y
 *   LOG         y = ln x                 dy/dx = 1 / x
 * </pre>
 * EXP and LOG are not used by InfoGAN's networks; they exist so the fused losses can be tested against their
 * composites built from primitives.
 * The integer {@link #code} is what the CUDA kernels receive.
 */
public enum Activation {
    RELU(0), LEAKY_RELU(1), SIGMOID(2), TANH(3), EXP(4), LOG(5);

    public final int code;

    Activation(int code) { this.code = code; }
}
