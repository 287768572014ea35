package infogan.engine.backend.cuda;

import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times the hot kernels of one InfoGAN training step at batch 100 (the shapes of infogan_torch.py) with CUDA events,
 * after warm-up, on our kernels and, when present, on cuBLAS/cuDNN. Each GEMM and convolution is first checked on a
 * sample of outputs against a float64 dot product; a failed check is reported instead of a time.
 * Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... infogan.engine.backend.cuda.CudaKernelBench [reps [batch]]}
 * (batch 100 by default; a smaller one, as {@code gpu-check.sh dry} uses on the CUDA emulator, scales every shape
 * with it and leaves out the 2048³ GEMM).
 */
public final class CudaKernelBench {
    private CudaKernelBench() { }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 50, batch = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        GpuProbe.Result r = GpuProbe.probe();
        if (!r.available()) {
            System.out.println("BENCH skipped: " + r.reason());
            return;
        }
        Map<String, Float> lib, own;
        boolean cublas, cudnn;
        try (CudaBackend be = CudaBackend.create()) {
            cublas = be.usesCublas();
            cudnn = be.usesCudnn();
            lib = run(be, reps, batch);
        }
        System.setProperty("infogan.cuda.cublas", "off");
        System.setProperty("infogan.cuda.cudnn", "off");
        try (CudaBackend be = CudaBackend.create()) {
            own = run(be, reps, batch);
        }
        printRatios(lib, own, cublas, cudnn);
    }

    /** The target: our GEMM at >= 50% of cuBLAS's speed on the hot shapes (convolutions for information). */
    static void printRatios(Map<String, Float> lib, Map<String, Float> own, boolean cublas, boolean cudnn) {
        for (var e : own.entrySet()) {
            boolean gemm = e.getKey().startsWith("gemm");
            Float ref = lib.get(e.getKey());
            if ((gemm ? !cublas : !cudnn) || ref == null || ref.isNaN() || e.getValue().isNaN()) continue;
            System.out.printf("BENCH ratio %-28s ours %.4f ms, %s %.4f ms: ours at %3.0f%% of its speed%s%n", e.getKey(),
                    e.getValue(), gemm ? "cuBLAS" : "cuDNN", ref, 100 * ref / e.getValue(), gemm ? " (wanted >= 50%)" : "");
        }
    }

    static Storage randn(CudaBackend be, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        Storage s = be.alloc(n);
        be.write(s, a);
        return s;
    }

    /** Times every hot kernel on be at batch b; returns ms per call by name (NaN where the output check failed). */
    static Map<String, Float> run(CudaBackend be, int reps, int b) {
        System.out.println("BENCH backend: " + be.describe());
        Map<String, Float> ms = new LinkedHashMap<>();
        // GEMMs of the dense layers (row-major, y = x W^T: gemm(false, true, b, out, in)) and their weight gradients;
        // at batch 100 also a square one, for the GPU's peak.
        int[][] gemms = {{b, 1024, 6272, 0, 1}, {6272, 1024, b, 1, 0}, {b, 6272, 1024, 0, 1}, {b, 1024, 74, 0, 1},
                {2048, 2048, 2048, 0, 0}};
        for (int[] g : gemms)
            if (g[0] != 2048 || b == 100) gemm(be, g[0], g[1], g[2], g[3] == 1, g[4] == 1, reps, ms);
        conv(be, "D conv1", ConvGeom.of(b, 1, 28, 28, 64, 4, 4, 2, 1), reps, ms);
        conv(be, "D conv2 / G upconv1", ConvGeom.of(b, 64, 14, 14, 128, 4, 4, 2, 1), reps, ms);
        elementwise(be, reps, b);
        long[] mem = be.memoryStats();
        System.out.printf("BENCH memory: %.1f MiB reserved, %d cuMemAlloc calls%n", mem[0] / 1048576.0, mem[2]);
        return ms;
    }

    static void gemm(CudaBackend be, int m, int n, int k, boolean ta, boolean tb, int reps, Map<String, Float> out) {
        Storage a = randn(be, m * k, 1), bb = randn(be, k * n, 2), c = be.alloc(m * n);
        be.gemm(ta, tb, m, n, k, 1, a, bb, 0, c);
        float[] ha = new float[m * k], hb = new float[k * n], hc = new float[m * n];
        be.read(a, ha);
        be.read(bb, hb);
        be.read(c, hc);
        double maxErr = 0;
        SplittableRandom rnd = new SplittableRandom(3);
        for (int t = 0; t < 64; t++) {
            int i = rnd.nextInt(m), j = rnd.nextInt(n);
            double s = 0;
            for (int p = 0; p < k; p++) s += (double) (ta ? ha[p * m + i] : ha[i * k + p]) * (tb ? hb[j * k + p] : hb[p * n + j]);
            maxErr = Math.max(maxErr, Math.abs(s - hc[i * n + j]) / (1e-3 * Math.sqrt(k) + 1e-4 * Math.abs(s)));
        }
        String name = String.format("gemm %s%s %dx%dx%d", ta ? "T" : "N", tb ? "T" : "N", m, n, k);
        if (maxErr > 1) {
            System.out.printf("BENCH %-34s CHECK FAILED (error %.2f x tolerance)%n", name, maxErr);
            out.put(name, Float.NaN);
        } else {
            int[] split = be.gemmSplit(m, n, k);
            float ms = timeGemm(be, m, n, k, ta, tb, a, bb, c, reps);
            System.out.printf("BENCH %-34s %8.4f ms  %8.1f GFLOP/s%s%n", name, ms, 2.0 * m * n * k / ms / 1e6,
                    split[0] > 1 ? String.format("  (split-K: %d slices of %d)", split[0], split[1]) : "");
            out.put(name, ms);
            if (split[0] > 1) {                       // what the split bought: the same GEMM in one pass
                be.splitK = false;
                float one = timeGemm(be, m, n, k, ta, tb, a, bb, c, reps);
                be.splitK = true;
                System.out.printf("BENCH %-34s %8.4f ms  %8.1f GFLOP/s  (one pass: split-K is %.2fx faster)%n", name,
                        one, 2.0 * m * n * k / one / 1e6, one / ms);
            }
        }
        be.release(a);
        be.release(bb);
        be.release(c);
    }

    static float timeGemm(CudaBackend be, int m, int n, int k, boolean ta, boolean tb, Storage a, Storage b, Storage c,
                          int reps) {
        for (int w = 0; w < 3; w++) be.gemm(ta, tb, m, n, k, 1, a, b, 0, c);
        return be.timeMs(() -> be.gemm(ta, tb, m, n, k, 1, a, b, 0, c), reps) / reps;
    }

    static void conv(CudaBackend be, String label, ConvGeom g, int reps, Map<String, Float> out) {
        Storage x = randn(be, g.inputSize(), 4), w = randn(be, g.weightSize(), 5), y = be.alloc(g.outputSize());
        Storage dy = randn(be, g.outputSize(), 6), dx = be.zeros(g.inputSize()), dw = be.zeros(g.weightSize());
        be.conv2dForward(y, x, w, g);
        float[] hx = new float[g.inputSize()], hw = new float[g.weightSize()], hy = new float[g.outputSize()];
        be.read(x, hx);
        be.read(w, hw);
        be.read(y, hy);
        double maxErr = 0;
        SplittableRandom rnd = new SplittableRandom(7);
        for (int t = 0; t < 64; t++) {
            int img = rnd.nextInt(g.n()), o = rnd.nextInt(g.oc()), oy = rnd.nextInt(g.oh()), ox = rnd.nextInt(g.ow());
            double s = 0;
            for (int ci = 0; ci < g.c(); ci++)
                for (int ki = 0; ki < g.kh(); ki++)
                    for (int kj = 0; kj < g.kw(); kj++) {
                        int iy = oy * g.stride() - g.pad() + ki, ix = ox * g.stride() - g.pad() + kj;
                        if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                        s += (double) hw[((o * g.c() + ci) * g.kh() + ki) * g.kw() + kj] * hx[((img * g.c() + ci) * g.h() + iy) * g.w() + ix];
                    }
            double got = hy[((img * g.oc() + o) * g.oh() + oy) * g.ow() + ox];
            maxErr = Math.max(maxErr, Math.abs(s - got) / (1e-3 + 1e-4 * Math.abs(s)));
        }
        if (maxErr > 1) {
            System.out.printf("BENCH conv %-29s CHECK FAILED (error %.2f x tolerance)%n", label, maxErr);
            for (String pass : new String[] {"fwd", "bwd-data", "bwd-filter"}) out.put("conv " + label + " " + pass, Float.NaN);
        } else {
            double gf = 2.0 * g.macs() / 1e6;
            float f = time(be, () -> be.conv2dForward(y, x, w, g), reps);
            float d = time(be, () -> be.conv2dBackwardData(dx, dy, w, g), reps);
            float fl = time(be, () -> be.conv2dBackwardFilter(dw, dy, x, g), reps);
            System.out.printf("BENCH conv %-29s fwd %7.4f ms (%6.0f GFLOP/s)  bwd-data %7.4f ms (%6.0f)  bwd-filter %7.4f ms (%6.0f)%n",
                    label, f, gf / f, d, gf / d, fl, gf / fl);
            out.put("conv " + label + " fwd", f);
            out.put("conv " + label + " bwd-data", d);
            out.put("conv " + label + " bwd-filter", fl);
        }
        for (Storage s : new Storage[] {x, w, y, dy, dx, dw}) be.release(s);
    }

    static float time(CudaBackend be, Runnable r, int reps) {
        for (int i = 0; i < 3; i++) r.run();
        return be.timeMs(r, reps) / reps;
    }

    static void elementwise(CudaBackend be, int reps, int b) {
        int n = 67_000 * b;                               // at batch 100 about the trunk's parameter count
        Storage p = randn(be, n, 8), g = randn(be, n, 9), m = be.zeros(n), v = be.zeros(n), t = be.alloc(1);
        be.fill(t, 1, 1.0);
        float ms = time(be, () -> be.adamStep(p, g, m, v, n, 2e-4, 0.5, 0.999, 1e-8, t), reps);
        System.out.printf("BENCH %-34s %8.4f ms  %8.1f GB/s%n", "adam n=" + n, ms, 7.0 * 4 * n / ms / 1e6);
        int c = 6272;
        Storage x = randn(be, b * c, 10), y = be.alloc(b * c), gm = randn(be, c, 11), bt = randn(be, c, 12);
        Storage mean = be.alloc(c), is = be.alloc(c), rm = be.zeros(c), rv = be.zeros(c);
        ms = time(be, () -> be.batchNormForwardTrain(y, mean, is, x, gm, bt, rm, rv, b, c, 1, 0.1, 1e-5), reps);
        System.out.printf("BENCH %-34s %8.4f ms%n", "batchnorm train " + b + "x6272", ms);
        ms = time(be, () -> be.activationForward(infogan.engine.backend.Activation.LEAKY_RELU, y, x, b * c, 0.1), reps);
        System.out.printf("BENCH %-34s %8.4f ms  %8.1f GB/s%n", "leaky_relu " + b + "x6272", ms, 8.0 * b * c / ms / 1e6);
        for (Storage s : new Storage[] {p, g, m, v, t, x, y, gm, bt, mean, is, rm, rv}) be.release(s);
    }
}
