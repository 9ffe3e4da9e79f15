package dev.attune;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a set of frozen layers against a network's structure. */
final class Freezing {
    private Freezing() {
    }

    /**
     * Resolves and checks the policy. A frozen layer with parameters must not sit above a trainable
     * one: DL4J's frozen layers pass no gradient to the layers below them, so those layers would
     * silently not learn. Parameterless layers below every trainable layer count as frozen.
     */
    static Set<String> resolve(FreezePolicy policy, List<LayerInfo> layers) {
        Set<String> frozen = new HashSet<>(policy.frozenLayers(layers));
        Map<String, LayerInfo> byName = new HashMap<>();
        layers.forEach(l -> byName.put(l.name(), l));
        for (String name : frozen) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("the freeze policy names unknown layer '" + name + "'; layers are: "
                        + Freeze.layerNames(layers));
            }
        }
        boolean anyTrainable = layers.stream().anyMatch(l -> l.hasParams() && !frozen.contains(l.name()));
        if (!anyTrainable) {
            throw new IllegalArgumentException("every layer with parameters is frozen (" + frozen.size()
                    + " layers), so there is nothing to train; unfreeze at least the output layer, e.g. Freeze.allExcept(\""
                    + layers.get(layers.size() - 1).name() + "\")");
        }
        for (LayerInfo f : layers) {
            if (!frozen.contains(f.name()) || !f.hasParams()) {
                continue;
            }
            for (String a : ancestors(f, byName)) {
                LayerInfo below = byName.get(a);
                if (below != null && below.hasParams() && !frozen.contains(a)) {
                    throw new IllegalArgumentException("layer '" + f.name() + "' is frozen but layer '" + a
                            + "' below it is trainable; gradients cannot pass through a frozen layer yet, so '" + a
                            + "' would not learn. Freeze '" + a + "' too (e.g. Freeze.upTo(\"" + f.name()
                            + "\")) or unfreeze '" + f.name() + "'");
                }
            }
        }
        // The final set: the frozen layers with parameters, plus every parameterless layer with no
        // trainable layer below it; those then run in inference mode and backpropagation stops at the
        // lowest trainable layers. A parameterless layer above a trainable one stays unfrozen so that
        // gradients pass through it.
        Set<String> all = new HashSet<>();
        for (LayerInfo l : layers) {
            boolean trainableBelow = ancestors(l, byName).stream()
                    .anyMatch(a -> byName.containsKey(a) && byName.get(a).hasParams() && !frozen.contains(a));
            if (l.hasParams() ? frozen.contains(l.name()) : !trainableBelow) {
                all.add(l.name());
            }
        }
        return Set.copyOf(all);
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
