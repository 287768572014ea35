package infogan.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import infogan.kernels.Kernel;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * Typed launchers: one method per CUDA kernel of {@link Kernel}, whose Java parameters mirror the C signature
 * (device pointers, {@code int} for C {@code int}, {@code float} for C {@code float}) in the same order: outputs,
 * inputs, sizes, scalars. Launch shapes follow the header comment of each .cu file.
 * <p>Debug switch: {@code -Dinfogan.cuda.sync=true} or {@code INFOGAN_CUDA_SYNC=1} synchronises after every launch,
 * so an asynchronous fault is reported against the kernel that caused it.
 */
final class CudaKernels implements AutoCloseable {
    static final int BLOCK = 256;
    /** Grid-stride kernels need no more blocks than this (132 SMs x 16 resident blocks, rounded up generously). */
    static final int MAX_GRID = 1 << 16;
    /** A null device pointer, for optional outputs (batchnorm_bwd, gauss_nll_bwd) and unused inputs. */
    static final CUdeviceptr NULL = new CUdeviceptr();

    private final CUstream stream;
    private final boolean sync;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final EnumMap<Kernel, CUfunction> functions = new EnumMap<>(Kernel.class);
    private final EnumMap<Kernel, long[]> launches = new EnumMap<>(Kernel.class);
    private long total;

    CudaKernels(CUstream stream, boolean syncEachLaunch) {
        this.stream = stream;
        this.sync = syncEachLaunch;
        for (Kernel k : Kernel.values()) {
            CUmodule m = modules.computeIfAbsent(k.module, CudaKernels::load);
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, m, k.entry);
            functions.put(k, f);
            launches.put(k, new long[1]);
        }
    }

    /** Loads infogan/kernels/{module}.ptx from the class path, NUL-terminated as cuModuleLoadData requires. */
    private static CUmodule load(String module) {
        String res = Kernel.ptxResource(module);
        try (InputStream in = Kernel.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException("PTX resource " + res + " not on the class path");
            byte[] ptx = in.readAllBytes();
            byte[] z = Arrays.copyOf(ptx, ptx.length + 1);
            CUmodule m = new CUmodule();
            cuModuleLoadData(m, z);
            return m;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + res, e);
        } catch (CudaException e) {
            throw new CudaException("loading " + res + " failed (PTX JIT): " + e.getMessage(), e);
        }
    }

    static int ceilDiv(long a, long b) { return (int) Math.min((a + b - 1) / b, Integer.MAX_VALUE); }

    /** Blocks for a grid-stride loop over {@code work} elements. */
    static int grid(long work) { return Math.max(1, Math.min(ceilDiv(work, BLOCK), MAX_GRID)); }

    boolean syncEachLaunch() { return sync; }

    /** Launch counts per kernel since creation (for the bench summary). */
    Map<Kernel, Long> launchCounts() {
        Map<Kernel, Long> m = new EnumMap<>(Kernel.class);
        launches.forEach((k, v) -> { if (v[0] > 0) m.put(k, v[0]); });
        return m;
    }

    /** Launches of all kernels since creation. */
    long totalLaunches() { return total; }

    private void launch(Kernel k, int gx, int gy, int block, Pointer... args) { launch(k, gx, gy, 1, block, args); }

    private void launch(Kernel k, int gx, int gy, int gz, int block, Pointer... args) {
        launches.get(k)[0]++;
        total++;
        try {
            cuLaunchKernel(functions.get(k), gx, gy, gz, block, 1, 1, 0, stream, Pointer.to(args), null);
            if (sync) cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw new CudaException("kernel " + k.module + ".cu:" + k.entry + " grid (" + gx + "," + gy
                    + (gz > 1 ? "," + gz : "") + ") block " + block + " failed: " + e.getMessage(), e);
        }
    }

    private static Pointer p(CUdeviceptr d) { return Pointer.to(d == null ? NULL : d); }
    private static Pointer i(int v) { return Pointer.to(new int[] {v}); }
    private static Pointer f(float v) { return Pointer.to(new float[] {v}); }
    private static Pointer d(double v) { return Pointer.to(new double[] {v}); }

    // ---------------------------------------------------------------- elementwise.cu
    void fill(CUdeviceptr y, int n, float v) { launch(Kernel.FILL, grid(n), 1, BLOCK, p(y), i(n), f(v)); }

    void copy(CUdeviceptr y, CUdeviceptr x, int n) { launch(Kernel.COPY, grid(n), 1, BLOCK, p(y), p(x), i(n)); }

    void copyBlock(CUdeviceptr dst, int dstOff, int dstStride, CUdeviceptr src, int srcOff, int srcStride, int rows,
                   int cols, int accumulate) {
        launch(Kernel.COPY_BLOCK, grid((long) rows * cols), 1, BLOCK, p(dst), i(dstOff), i(dstStride), p(src),
                i(srcOff), i(srcStride), i(rows), i(cols), i(accumulate));
    }

    void add(CUdeviceptr y, CUdeviceptr a, CUdeviceptr b, int n) { launch(Kernel.ADD, grid(n), 1, BLOCK, p(y), p(a), p(b), i(n)); }

    void axpy(CUdeviceptr y, CUdeviceptr x, int n, float alpha) { launch(Kernel.AXPY, grid(n), 1, BLOCK, p(y), p(x), i(n), f(alpha)); }

    void scale(CUdeviceptr y, CUdeviceptr x, int n, float alpha) { launch(Kernel.SCALE, grid(n), 1, BLOCK, p(y), p(x), i(n), f(alpha)); }

    void mul(CUdeviceptr y, CUdeviceptr a, CUdeviceptr b, int n) { launch(Kernel.MUL, grid(n), 1, BLOCK, p(y), p(a), p(b), i(n)); }

    void mulAcc(CUdeviceptr y, CUdeviceptr a, CUdeviceptr b, int n) { launch(Kernel.MUL_ACC, grid(n), 1, BLOCK, p(y), p(a), p(b), i(n)); }

    void activationFwd(CUdeviceptr y, CUdeviceptr x, int n, int code, float alpha) {
        launch(Kernel.ACTIVATION_FWD, grid(n), 1, BLOCK, p(y), p(x), i(n), i(code), f(alpha));
    }

    void activationBwd(CUdeviceptr dx, CUdeviceptr dy, CUdeviceptr x, CUdeviceptr y, int n, int code, float alpha) {
        launch(Kernel.ACTIVATION_BWD, grid(n), 1, BLOCK, p(dx), p(dy), p(x), p(y), i(n), i(code), f(alpha));
    }

    // ---------------------------------------------------------------- bias.cu
    void biasAdd(CUdeviceptr y, CUdeviceptr x, CUdeviceptr b, int outer, int c, int inner) {
        launch(Kernel.BIAS_ADD, grid((long) outer * c * inner), 1, BLOCK, p(y), p(x), p(b), i(outer), i(c), i(inner));
    }

    /** One block per channel. */
    void biasGrad(CUdeviceptr db, CUdeviceptr dy, int outer, int c, int inner) {
        launch(Kernel.BIAS_GRAD, c, 1, BLOCK, p(db), p(dy), i(outer), i(c), i(inner));
    }

    // ---------------------------------------------------------------- reduce.cu
    /** Exactly one block of 1024 threads. */
    void sum(CUdeviceptr y, CUdeviceptr x, int n, float alpha) { launch(Kernel.SUM, 1, 1, 1024, p(y), p(x), i(n), f(alpha)); }

    void broadcastScalarAcc(CUdeviceptr dx, CUdeviceptr dy, int n, float alpha) {
        launch(Kernel.BROADCAST_SCALAR_ACC, grid(n), 1, BLOCK, p(dx), p(dy), i(n), f(alpha));
    }

    // ---------------------------------------------------------------- gemm.cu
    /** Grid (ceilDiv(n, 64), ceilDiv(m, 64)), 256 threads: the whole k in one pass. */
    void gemm(CUdeviceptr c, CUdeviceptr a, CUdeviceptr b, int m, int n, int k, int transA, int transB, float alpha,
              float beta) {
        gemmSlices(c, a, b, m, n, k, transA, transB, alpha, beta, 1, k);
    }

    /** Grid (ceilDiv(n, 64), ceilDiv(m, 64), slices): slice z computes k in [z kchunk, (z+1) kchunk) into c + z m n. */
    private void gemmSlices(CUdeviceptr c, CUdeviceptr a, CUdeviceptr b, int m, int n, int k, int transA, int transB,
                            float alpha, float beta, int slices, int kchunk) {
        launch(Kernel.GEMM, ceilDiv(n, 64), ceilDiv(m, 64), slices, 256, p(c), p(a), p(b), i(m), i(n), i(k),
                i(transA), i(transB), f(alpha), f(beta), i(kchunk));
    }

    /**
     * Split-K ({@link #splitK} gives split): split[0] slices of split[1] of k write their partial products into work
     * (split[0] x m x n floats), then gemm_splitk_sum_fwd adds them in order into c with alpha and beta.
     */
    void gemmSplitK(CUdeviceptr c, CUdeviceptr work, CUdeviceptr a, CUdeviceptr b, int m, int n, int k, int transA,
                    int transB, float alpha, float beta, int[] split) {
        gemmSlices(work, a, b, m, n, k, transA, transB, 1f, 0f, split[0], split[1]);
        launch(Kernel.GEMM_SPLITK_SUM, grid((long) m * n), 1, BLOCK, p(c), p(work), i(m * n), i(split[0]), f(alpha),
                f(beta));
    }

    /** Split-K applies only when the tile grid fills fewer SMs than this and k is at least {@link #SPLIT_MIN_K}. */
    static final int SPLIT_MIN_K = 1024;
    /** Each slice keeps at least this much of k (32 steps of the 16-deep tile), and there are at most MAX_SPLITS. */
    static final int SPLIT_MIN_CHUNK = 512, MAX_SPLITS = 32;

    /**
     * How to split the k of an m x n x k GEMM on a GPU of {@code sms} multiprocessors: {slices, kchunk}, {1, k} for
     * none. A tile grid of (m/64)(n/64) blocks smaller than the SM count leaves SMs idle; slicing k into S parts
     * multiplies the blocks by S, aiming at two blocks per SM (a 256-thread block of 80 registers fits three), while
     * each slice keeps at least 512 of k, so the extra traffic (S x m x n floats written and read back) stays small
     * beside the slice's own work. kchunk is a multiple of the tile depth 16. A pure function of the shape and the
     * SM count, so a seeded run on the same GPU model splits, and sums, the same way every time.
     * D's dense layer at batch 100 on an H200: 100 x 1024 x 6272 → 32 tiles for 132 SMs → 9 slices of 704.
     */
    static int[] splitK(int m, int n, int k, int sms) {
        long tiles = (long) ceilDiv(m, 64) * ceilDiv(n, 64);
        if (tiles >= sms || k < SPLIT_MIN_K) return new int[] {1, k};
        int s = (int) Math.min(Math.min((2L * sms + tiles - 1) / tiles, k / SPLIT_MIN_CHUNK), MAX_SPLITS);
        if (s <= 1) return new int[] {1, k};
        int chunk = ceilDiv(ceilDiv(k, s), 16) * 16;
        return new int[] {ceilDiv(k, chunk), chunk};
    }

    // ---------------------------------------------------------------- im2col.cu
    void im2col(CUdeviceptr col, CUdeviceptr x, int n, int c, int h, int w, int kh, int kw, int stride, int pad, int oh,
                int ow) {
        launch(Kernel.IM2COL, grid((long) c * kh * kw * n * oh * ow), 1, BLOCK, p(col), p(x), i(n), i(c), i(h), i(w),
                i(kh), i(kw), i(stride), i(pad), i(oh), i(ow));
    }

    void col2im(CUdeviceptr dx, CUdeviceptr col, int n, int c, int h, int w, int kh, int kw, int stride, int pad, int oh,
                int ow) {
        launch(Kernel.COL2IM, grid((long) n * c * h * w), 1, BLOCK, p(dx), p(col), i(n), i(c), i(h), i(w), i(kh),
                i(kw), i(stride), i(pad), i(oh), i(ow));
    }

    void transposeOuter(CUdeviceptr dst, CUdeviceptr src, int a, int b, int inner) {
        launch(Kernel.TRANSPOSE_OUTER, grid((long) a * b * inner), 1, BLOCK, p(dst), p(src), i(a), i(b), i(inner));
    }

    // ---------------------------------------------------------------- batchnorm.cu
    /** One block per channel. */
    void batchnormTrain(CUdeviceptr y, CUdeviceptr mean, CUdeviceptr invStd, CUdeviceptr x, CUdeviceptr gamma,
                        CUdeviceptr beta, CUdeviceptr runMean, CUdeviceptr runVar, int outer, int c, int inner,
                        float momentum, float eps) {
        launch(Kernel.BATCHNORM_TRAIN, c, 1, BLOCK, p(y), p(mean), p(invStd), p(x), p(gamma), p(beta), p(runMean),
                p(runVar), i(outer), i(c), i(inner), f(momentum), f(eps));
    }

    void batchnormEval(CUdeviceptr y, CUdeviceptr x, CUdeviceptr gamma, CUdeviceptr beta, CUdeviceptr runMean,
                       CUdeviceptr runVar, int outer, int c, int inner, float eps) {
        launch(Kernel.BATCHNORM_EVAL, grid((long) outer * c * inner), 1, BLOCK, p(y), p(x), p(gamma), p(beta),
                p(runMean), p(runVar), i(outer), i(c), i(inner), f(eps));
    }

    /** One block per channel; dx, dgamma, dbeta may be null. */
    void batchnormBwd(CUdeviceptr dx, CUdeviceptr dgamma, CUdeviceptr dbeta, CUdeviceptr dy, CUdeviceptr x,
                      CUdeviceptr mean, CUdeviceptr invStd, CUdeviceptr gamma, int outer, int c, int inner) {
        launch(Kernel.BATCHNORM_BWD, c, 1, BLOCK, p(dx), p(dgamma), p(dbeta), p(dy), p(x), p(mean), p(invStd),
                p(gamma), i(outer), i(c), i(inner));
    }

    // ---------------------------------------------------------------- losses.cu
    /** One block of 1024 threads. */
    void bceLogitsFwd(CUdeviceptr loss, CUdeviceptr z, CUdeviceptr t, int n) {
        launch(Kernel.BCE_LOGITS_FWD, 1, 1, 1024, p(loss), p(z), p(t), i(n));
    }

    void bceLogitsBwd(CUdeviceptr dz, CUdeviceptr dloss, CUdeviceptr z, CUdeviceptr t, int n) {
        launch(Kernel.BCE_LOGITS_BWD, grid(n), 1, BLOCK, p(dz), p(dloss), p(z), p(t), i(n));
    }

    /** One block of 256 threads (one warp per row). */
    void softmaxXentFwd(CUdeviceptr loss, CUdeviceptr probs, CUdeviceptr z, CUdeviceptr labels, int b, int classes) {
        launch(Kernel.SOFTMAX_XENT_FWD, 1, 1, 256, p(loss), p(probs), p(z), p(labels), i(b), i(classes));
    }

    void softmaxXentBwd(CUdeviceptr dz, CUdeviceptr dloss, CUdeviceptr probs, CUdeviceptr labels, int b, int classes) {
        launch(Kernel.SOFTMAX_XENT_BWD, grid((long) b * classes), 1, BLOCK, p(dz), p(dloss), p(probs), p(labels),
                i(b), i(classes));
    }

    /** One block of 1024 threads. */
    void gaussNllFwd(CUdeviceptr loss, CUdeviceptr x, CUdeviceptr mu, CUdeviceptr ls, int b, int d) {
        launch(Kernel.GAUSS_NLL_FWD, 1, 1, 1024, p(loss), p(x), p(mu), p(ls), i(b), i(d));
    }

    /** dmu, dls may be null. */
    void gaussNllBwd(CUdeviceptr dmu, CUdeviceptr dls, CUdeviceptr dloss, CUdeviceptr x, CUdeviceptr mu, CUdeviceptr ls,
                     int b, int d) {
        launch(Kernel.GAUSS_NLL_BWD, grid((long) b * d), 1, BLOCK, p(dmu), p(dls), p(dloss), p(x), p(mu), p(ls), i(b),
                i(d));
    }

    // ---------------------------------------------------------------- adam.cu
    void adam(CUdeviceptr param, CUdeviceptr m, CUdeviceptr v, CUdeviceptr g, int n, double lr, double beta1,
              double beta2, float eps, CUdeviceptr step) {
        launch(Kernel.ADAM, grid(n), 1, BLOCK, p(param), p(m), p(v), p(g), i(n), d(lr), d(beta1), d(beta2), f(eps),
                p(step));
    }

    @Override
    public void close() {
        for (CUmodule m : modules.values()) cuModuleUnload(m);
        modules.clear();
        functions.clear();
    }
}
