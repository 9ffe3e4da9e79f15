package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.layers.LayerNames;
import dev.attune.spi.FreezePolicy;
import dev.attune.spi.LayerInfo;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Built-in freeze policies: by layer name or glob ({@code *} any run of characters, {@code ?} one
 * character), by position, by predicate. Policies are immutable values; {@link #andUnfreeze}
 * combines them.
 *
 * <pre>{@code
 * Freeze.allExcept("head")                 // train the new head only
 * Freeze.upTo("dense0")                    // freeze dense0 and everything before it
 * Freeze.layers("conv*").andUnfreeze("conv2")
 * }</pre>
 *
 * Every name or glob must match at least one layer; otherwise resolving the policy throws an
 * {@link IllegalArgumentException} that lists the network's layer names.
 */
public final class Freeze implements FreezePolicy {
    private final String description;
    private final FreezePolicy rule;

    private Freeze(String description, FreezePolicy rule) {
        this.description = description;
        this.rule = rule;
    }

    /** Freezes nothing: full fine-tuning. */
    public static Freeze none() {
        return new Freeze("none", layers -> Set.of());
    }

    /**
     * Freezes every layer; with an adapter, only the adapter trains. Combine with
     * {@link #andUnfreeze}: {@code Freeze.all().andUnfreeze("head")}.
     */
    public static Freeze all() {
        return new Freeze("all", layers -> names(layers, l -> true));
    }

    /** Freezes the layers whose names match any of the given names or globs. */
    public static Freeze layers(String... namesOrGlobs) {
        List<String> patterns = patterns(namesOrGlobs);
        return new Freeze("layers" + patterns, layers -> matching(layers, patterns));
    }

    /** Freezes every layer except those whose names match the given names or globs. */
    public static Freeze allExcept(String... namesOrGlobs) {
        List<String> patterns = patterns(namesOrGlobs);
        return new Freeze("allExcept" + patterns, layers -> {
            Set<String> keep = matching(layers, patterns);
            return names(layers, l -> !keep.contains(l.name()));
        });
    }

    /** Freezes the named layer and every layer before it in forward order. */
    public static Freeze upTo(String layerName) {
        requireNonNull(layerName, "layerName");
        return new Freeze("upTo[" + layerName + "]", layers -> {
            int last = matching(layers, List.of(layerName)).stream()
                    .mapToInt(n -> indexOf(layers, n)).max().orElseThrow();
            return names(layers, l -> l.index() <= last);
        });
    }

    /** Freezes the layers for which the predicate holds. */
    public static Freeze where(Predicate<LayerInfo> predicate) {
        requireNonNull(predicate, "predicate");
        return new Freeze("where(predicate)", layers -> names(layers, predicate));
    }

    /** This policy, then unfreezes the layers matching the given names or globs. */
    public Freeze andUnfreeze(String... namesOrGlobs) {
        List<String> patterns = patterns(namesOrGlobs);
        FreezePolicy first = rule;
        return new Freeze(description + ".andUnfreeze" + patterns, layers -> {
            Set<String> frozen = new LinkedHashSet<>(first.frozenLayers(layers));
            frozen.removeAll(matching(layers, patterns));
            return frozen;
        });
    }

    @Override
    public Set<String> frozenLayers(List<LayerInfo> layers) {
        return Set.copyOf(rule.frozenLayers(layers));
    }

    @Override
    public String toString() {
        return "Freeze." + description;
    }

    private static List<String> patterns(String... namesOrGlobs) {
        requireNonNull(namesOrGlobs, "namesOrGlobs");
        if (namesOrGlobs.length == 0) {
            throw new IllegalArgumentException("give at least one layer name or glob, for example \"head\" or \"dense*\"");
        }
        List<String> list = new ArrayList<>();
        for (String p : namesOrGlobs) {
            requireNonNull(p, "layer name or glob");
            if (p.isBlank()) {
                throw new IllegalArgumentException("a layer name or glob is blank; give a name such as \"head\"");
            }
            list.add(p);
        }
        return List.copyOf(list);
    }

    /** The names of the layers matching any pattern; every pattern must match at least one layer. */
    static Set<String> matching(List<LayerInfo> layers, List<String> patterns) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : patterns) {
            Pattern regex = LayerNames.glob(p);
            Set<String> hits = names(layers, l -> regex.matcher(l.name()).matches());
            if (hits.isEmpty()) {
                throw new IllegalArgumentException("unknown layer '" + p + "'; layers are: " + LayerNames.list(layers));
            }
            out.addAll(hits);
        }
        return out;
    }

    private static Set<String> names(List<LayerInfo> layers, Predicate<LayerInfo> p) {
        Set<String> out = new LinkedHashSet<>();
        for (LayerInfo l : layers) {
            if (p.test(l)) {
                out.add(l.name());
            }
        }
        return out;
    }

    private static int indexOf(List<LayerInfo> layers, String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow().index();
    }

}
