package infogan.model;

/**
 * Hyper-parameters of the InfoGAN model and its optimisers. Defaults follow the paper's MNIST setup and the authors'
 * code (../shared/research/infogan-references.md §2): Adam β1 0.5, D/Q lr 2e-4, G lr 1e-3, λ_cat 1, leak 0.1 (the
 * paper's value; the authors' code used 0.01), σ of continuous codes fixed at 1. λ_cont is 1 as in the authors'
 * code; the paper suggests a smaller λ for continuous codes, so it is an option.
 */
public record ModelConfig(LatentSpec latent, int batch, double lrD, double lrG, double beta1, double beta2,
                          double lambdaCat, double lambdaCont, double leak) {

    public static ModelConfig mnistDefaults() {
        return new ModelConfig(LatentSpec.mnist(), 100, 2e-4, 1e-3, 0.5, 0.999, 1.0, 1.0, 0.1);
    }

    public ModelConfig withBatch(int b) { return new ModelConfig(latent, b, lrD, lrG, beta1, beta2, lambdaCat, lambdaCont, leak); }
}
