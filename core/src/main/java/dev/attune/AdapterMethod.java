package dev.attune;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * A parameter-efficient adapter method (LoRA, DoRA, bottleneck adapters): the
 * {@link FineTuner.Builder#adapter} option. The base weights of every adapted layer stay frozen;
 * only the adapter's own tensors (and the layers the freeze policy leaves trainable) are trained.
 * The built-in methods live in the {@code attune-adapters} module ({@code Lora.rank(8)}).
 *
 * <p>An implementation replaces each target layer's DL4J configuration with one whose layer
 * instances implement {@link AdaptedLayer}.
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

    /** Every option as text, in a stable order: provenance and the configuration of adapter files. */
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
