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
     * What an adapter trains, for {@link #resolve}: the method's name (for messages), the layers it
     * adapts, and those plus the frozen layers of which it trains a part. None of them is frozen.
     */
    public record AdapterTraining(String method, Set<String> targets, Set<String> trained) {
        public static final AdapterTraining NONE = new AdapterTraining("", Set.of(), Set.of());
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
        return resolve(policy, layers, passesGradient, AdapterTraining.NONE);
    }

    /**
     * As {@link #resolve(FreezePolicy, List, java.util.function.Predicate)}, where the layers that the
     * adapter trains stay unfrozen whatever the policy says.
     */
    public static Set<String> resolve(FreezePolicy policy, List<LayerInfo> layers, java.util.function.Predicate<LayerInfo> passesGradient,
                               AdapterTraining adapter) {
        Set<String> requested = policy.frozenLayers(layers);
        Map<String, LayerInfo> byName = new HashMap<>();
        layers.forEach(l -> byName.put(l.name(), l));
        for (String name : requested) {
            if (!byName.containsKey(name)) {
                throw new IllegalArgumentException("the freeze policy names unknown layer '" + name + "'; layers are: "
                        + LayerNames.list(layers));
            }
        }
        requireSomethingWithParameters(policy, requested, layers);
        Set<String> frozen = new HashSet<>(requested);
        frozen.removeAll(adapter.trained());
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
                if (below == null || !below.hasParams() || frozen.contains(a)) {
                    continue;
                }
                String why = "layer '" + f.name() + "' is frozen but layer '" + a + "' below it ";
                String cannot = "; a frozen " + f.type() + " cannot pass gradients to the layers below it yet (frozen"
                        + " dense and output layers can), so '" + a + "' would not learn";
                if (adapter.trained().contains(a)) {
                    // Freezing the layer below is no way out: the adapter keeps it training.
                    throw new IllegalArgumentException(why + "trains (its " + adapter.method() + " adapter)" + cannot
                            + ". Train '" + f.name() + "' too: add it to the adapter's targets (e.g. targets("
                            + quoted(inOrder(layers, adapter.targets(), f.name())) + ")), or train it in full (e.g. freeze("
                            + "Freeze.all().andUnfreeze(" + quoted(inOrder(layers, trainedInFull(layers, frozen, adapter),
                            f.name())) + ")))");
                }
                throw new IllegalArgumentException(why + "is trainable" + cannot + ". Freeze '" + a
                        + "' too (e.g. Freeze.upTo(\"" + f.name() + "\")) or unfreeze '" + f.name() + "'");
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

    /**
     * Refuses a policy that freezes layers but only parameterless ones (a pooling layer): it would
     * freeze nothing, silently. The message names the nearest layers with parameters.
     */
    private static void requireSomethingWithParameters(FreezePolicy policy, Set<String> requested, List<LayerInfo> layers) {
        if (requested.isEmpty() || layers.stream().anyMatch(l -> l.hasParams() && requested.contains(l.name()))) {
            return;
        }
        List<LayerInfo> named = layers.stream().filter(l -> requested.contains(l.name())).toList();
        StringBuilder near = new StringBuilder();
        String upTo = null;
        for (LayerInfo l : named) {
            LayerInfo below = null;
            LayerInfo above = null;
            for (LayerInfo o : layers) {
                if (o.hasParams() && o.index() < l.index()) {
                    below = o;
                } else if (o.hasParams() && o.index() > l.index() && above == null) {
                    above = o;
                }
            }
            if (below != null && upTo == null) {
                upTo = l.name();
            }
            near.append(near.length() == 0 ? "" : "; ");
            if (below != null) {
                near.append("'").append(below.name()).append("' (below '").append(l.name()).append("')");
            }
            if (above != null) {
                near.append(below != null ? " and " : "").append("'").append(above.name())
                        .append(below != null ? "' (above it)" : "' (above '" + l.name() + "')");
            }
        }
        String what = named.size() == 1 ? "'" + named.get(0).name() + "', which has no parameters"
                : "layers without parameters (" + named.stream().map(LayerInfo::name).collect(java.util.stream.Collectors.joining(", ")) + ")";
        throw new IllegalArgumentException("the freeze policy " + policy + " freezes only " + what
                + ", so nothing would be frozen; the nearest layers with parameters are " + near
                + ": freeze those by name" + (upTo == null ? "" : ", or every layer up to it with Freeze.upTo(\"" + upTo + "\")"));
    }

    /** The layers with parameters that train in full: neither frozen nor adapted. */
    private static Set<String> trainedInFull(List<LayerInfo> layers, Set<String> frozen, AdapterTraining adapter) {
        Set<String> out = new HashSet<>();
        for (LayerInfo l : layers) {
            if (l.hasParams() && !frozen.contains(l.name()) && !adapter.trained().contains(l.name())) {
                out.add(l.name());
            }
        }
        return out;
    }

    /** The names and one more, in forward order. */
    private static List<String> inOrder(List<LayerInfo> layers, Set<String> names, String plus) {
        return layers.stream().map(LayerInfo::name).filter(n -> names.contains(n) || n.equals(plus)).toList();
    }

    private static String quoted(List<String> names) {
        return names.stream().map(n -> "\"" + n + "\"").collect(java.util.stream.Collectors.joining(", "));
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
