package infogan.kernels;

/**
 * Every CUDA kernel the Java side launches: the single list that both the launcher
 * ({@code infogan.engine.backend.cuda.CudaKernels}) and the PTX tests ({@code KernelSourcesTest}) read.
 * Each constant names its op family (the file {@code kernels/cuda/<module>.cu}, shipped as the resource
 * {@code infogan/kernels/<module>.ptx}) and its {@code extern "C"} entry point, named {@code <op>_<fwd|bwd>[_vN]}.
 */
public enum Kernel {
    FILL("elementwise", "fill_fwd"),
    COPY("elementwise", "copy_fwd"),
    COPY_BLOCK("elementwise", "copy_block_fwd"),
    ADD("elementwise", "add_fwd"),
    AXPY("elementwise", "axpy_fwd"),
    SCALE("elementwise", "scale_fwd"),
    MUL("elementwise", "mul_fwd"),
    MUL_ACC("elementwise", "mul_acc_fwd"),
    ACTIVATION_FWD("elementwise", "activation_fwd"),
    ACTIVATION_BWD("elementwise", "activation_bwd"),
    BIAS_ADD("bias", "bias_add_fwd"),
    BIAS_GRAD("bias", "bias_grad_bwd"),
    SUM("reduce", "sum_fwd"),
    BROADCAST_SCALAR_ACC("reduce", "broadcast_scalar_acc_bwd"),
    GEMM("gemm", "gemm_fwd"),
    GEMM_SPLITK_SUM("gemm", "gemm_splitk_sum_fwd"),
    IM2COL("im2col", "im2col_fwd"),
    COL2IM("im2col", "col2im_bwd"),
    TRANSPOSE_OUTER("im2col", "transpose_outer_fwd"),
    BATCHNORM_TRAIN("batchnorm", "batchnorm_train_fwd"),
    BATCHNORM_EVAL("batchnorm", "batchnorm_eval_fwd"),
    BATCHNORM_BWD("batchnorm", "batchnorm_bwd"),
    BCE_LOGITS_FWD("losses", "bce_logits_fwd"),
    BCE_LOGITS_BWD("losses", "bce_logits_bwd"),
    SOFTMAX_XENT_FWD("losses", "softmax_xent_fwd"),
    SOFTMAX_XENT_BWD("losses", "softmax_xent_bwd"),
    GAUSS_NLL_FWD("losses", "gauss_nll_fwd"),
    GAUSS_NLL_BWD("losses", "gauss_nll_bwd"),
    ADAM("adam", "adam_fwd");

    /** The op family: kernels/cuda/{module}.cu and the resource infogan/kernels/{module}.ptx. */
    public final String module;
    /** The PTX {@code .entry} name. */
    public final String entry;

    Kernel(String module, String entry) {
        this.module = module;
        this.entry = entry;
    }

    /** Class-path resource holding the PTX of {@code module}. */
    public static String ptxResource(String module) {
        return "infogan/kernels/" + module + ".ptx";
    }
}
