package infogan.tests;

import infogan.engine.backend.Activation;
import infogan.engine.backend.Backend;
import infogan.engine.backend.ConvGeom;
import infogan.engine.backend.Storage;

/**
 * A {@link Backend} that forwards every kernel to another one. Tests subclass it to count allocations, or to plant
 * a deliberate bug and prove that {@link BackendConformance} catches it.
 * (Generated from Backend.java's method list; a new kernel there makes this class fail to compile, which is the point.)
 */
class DelegatingBackend implements Backend {
    protected final Backend base;

    DelegatingBackend(Backend base) { this.base = base; }

    @Override public Storage zeros(int n) { return base.zeros(n); }
    @Override public void synchronize() { base.synchronize(); }
    @Override public String name() { return base.name(); }
    @Override public Storage alloc(int n) { return base.alloc(n); }
    @Override public void release(Storage s) { base.release(s); }
    @Override public void write(Storage dst, float[] src) { base.write(dst, src); }
    @Override public void write(Storage dst, double[] src) { base.write(dst, src); }
    @Override public void read(Storage src, float[] dst) { base.read(src, dst); }
    @Override public void read(Storage src, double[] dst) { base.read(src, dst); }
    @Override public void fill(Storage y, int n, double v) { base.fill(y, n, v); }
    @Override public void copy(Storage y, Storage x, int n) { base.copy(y, x, n); }
    @Override public void copyBlock(Storage dst, int dstOff, int dstStride, Storage src, int srcOff, int srcStride, int rows, int cols, boolean accumulate) { base.copyBlock(dst, dstOff, dstStride, src, srcOff, srcStride, rows, cols, accumulate); }
    @Override public void add(Storage y, Storage a, Storage b, int n) { base.add(y, a, b, n); }
    @Override public void axpy(Storage y, Storage x, int n, double alpha) { base.axpy(y, x, n, alpha); }
    @Override public void scale(Storage y, Storage x, int n, double alpha) { base.scale(y, x, n, alpha); }
    @Override public void mul(Storage y, Storage a, Storage b, int n) { base.mul(y, a, b, n); }
    @Override public void mulAcc(Storage y, Storage a, Storage b, int n) { base.mulAcc(y, a, b, n); }
    @Override public void activationForward(Activation f, Storage y, Storage x, int n, double alpha) { base.activationForward(f, y, x, n, alpha); }
    @Override public void activationBackward(Activation f, Storage dx, Storage dy, Storage x, Storage y, int n, double alpha) { base.activationBackward(f, dx, dy, x, y, n, alpha); }
    @Override public void biasAdd(Storage y, Storage x, Storage b, int outer, int c, int inner) { base.biasAdd(y, x, b, outer, c, inner); }
    @Override public void biasGrad(Storage db, Storage dy, int outer, int c, int inner) { base.biasGrad(db, dy, outer, c, inner); }
    @Override public void sum(Storage y, Storage x, int n, double alpha) { base.sum(y, x, n, alpha); }
    @Override public void broadcastScalarAcc(Storage dx, Storage dy, int n, double alpha) { base.broadcastScalarAcc(dx, dy, n, alpha); }
    @Override public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Storage a, Storage b, double beta, Storage c) { base.gemm(transA, transB, m, n, k, alpha, a, b, beta, c); }
    @Override public void conv2dForward(Storage y, Storage x, Storage w, ConvGeom g) { base.conv2dForward(y, x, w, g); }
    @Override public void conv2dBackwardData(Storage dx, Storage dy, Storage w, ConvGeom g) { base.conv2dBackwardData(dx, dy, w, g); }
    @Override public void conv2dBackwardFilter(Storage dw, Storage dy, Storage x, ConvGeom g) { base.conv2dBackwardFilter(dw, dy, x, g); }
    @Override public void batchNormForwardTrain(Storage y, Storage mean, Storage invStd, Storage x, Storage gamma, Storage beta, Storage runMean, Storage runVar, int outer, int c, int inner, double momentum, double eps) { base.batchNormForwardTrain(y, mean, invStd, x, gamma, beta, runMean, runVar, outer, c, inner, momentum, eps); }
    @Override public void batchNormForwardEval(Storage y, Storage x, Storage gamma, Storage beta, Storage runMean, Storage runVar, int outer, int c, int inner, double eps) { base.batchNormForwardEval(y, x, gamma, beta, runMean, runVar, outer, c, inner, eps); }
    @Override public void batchNormBackward(Storage dx, Storage dgamma, Storage dbeta, Storage dy, Storage x, Storage mean, Storage invStd, Storage gamma, int outer, int c, int inner) { base.batchNormBackward(dx, dgamma, dbeta, dy, x, mean, invStd, gamma, outer, c, inner); }
    @Override public void bceWithLogitsForward(Storage loss, Storage logits, Storage targets, int n) { base.bceWithLogitsForward(loss, logits, targets, n); }
    @Override public void bceWithLogitsBackward(Storage dlogits, Storage dloss, Storage logits, Storage targets, int n) { base.bceWithLogitsBackward(dlogits, dloss, logits, targets, n); }
    @Override public void softmaxCrossEntropyForward(Storage loss, Storage probs, Storage logits, Storage labels, int b, int classes) { base.softmaxCrossEntropyForward(loss, probs, logits, labels, b, classes); }
    @Override public void softmaxCrossEntropyBackward(Storage dlogits, Storage dloss, Storage probs, Storage labels, int b, int classes) { base.softmaxCrossEntropyBackward(dlogits, dloss, probs, labels, b, classes); }
    @Override public void gaussianNllForward(Storage loss, Storage x, Storage mu, Storage logSigma, int b, int d) { base.gaussianNllForward(loss, x, mu, logSigma, b, d); }
    @Override public void gaussianNllBackward(Storage dmu, Storage dlogSigma, Storage dloss, Storage x, Storage mu, Storage logSigma, int b, int d) { base.gaussianNllBackward(dmu, dlogSigma, dloss, x, mu, logSigma, b, d); }
    @Override public void adamStep(Storage p, Storage g, Storage m, Storage v, int n, double lr, double beta1, double beta2, double eps, Storage step) { base.adamStep(p, g, m, v, n, lr, beta1, beta2, eps, step); }}
