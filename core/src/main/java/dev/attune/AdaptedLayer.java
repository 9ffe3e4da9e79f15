package dev.attune;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer instance with an adapter: the frozen parameters of the layer it adapts plus the adapter's
 * own trainable tensors. Implemented by the layers an {@link AdapterMethod} makes; Attune calls
 * these methods, applications do not need to.
 */
public interface AdaptedLayer {
    /**
     * Binds the adapted layer's pretrained parameters by DL4J key ({@code "W"}, {@code "b"}); called
     * once, after the network is initialised. The layer keeps the arrays and never writes to them
     * except through {@link #merge()} and {@link #unmerge()}.
     */
    void bindBase(Map<String, INDArray> base);

    /** The adapter's own tensors by short name ({@code "lora_A"}, {@code "lora_B"}): live views. */
    Map<String, INDArray> adapterTensors();

    /** The adapted layer's parameters with the adapter folded in, as new arrays, by DL4J key. */
    Map<String, INDArray> mergedParams();

    /**
     * Whether the layer must compute the gradient for its input. The lowest trainable layer of a
     * network need not: nothing below it learns.
     */
    void inputGradientNeeded(boolean needed);

    /**
     * Folds the adapter into the bound base weights in place; the forward pass then skips the
     * adapter path (no extra latency).
     *
     * @throws IllegalStateException when already merged, or when the merged weights would hold NaN or
     *     infinity (the base weights are then left as they were)
     */
    void merge();

    /**
     * Takes the adapter back out of the base weights.
     *
     * @throws IllegalStateException when not merged
     */
    void unmerge();

    /** Whether the adapter is folded into the base weights. */
    boolean isMerged();
}
