package infogan.model;

import infogan.engine.autodiff.Tape;
import infogan.engine.backend.Backend;
import infogan.engine.nn.BatchNormLayer;
import infogan.engine.nn.Conv;
import infogan.engine.nn.Linear;
import infogan.engine.nn.Module;
import infogan.engine.ops.Activate;
import infogan.engine.ops.Reshape;
import infogan.engine.tensor.Tensor;
import infogan.engine.util.Rng;

import java.util.List;

/**
 * The paper's MNIST networks (InfoGAN, Chen et al. 2016, Appendix C.1, Table 1; layer order and initialisation of
 * the authors' code). Layers followed by BatchNorm carry no bias (BN's β replaces it).
 * <pre>
 *   G      latent (B, L) → FC 1024, BN, ReLU → FC 7·7·128, BN, ReLU → (B,128,7,7)
 *                        → upconv 64 4×4 s2, BN, ReLU (B,64,14,14) → upconv 1 4×4 s2, sigmoid (B,1,28,28)
 *   Trunk  x (B,1,28,28) → conv 64 4×4 s2, lReLU (B,64,14,14) → conv 128 4×4 s2, BN, lReLU (B,128,7,7)
 *                        → FC 1024, BN, lReLU (B,1024)              — shared by D and Q
 *   DHead  h → FC 1 (a logit: D(x) = sigmoid(logit))
 *   QHead  h → FC 128, BN, lReLU → FC (code logits | μ | log σ)
 * </pre>
 */
public final class Networks {
    private Networks() { }

    public static final class Generator extends Module {
        final Linear fc1, fc2;
        final BatchNormLayer bn1, bn2, bn3;
        final Conv up1, up2;

        public Generator(Backend be, LatentSpec spec, Rng rng) {
            fc1 = new Linear(be, "G.fc1", spec.size(), 1024, false, rng);
            bn1 = new BatchNormLayer(be, "G.bn1", 1024, rng);
            fc2 = new Linear(be, "G.fc2", 1024, 7 * 7 * 128, false, rng);
            bn2 = new BatchNormLayer(be, "G.bn2", 7 * 7 * 128, rng);
            up1 = Conv.transposed(be, "G.up1", 128, 64, 4, 2, 1, false, rng);
            bn3 = new BatchNormLayer(be, "G.bn3", 64, rng);
            up2 = Conv.transposed(be, "G.up2", 64, 1, 4, 2, 1, true, rng);
        }

        public Tensor forward(Tape t, Tensor latent) {
            Tensor h = Activate.relu(t, bn1.forward(t, fc1.forward(t, latent)));      // (B, 1024)
            h = Activate.relu(t, bn2.forward(t, fc2.forward(t, h)));                  // (B, 6272)
            h = Reshape.apply(t, h, -1, 128, 7, 7);                                   // (B, 128, 7, 7)
            h = Activate.relu(t, bn3.forward(t, up1.forward(t, h)));                  // (B, 64, 14, 14)
            return Activate.sigmoid(t, up2.forward(t, h));                            // (B, 1, 28, 28)
        }

        @Override
        protected List<Module> children() { return List.of(fc1, bn1, fc2, bn2, up1, bn3, up2); }
    }

    public static final class Trunk extends Module {
        final Conv conv1, conv2;
        final BatchNormLayer bn2, bn3;
        final Linear fc;
        final double leak;

        public Trunk(Backend be, double leak, Rng rng) {
            this.leak = leak;
            conv1 = Conv.conv(be, "D.conv1", 1, 64, 4, 2, 1, true, rng);
            conv2 = Conv.conv(be, "D.conv2", 64, 128, 4, 2, 1, false, rng);
            bn2 = new BatchNormLayer(be, "D.bn2", 128, rng);
            fc = new Linear(be, "D.fc", 7 * 7 * 128, 1024, false, rng);
            bn3 = new BatchNormLayer(be, "D.bn3", 1024, rng);
        }

        public Tensor forward(Tape t, Tensor x) {
            Tensor h = Activate.leakyRelu(t, conv1.forward(t, x), leak);              // (B, 64, 14, 14)
            h = Activate.leakyRelu(t, bn2.forward(t, conv2.forward(t, h)), leak);      // (B, 128, 7, 7)
            h = Reshape.flatten(t, h);                                                 // (B, 6272)
            return Activate.leakyRelu(t, bn3.forward(t, fc.forward(t, h)), leak);      // (B, 1024)
        }

        @Override
        protected List<Module> children() { return List.of(conv1, conv2, bn2, fc, bn3); }
    }

    public static final class DHead extends Module {
        final Linear fc;

        public DHead(Backend be, Rng rng) { fc = new Linear(be, "D.head", 1024, 1, true, rng); }

        /** (B, 1024) → (B, 1) logits. */
        public Tensor forward(Tape t, Tensor h) { return fc.forward(t, h); }

        @Override
        protected List<Module> children() { return List.of(fc); }
    }

    public static final class QHead extends Module {
        final Linear fc1, fc2;
        final BatchNormLayer bn1;
        final double leak;

        public QHead(Backend be, LatentSpec spec, double leak, Rng rng) {
            this.leak = leak;
            fc1 = new Linear(be, "Q.fc1", 1024, 128, false, rng);
            bn1 = new BatchNormLayer(be, "Q.bn1", 128, rng);
            fc2 = new Linear(be, "Q.fc2", 128, spec.qOutputs(), true, rng);
        }

        /** (B, 1024) → (B, qOutputs): code logits | μ | raw log σ. */
        public Tensor forward(Tape t, Tensor h) {
            return fc2.forward(t, Activate.leakyRelu(t, bn1.forward(t, fc1.forward(t, h)), leak));
        }

        @Override
        protected List<Module> children() { return List.of(fc1, bn1, fc2); }
    }
}
