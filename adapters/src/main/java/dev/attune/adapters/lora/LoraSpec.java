package dev.attune.adapters.lora;

import java.io.Serializable;

/**
 * What a LoRA layer needs to know about its adapter, fixed when the layer is configured.
 *
 * @param rank the rank r
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
}
