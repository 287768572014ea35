package infogan.engine.backend;

/**
 * The kernels every backend provides. Ops ({@code infogan.engine.ops}) do shapes and bookkeeping; a
 * backend only moves numbers. The same list exists three times:
 * <ul>
 *   <li>{@code ReferenceBackend}: float64, plain loops, obviously correct: <b>the specification</b>;</li>
 *   <li>{@code CpuBackend}: float32, multi-threaded, SIMD (the fast CPU path);</li>
 *   <li>{@code CudaBackend}: float32 on the GPU, our PTX kernels (kernels/cuda/*.cu).</li>
 * </ul>
 * Conventions, shared by all three and by the CUDA kernels:
 * <ul>
 *   <li>argument order is outputs, inputs, sizes; tensors are row-major (NCHW for images);</li>
 *   <li>methods named {@code *Backward}, {@code *Grad} and {@code *Acc} <b>accumulate</b> ({@code +=}) into their
 *       outputs, everything else overwrites them;</li>
 *   <li>a scalar that is itself a tensor value (a loss, an upstream gradient of a loss) stays in a storage of
 *       length 1, so a GPU step never has to read it back.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** Short name for logs: "reference-f64", "cpu-f32", "cuda-f32". */
    String name();

    // ---------------------------------------------------------------- memory
    /** A storage of n elements with unspecified contents, from this backend's pool. */
    Storage alloc(int n);

    /** A storage of n zeros, from the pool. */
    default Storage zeros(int n) {
        Storage s = alloc(n);
        fill(s, n, 0.0);
        return s;
    }

    /** Returns a storage to the pool; it must not be used afterwards. */
    void release(Storage s);

    /**
     * dst[0..src.length) = src (host → backend). On the GPU a small copy may still be in flight when this returns
     * (src has been copied to pinned memory by then, so the caller may reuse it); it runs in order with later work.
     */
    void write(Storage dst, float[] src);

    void write(Storage dst, double[] src);

    /** dst = src[0..dst.length) (backend → host). Synchronises on asynchronous backends. */
    void read(Storage src, float[] dst);

    void read(Storage src, double[] dst);

    /** Blocks until all queued work is done (a no-op on the CPU). */
    default void synchronize() { }

    @Override
    default void close() { }

    // ---------------------------------------------------------------- elementwise
    /** y[i] = v for i < n. */
    void fill(Storage y, int n, double v);

    /** y[i] = x[i]. */
    void copy(Storage y, Storage x, int n);

    /**
     * A strided 2-d block copy: for r &lt; rows, j &lt; cols:
     * dst[dstOff + r·dstStride + j] (= or +=) src[srcOff + r·srcStride + j].
     * Concat and slice along any axis are this copy with rows = the product of the leading dims.
     */
    void copyBlock(Storage dst, int dstOff, int dstStride, Storage src, int srcOff, int srcStride,
                   int rows, int cols, boolean accumulate);

    /** y[i] = a[i] + b[i]. */
    void add(Storage y, Storage a, Storage b, int n);

    /** y[i] += alpha · x[i]. */
    void axpy(Storage y, Storage x, int n, double alpha);

    /** y[i] = alpha · x[i]. */
    void scale(Storage y, Storage x, int n, double alpha);

    /** y[i] = a[i] · b[i]. */
    void mul(Storage y, Storage a, Storage b, int n);

    /** y[i] += a[i] · b[i]. */
    void mulAcc(Storage y, Storage a, Storage b, int n);

    /** y = f(x). */
    void activationForward(Activation f, Storage y, Storage x, int n, double alpha);

    /** dx += f'(x) · dy; kernels read x (RELU, LEAKY_RELU, LOG) or y (SIGMOID, TANH, EXP), whichever they need. */
    void activationBackward(Activation f, Storage dx, Storage dy, Storage x, Storage y, int n, double alpha);

    // ---------------------------------------------------------------- broadcasting and reductions
    /** y[o, j, i] = x[o, j, i] + b[j] for o &lt; outer, j &lt; c, i &lt; inner (bias add; broadcast add). */
    void biasAdd(Storage y, Storage x, Storage b, int outer, int c, int inner);

    /** db[j] += Σ_{o,i} dy[o, j, i]. */
    void biasGrad(Storage db, Storage dy, int outer, int c, int inner);

    /** y[0] = alpha · Σ_i x[i]. */
    void sum(Storage y, Storage x, int n, double alpha);

    /** dx[i] += alpha · dy[0] (the backward of {@link #sum}). */
    void broadcastScalarAcc(Storage dx, Storage dy, int n, double alpha);

    // ---------------------------------------------------------------- matmul
    /**
     * c = alpha · op(a) · op(b) + beta · c, row-major; op(a) is m×k (a is stored k×m when transA), op(b) is k×n.
     * beta == 0 overwrites c (NaNs in c do not survive).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Storage a, Storage b,
              double beta, Storage c);

    // ---------------------------------------------------------------- convolution
    /** y = conv(x, w), see {@link ConvGeom}. */
    void conv2dForward(Storage y, Storage x, Storage w, ConvGeom g);

    /** dx += conv_transpose(dy, w): the gradient of conv2dForward with respect to x. */
    void conv2dBackwardData(Storage dx, Storage dy, Storage w, ConvGeom g);

    /** dw += Σ over batch and positions of dy ⊗ x-patch: the gradient with respect to w. */
    void conv2dBackwardFilter(Storage dw, Storage dy, Storage x, ConvGeom g);

    // ---------------------------------------------------------------- batch normalisation
    /**
     * Training-mode BatchNorm over x (outer, c, inner), per channel j over outer×inner values:
     * mean_j, var_j (biased) → invStd_j = 1/sqrt(var_j + eps); y = gamma_j (x − mean_j) invStd_j + beta_j.
     * Writes mean and invStd (saved for backward) and updates the running statistics (PyTorch convention):
     * runMean = (1 − momentum)·runMean + momentum·mean; runVar likewise with the unbiased variance (·m/(m−1)).
     */
    void batchNormForwardTrain(Storage y, Storage mean, Storage invStd, Storage x, Storage gamma, Storage beta,
                               Storage runMean, Storage runVar, int outer, int c, int inner,
                               double momentum, double eps);

    /** Eval-mode BatchNorm: y = gamma (x − runMean) / sqrt(runVar + eps) + beta. */
    void batchNormForwardEval(Storage y, Storage x, Storage gamma, Storage beta, Storage runMean, Storage runVar,
                              int outer, int c, int inner, double eps);

    /**
     * Backward of training-mode BatchNorm (m = outer·inner, x̂ = (x − mean)·invStd):
     * dbeta += Σ dy; dgamma += Σ dy·x̂; dx += gamma·invStd/m · (m·dy − Σdy − x̂·Σ(dy·x̂)).
     * dx, dgamma or dbeta may be null when that gradient is not wanted.
     */
    void batchNormBackward(Storage dx, Storage dgamma, Storage dbeta, Storage dy, Storage x, Storage mean,
                           Storage invStd, Storage gamma, int outer, int c, int inner);

    // ---------------------------------------------------------------- fused losses (means over the batch)
    /** loss[0] = (1/n) Σ max(z,0) − z·t + log(1 + e^−|z|): BCE of sigmoid(z) against t, finite for any z. */
    void bceWithLogitsForward(Storage loss, Storage logits, Storage targets, int n);

    /** dlogits += dloss[0] · (sigmoid(z) − t) / n. */
    void bceWithLogitsBackward(Storage dlogits, Storage dloss, Storage logits, Storage targets, int n);

    /**
     * loss[0] = (1/b) Σ_r [logsumexp(z_r) − z_r[label_r]]; probs = softmax(z) saved for backward.
     * labels holds class indices as numbers (0 ≤ label &lt; classes).
     */
    void softmaxCrossEntropyForward(Storage loss, Storage probs, Storage logits, Storage labels, int b, int classes);

    /** dlogits += dloss[0] · (probs − onehot(label)) / b. */
    void softmaxCrossEntropyBackward(Storage dlogits, Storage dloss, Storage probs, Storage labels, int b, int classes);

    /**
     * Gaussian negative log-likelihood of x under N(mu, e^{2·logSigma}), summed over d and averaged over b:
     * loss[0] = (1/b) Σ [logSigma + ½ ln 2π + ½ (x − mu)² e^{−2 logSigma}].
     */
    void gaussianNllForward(Storage loss, Storage x, Storage mu, Storage logSigma, int b, int d);

    /**
     * dmu += dloss[0]/b · (mu − x) e^{−2 logSigma}; dlogSigma += dloss[0]/b · (1 − (x − mu)² e^{−2 logSigma}).
     * Either output may be null.
     */
    void gaussianNllBackward(Storage dmu, Storage dlogSigma, Storage dloss, Storage x, Storage mu,
                             Storage logSigma, int b, int d);

    // ---------------------------------------------------------------- optimiser
    /**
     * One Adam update (Kingma &amp; Ba, PyTorch's formulation): m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²;
     * p −= lr · (m / bc1) / (sqrt(v / bc2) + eps), with bc1 = 1 − β1^t and bc2 = 1 − β2^t computed in double.
     * t is read from {@code step[0]} (a count ≥ 1 kept on the backend), not passed from the host, so that a
     * recorded step ({@link #capture}) replays with the right t.
     */
    void adamStep(Storage p, Storage g, Storage m, Storage v, int n, double lr, double beta1, double beta2,
                  double eps, Storage step);

    // ---------------------------------------------------------------- recorded work (CUDA graphs)
    /**
     * Records the backend work that {@code work} enqueues, <b>without running it</b>, and returns a {@link Replay}
     * that runs exactly that work each time; or returns null, having done nothing, when this backend does not record
     * (the CPU backends: their kernels are Java calls, there is no launch cost to save) or recording failed, in which
     * case the caller runs {@code work} itself.
     * <p>What a replay repeats is fixed at recording: the storages (addresses) and every scalar argument. So the work
     * must read its inputs from storages the caller rewrites between replays, keep anything that changes per step
     * (Adam's t) in storages, and neither read nor write host memory ({@link #read}, {@link #write} and
     * {@link #synchronize} are refused while recording). Storages allocated and released while recording belong to
     * the replay until it is closed. "Done nothing" is about the backend's work: Java code in {@code work} does run,
     * so it must not create persistent state (a storage allocated while recording and kept would have its
     * initialisation recorded, not run, and repeated by every replay); run the work eagerly once first.
     */
    default Replay capture(Runnable work) { return null; }

    /** One line on the work this backend has issued (kernel launches, graph launches), or null if it counts none. */
    default String activity() { return null; }

    /** Recorded backend work (see {@link #capture}): a CUDA graph on the GPU. */
    interface Replay extends AutoCloseable {
        /** Enqueues the recorded work once (asynchronous on the GPU, like any kernel). */
        void replay();

        /** How many kernels or library calls one replay runs (the graph's nodes). */
        int operations();

        /** Frees the recording and the storages it owns. */
        @Override
        void close();
    }
}
