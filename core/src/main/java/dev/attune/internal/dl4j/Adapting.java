package dev.attune.internal.dl4j;

import dev.attune.internal.layers.LayerNames;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.LayerInfo;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.layers.Layer;

/** Resolves an adapter method's targets against a network's layers. */
final class Adapting {
    private Adapting() {
    }

    /**
     * The names of the layers to adapt. A glob takes the matching layers the method supports and must
     * take at least one; a plain name must name a layer the method supports.
     *
     * @param confs the layer configuration at each layer index ({@code null} for a graph vertex that is no layer)
     */
    static Set<String> targets(AdapterMethod method, List<LayerInfo> layers, IntFunction<Layer> confs) {
        if (method.targets().isEmpty()) {
            throw new IllegalArgumentException("the " + method.name() + " adapter has no targets; name the layers to"
                    + " adapt, e.g. targets(\"dense*\"); layers are: " + LayerNames.list(layers));
        }
        Set<String> out = new LinkedHashSet<>();
        String adaptable = layers.stream().filter(l -> supports(method, confs.apply(l.index())))
                .map(LayerInfo::name).collect(Collectors.joining(", "));
        for (String pattern : method.targets()) {
            Pattern regex = LayerNames.glob(pattern);
            List<LayerInfo> hits = layers.stream().filter(l -> regex.matcher(l.name()).matches()).toList();
            if (hits.isEmpty()) {
                throw new IllegalArgumentException("the " + method.name() + " target '" + pattern
                        + "' matches no layer; layers are: " + LayerNames.list(layers));
            }
            List<LayerInfo> supported = hits.stream().filter(l -> supports(method, confs.apply(l.index()))).toList();
            if (supported.isEmpty()) {
                LayerInfo first = hits.get(0);
                throw new IllegalArgumentException("the " + method.name() + " target '" + pattern + "' matches layer '"
                        + first.name() + "', a " + first.type() + ", which " + method.name() + " cannot adapt; layers it can adapt: "
                        + (adaptable.isEmpty() ? "none in this network" : adaptable));
            }
            supported.forEach(l -> out.add(l.name()));
        }
        return out;
    }

    /** Whether the method adapts a layer; a graph vertex that is no layer (a merge) has no configuration ({@code null}). */
    private static boolean supports(AdapterMethod method, Layer conf) {
        return conf != null && method.supports(conf);
    }

    /**
     * The names of the layers of which the method trains a part though they are no targets: those
     * that the freeze policy freezes and for which {@link AdapterMethod#trainsPartOf} holds. The
     * layers that the policy leaves trainable train in full anyway.
     *
     * @param policyFrozen the layers that the freeze policy freezes
     * @param targets the method's targets, as {@link #targets} resolved them
     */
    static Set<String> partlyTrained(AdapterMethod method, List<LayerInfo> layers, IntFunction<Layer> confs,
                                     Set<String> policyFrozen, Set<String> targets) {
        Set<String> out = new LinkedHashSet<>();
        for (LayerInfo l : layers) {
            if (policyFrozen.contains(l.name()) && !targets.contains(l.name()) && l.hasParams()
                    && confs.apply(l.index()) != null && method.trainsPartOf(confs.apply(l.index()))) {
                out.add(l.name());
            }
        }
        return out;
    }
}
