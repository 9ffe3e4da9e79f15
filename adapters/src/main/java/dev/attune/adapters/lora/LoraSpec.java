package dev.attune.adapters.lora;

import java.io.Serializable;

/**
 * What a LoRA layer needs to know about its adapter, fixed when the layer is configured.
 *
 * @param rank the rank r; 0 for a layer that is no target and trains only its bias ({@link Lora.Bias#ALL})
 * @param scaling the factor of the adapter's output
 * @param dropout dropout probability on the adapter's input in training
 * @param init how A starts
 * @param trainBias whether the layer's bias trains
 * @param dora whether the weight is decomposed into a trained magnitude and the LoRA-adapted direction (DoRA)
 */
record LoraSpec(int rank, double scaling, double dropout, Lora.Init init, boolean trainBias, boolean dora)
        implements Serializable {
    static LoraSpec of(Lora lora, boolean layerHasBias) {
        return new LoraSpec(lora.rank(), lora.scaling(), lora.dropoutProbability(), lora.initialisation(),
                lora.trainsBias() && layerHasBias, lora.isDora());
    }

    /** A layer whose weights stay frozen and whose bias alone trains: no {@code A}, {@code B} or magnitude. */
    static LoraSpec biasOnly() {
        return new LoraSpec(0, 0, 0, Lora.Init.KAIMING_UNIFORM, true, false);
    }

    /** Whether the layer has a low-rank update {@code s (B A)^T}: false for a bias-only layer. */
    boolean hasUpdate() {
        return rank > 0;
    }
}
