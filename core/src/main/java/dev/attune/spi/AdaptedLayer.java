package dev.attune.spi;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;
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

    /**
     * The adapted layer's parameters with the adapter folded in, as new arrays, by DL4J key; for an
     * adapter that cannot be {@link #mergeable() merged}, the base layer's own parameters.
     */
    Map<String, INDArray> mergedParams();

    /**
     * Whether the adapter can be folded into the base weights (default {@code true}). One that cannot
     * (a nonlinear adapter) refuses {@link #merge()} and is exported as the stock DL4J layers of its
     * {@link #residualBranch()}.
     */
    default boolean mergeable() {
        return true;
    }

    /**
     * For an adapter that cannot be {@link #mergeable() merged}: the chain of stock DL4J layers, fed
     * by this layer's output {@code h}, whose output is added to it ({@code h + branch(h)}), each with
     * its trained parameters as new arrays. A plain DL4J network needing no Attune class is exported
     * from it. Empty (the default) for an adapter that merges.
     */
    default List<StockLayer> residualBranch() {
        return List.of();
    }

    /**
     * A stock DL4J layer configuration (named, with its input and output sizes set) and its
     * parameters by DL4J key.
     *
     * @param conf the layer's configuration
     * @param params its parameters ({@code "W"}, {@code "b"})
     */
    record StockLayer(Layer conf, Map<String, INDArray> params) {
        /** Validates and copies the map. */
        public StockLayer {
            java.util.Objects.requireNonNull(conf, "conf");
            params = Map.copyOf(java.util.Objects.requireNonNull(params, "params"));
        }
    }

    /**
     * Whether the layer must compute the gradient for its input. The lowest trainable layer of a
     * network need not: nothing below it learns.
     */
    void inputGradientNeeded(boolean needed);

    /**
     * Folds the adapter into the bound base weights in place; the forward pass then skips the
     * adapter path (no extra latency).
     *
     * @throws IllegalStateException when already merged, when the adapter is not {@link #mergeable()},
     *     or when the merged weights would hold NaN or infinity (the base weights are then left as they were)
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

    /**
     * The layer as a dense product with a low-rank update, {@code z = x W + s (x A^T) B^T + b} followed
     * by its activation, so that a stack of such layers trains in Attune's own fused step; {@code null}
     * (the default) when the layer is not one (a convolution, DoRA, dropout on the adapter's input, a
     * merged adapter): the network then trains through its DL4J layers.
     */
    default LowRank lowRank() {
        return null;
    }

    /**
     * A dense layer's weights, the low-rank update and where their gradients go, all live arrays of the
     * layer.
     *
     * @param weights the frozen weights {@code W}, {@code [in, out]}
     * @param bias the bias ({@code out} values), or {@code null} for none
     * @param biasGradient where the bias gradient goes when the bias trains, else {@code null}
     * @param a {@code A}, {@code [r, in]}, or {@code null} for a layer that trains its bias alone
     * @param b {@code B}, {@code [out, r]}, or {@code null} with {@code a}
     * @param gradientA where {@code dL/dA} goes ({@code null} with {@code a})
     * @param gradientB where {@code dL/dB} goes ({@code null} with {@code a})
     * @param scaling the update's scale {@code s}
     */
    record LowRank(INDArray weights, INDArray bias, INDArray biasGradient, INDArray a, INDArray b, INDArray gradientA,
                   INDArray gradientB, double scaling) {
        /** Checks that the update's arrays come together. */
        public LowRank {
            java.util.Objects.requireNonNull(weights, "weights");
            if ((a == null) != (b == null) || (a == null) != (gradientA == null) || (a == null) != (gradientB == null)) {
                throw new IllegalArgumentException("A, B and their gradients come together, or none of them");
            }
        }
    }
}
