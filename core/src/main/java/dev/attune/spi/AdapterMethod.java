package dev.attune.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * A parameter-efficient adapter method (LoRA, DoRA, bottleneck adapters): the
 * {@link dev.attune.FineTuner.Builder#adapter} option. The base weights of every adapted layer stay frozen;
 * only the adapter's own tensors (and the layers the freeze policy leaves trainable) are trained.
 * The built-in methods live in the {@code attune-adapters} module ({@code Lora.rank(8)}).
 *
 * <p>An implementation replaces each target layer's DL4J configuration with one whose layer
 * instances implement {@link AdaptedLayer}, and may replace frozen non-target layers likewise to
 * train a part of them ({@link #trainsPartOf}).
 */
public interface AdapterMethod {
    /** The method's short name, for example {@code "lora"}: the key of adapter files. */
    String name();

    /** Names or globs ({@code "dense*"}) of the layers to adapt; each must match at least one layer. */
    List<String> targets();

    /** Whether this method can adapt a layer of this configuration. */
    boolean supports(Layer layer);

    /**
     * The layer to train in place of {@code target}, whose instances implement {@link AdaptedLayer}.
     * Called with a copy of the target's configuration, which it may keep.
     *
     * @throws IllegalArgumentException when the layer cannot be adapted (say why and what can be)
     */
    Layer adapt(Layer target);

    /**
     * Whether this method also trains part of a layer that is no target and that the freeze policy
     * freezes, as LoRA's {@code Bias.ALL} trains every bias. Such a layer is replaced by
     * {@link #adaptPart}'s and counts as trainable. Default: no layer.
     */
    default boolean trainsPartOf(Layer layer) {
        return false;
    }

    /**
     * The layer to train in place of a frozen non-target layer for which {@link #trainsPartOf} holds:
     * its instances implement {@link AdaptedLayer}, train only that part and keep the rest of the
     * layer's parameters frozen. Called with a copy of the layer's configuration, which it may keep.
     *
     * @throws IllegalArgumentException when that part of the layer cannot be trained alone (say why and what to do)
     */
    default Layer adaptPart(Layer layer) {
        throw new IllegalArgumentException(name() + " trains no part of layer '" + layer.getLayerName() + "'");
    }

    /**
     * The method's options as a typed low-rank adapter (rank, alpha, rsLoRA, init, targets, DoRA, bias,
     * dropout), for a method that is one (LoRA, DoRA): model families that build the adapter in their
     * own layers (the BERT encoder) read these and nothing else. Default: empty, no low-rank adapter.
     */
    default Optional<LowRankSpec> lowRank() {
        return Optional.empty();
    }

    /**
     * Every option as text, in a stable order: for provenance and the configuration of adapter files
     * only; a model family reads the typed options ({@link #lowRank()}) instead.
     */
    Map<String, String> config();

    /**
     * One adapter equivalent to the weighted combination of trained ones of this method on the same
     * base model and layers.
     *
     * @throws IllegalArgumentException when this method cannot combine adapters, or these ones
     */
    default AdapterWeights combine(List<AdapterWeights> adapters, double[] weights) {
        throw new IllegalArgumentException(name() + " adapters cannot be combined");
    }
}
