package dev.attune.internal.layers;

import dev.attune.spi.FreezePolicy;
import dev.attune.spi.LayerInfo;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a set of frozen layers against a network's structure. */
public final class Freezing {
    private Freezing() {
    }

    /**
     * Resolves and checks the policy. A frozen layer with parameters must not sit above a trainable
     * one: DL4J's frozen layers pass no gradient to the layers below them, so those layers would
     * silently not learn. Parameterless layers below every trainable layer count as frozen.
     */
    public static Set<String> resolve(FreezePolicy policy, List<LayerInfo> layers) {
        return resolve(policy, layers, l -> false);
    }

    /**
     * As {@link #resolve(FreezePolicy, List)}, where {@code passesGradient} tells which frozen layers
     * can still pass gradients to trainable layers below them.
     */
    public static Set<String> resolve(FreezePolicy policy, List<LayerInfo> layers, java.util.function.Predicate<LayerInfo> passesGradient) {
        Set<String> frozen = new HashSet<>(policy.frozenLayers(layers));
        Map<String, LayerInfo> byName = new HashMap<>();
        layers.forEach(l -> byName.put(l.name(), l));
        for (String name : frozen) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("the freeze policy names unknown layer '" + name + "'; layers are: "
                        + LayerNames.list(layers));
            }
        }
        boolean anyTrainable = layers.stream().anyMatch(l -> l.hasParams() && !frozen.contains(l.name()));
        if (!anyTrainable) {
            throw new IllegalArgumentException("every layer with parameters is frozen (" + frozen.size()
                    + " layers), so there is nothing to train; unfreeze at least the output layer, e.g. Freeze.allExcept(\""
                    + layers.get(layers.size() - 1).name() + "\")");
        }
        for (LayerInfo f : layers) {
            if (!frozen.contains(f.name()) || !f.hasParams() || passesGradient.test(f)) {
                continue;
            }
            for (String a : ancestors(f, byName)) {
                LayerInfo below = byName.get(a);
                if (below != null && below.hasParams() && !frozen.contains(a)) {
                    throw new IllegalArgumentException("layer '" + f.name() + "' is frozen but layer '" + a
                            + "' below it is trainable; a frozen " + f.type() + " cannot pass gradients to the layers"
                            + " below it yet (frozen dense and output layers can), so '" + a + "' would not learn. Freeze '" + a
                            + "' too (e.g. Freeze.upTo(\"" + f.name() + "\")) or unfreeze '" + f.name() + "'");
                }
            }
        }
        // The final set: the frozen layers with parameters, plus every parameterless layer with no
        // trainable layer below it; those then run in inference mode and backpropagation stops at the
        // lowest trainable layers. A parameterless layer above a trainable one stays unfrozen so that
        // gradients pass through it.
        Set<String> all = new HashSet<>();
        for (LayerInfo l : layers) {
            if (l.hasParams() ? frozen.contains(l.name()) : !trainableBelow(l, layers, frozen)) {
                all.add(l.name());
            }
        }
        return Set.copyOf(all);
    }

    /** Whether a trainable layer with parameters feeds {@code layer}, directly or not. */
    public static boolean trainableBelow(LayerInfo layer, List<LayerInfo> layers, Set<String> frozen) {
        Map<String, LayerInfo> byName = new HashMap<>();
        layers.forEach(l -> byName.put(l.name(), l));
        return ancestors(layer, byName).stream()
                .anyMatch(a -> byName.containsKey(a) && byName.get(a).hasParams() && !frozen.contains(a));
    }

    private static Set<String> ancestors(LayerInfo layer, Map<String, LayerInfo> byName) {
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(layer.inputs());
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (seen.add(n) && byName.containsKey(n)) {
                todo.addAll(byName.get(n).inputs());
            }
        }
        return seen;
    }
}
