package dev.attune.serving;

import static java.util.Objects.requireNonNull;

import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.adapters.AdapterFile;
import dev.attune.deploy.ModelPackage;
import dev.attune.spi.AdapterWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA adapters on one base model, loaded on demand and held within a byte budget: a
 * {@link MultiAdapterNetwork} whose adapters come from adapter files ({@link AdapterFile}), deployment
 * packages ({@link ModelPackage}) or any other source, by name. An adapter is loaded when a call first
 * asks for it; when the loaded adapters take more than the budget, the least recently used ones that
 * no running call needs are evicted, and loaded again, transparently, when asked for again.
 *
 * <pre>{@code
 * AdapterStore store = AdapterStore.over(base, 64L << 20)     // 64 MB of adapters
 *         .addFile("de", Path.of("adapters/de.safetensors"))
 *         .addPackage("fr", Path.of("adapters/fr.attune"));
 * INDArray out = store.output(features, List.of("de", "fr", "de"));
 * }</pre>
 *
 * <p>Thread-safe. {@link #replace} swaps an adapter's source and its loaded weights atomically: a call
 * computes each row wholly with the old weights or wholly with the new. A call that has started with an
 * adapter finishes with it: {@link #remove} refuses the adapter to later calls at once, but its weights
 * leave memory only when the last call that needs them ends, and eviction never takes an adapter a
 * running call needs.
 */
public final class AdapterStore {
    private final Network base;
    private final long budget;
    private final MultiAdapterNetwork network;
    private final Map<String, Supplier<AdapterWeights>> sources = new HashMap<>();
    /** The loaded adapters in least-recently-used order, with their bytes. */
    private final LinkedHashMap<String, Long> loaded = new LinkedHashMap<>(16, 0.75f, true);
    /** How many running calls need each adapter: those are never evicted. */
    private final Map<String, Integer> pins = new HashMap<>();
    /** Adapters removed while running calls needed them: they leave the network when the last one ends. */
    private final Set<String> retired = new HashSet<>();
    private long used;
    private long loads;
    private long evictions;

    private AdapterStore(Network base, long budget) {
        this.base = base;
        this.budget = budget;
        this.network = MultiAdapterNetwork.of(base);
    }

    /**
     * A store over {@code base} that holds at most {@code budgetBytes} bytes of loaded adapters (more
     * only while running calls need them all).
     *
     * @throws IllegalArgumentException for a budget below 1 byte, or as {@link MultiAdapterNetwork#of}
     */
    public static AdapterStore over(Network base, long budgetBytes) {
        requireNonNull(base, "base");
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("the adapter budget must be at least 1 byte, got " + budgetBytes
                    + "; give the memory the loaded adapters may take, e.g. 64L << 20 for 64 MB");
        }
        return new AdapterStore(base, budgetBytes);
    }

    /** Adds an adapter read from an adapter file ({@link AdapterFile#load(Path, Network)}) when first needed. */
    public AdapterStore addFile(String name, Path file) {
        requireNonNull(file, "file");
        return add(name, () -> AdapterFile.load(file, base));
    }

    /** Adds the adapter of a deployment package ({@link ModelPackage#load(Path)}), read when first needed. */
    public AdapterStore addPackage(String name, Path packageFile) {
        requireNonNull(packageFile, "packageFile");
        return add(name, () -> fromPackage(packageFile, base));
    }

    /** The adapter of a deployment package on {@code base}. */
    static AdapterWeights fromPackage(Path packageFile, Network base) {
        ModelPackage pkg = ModelPackage.load(packageFile);
        if (!pkg.isAdapter()) {
            throw new IllegalArgumentException("package " + packageFile + " holds a whole model, not an adapter; the"
                    + " adapter store serves adapters of one base model: package an adapter (a fine-tuning with"
                    + " .adapter(...)) instead");
        }
        return pkg.network(base).adapter(pkg.name());
    }

    /**
     * Adds an adapter from any source, called each time it is loaded (again).
     *
     * @throws IllegalArgumentException when the name is blank or taken ({@link #replace} changes a source)
     */
    public synchronized AdapterStore add(String name, Supplier<AdapterWeights> source) {
        requireNonNull(name, "name");
        requireNonNull(source, "source");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an adapter's name is blank; give a name such as \"de\"");
        }
        if (sources.containsKey(name)) {
            throw new IllegalArgumentException("an adapter named '" + name + "' is already in the store; replace(\""
                    + name + "\", ...) it to swap in a new version");
        }
        sources.put(name, source);
        return this;
    }

    /**
     * Swaps in a new version of an adapter: the new source is read now (so a version that cannot be read
     * or does not fit leaves the old one serving), then the weights are swapped atomically; calls already
     * running finish with the old version, later ones use the new one.
     *
     * @throws IllegalArgumentException for an unknown name, or an adapter the network refuses
     */
    public AdapterStore replace(String name, Supplier<AdapterWeights> source) {
        requireNonNull(name, "name");
        requireNonNull(source, "source");
        synchronized (this) {
            requireKnown(name);
        }
        AdapterWeights fresh = source.get();
        synchronized (this) {
            requireKnown(name);
            network.put(name, fresh);
            Long before = loaded.remove(name);
            used -= before == null ? 0 : before;
            long bytes = network.bytes(name);
            loaded.put(name, bytes);
            used += bytes;
            loads++;
            sources.put(name, source);
            evictOverBudget();
        }
        return this;
    }

    /** {@link #replace(String, Supplier)} with the adapter of an adapter file. */
    public AdapterStore replaceFile(String name, Path file) {
        requireNonNull(file, "file");
        return replace(name, () -> AdapterFile.load(file, base));
    }

    /** {@link #replace(String, Supplier)} with the adapter of a deployment package. */
    public AdapterStore replacePackage(String name, Path packageFile) {
        requireNonNull(packageFile, "packageFile");
        return replace(name, () -> fromPackage(packageFile, base));
    }

    /**
     * Removes an adapter and its source: later calls are refused it at once; calls already running with
     * it finish with it, and its weights are dropped when the last of them ends.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public synchronized AdapterStore remove(String name) {
        requireKnown(name);
        sources.remove(name);
        Long bytes = loaded.remove(name);
        if (bytes != null) {
            used -= bytes;
            if (pins.containsKey(name)) {
                retired.add(name);
            } else {
                network.remove(name);
            }
        }
        return this;
    }

    /**
     * Refuses a name that is not in the store.
     *
     * @throws IllegalArgumentException naming the name and the known ones
     */
    public synchronized void requireKnown(String name) {
        if (!sources.containsKey(requireNonNull(name, "adapter name"))) {
            throw new IllegalArgumentException("no adapter named '" + name + "' in the store; adapters are: "
                    + new java.util.TreeSet<>(sources.keySet()) + "; add it first (addFile, addPackage or add)");
        }
    }

    /**
     * The outputs where row {@code i} goes through adapter {@code adapterPerRow.get(i)} ({@code null}: the
     * base model), loading the adapters the rows need that are not loaded.
     *
     * @throws IllegalArgumentException for an unknown name, or as {@link MultiAdapterNetwork#output}
     */
    public INDArray output(INDArray features, List<String> adapterPerRow) {
        requireNonNull(adapterPerRow, "adapterPerRow");
        Set<String> needed = named(adapterPerRow);
        pin(needed);
        try {
            return network.output(features, adapterPerRow);
        } finally {
            unpin(needed);
        }
    }

    /**
     * The outputs of the rows whose adapters this store can serve now, each row failing alone otherwise:
     * as {@link #output}, but a row whose adapter is not in the store (removed since the row's request
     * was accepted) or cannot be loaded is left out and its failure given instead, so that it never
     * fails the rows of other adapters.
     */
    Answers outputEach(INDArray features, List<String> adapterPerRow) {
        requireNonNull(features, "features");
        requireNonNull(adapterPerRow, "adapterPerRow");
        Set<String> needed = named(adapterPerRow);
        Map<String, RuntimeException> refused = new HashMap<>();
        List<String> pinned = new ArrayList<>();
        synchronized (this) {
            for (String n : needed) {
                if (sources.containsKey(n)) {
                    pins.merge(n, 1, Integer::sum);
                    pinned.add(n);
                } else {
                    refused.put(n, new IllegalArgumentException("adapter '" + n + "' was removed from the store after"
                            + " this request was accepted; add it again (addFile, addPackage or add) to serve it"));
                }
            }
        }
        try {
            for (String n : List.copyOf(pinned)) {
                try {
                    load(n);
                } catch (RuntimeException e) {
                    refused.put(n, e);
                    pinned.remove(n);
                    unpin(List.of(n));
                }
            }
            int n = adapterPerRow.size();
            List<Integer> kept = new ArrayList<>(n);
            List<String> keptNames = new ArrayList<>(n);
            Map<Integer, RuntimeException> failures = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = adapterPerRow.get(i);
                RuntimeException e = name == null ? null : refused.get(name);
                if (e != null) {
                    failures.put(i, e);
                } else {
                    kept.add(i);
                    keptNames.add(name);
                }
            }
            INDArray out = null;
            if (!kept.isEmpty()) {
                INDArray x = kept.size() == n ? features
                        : org.nd4j.linalg.factory.Nd4j.pullRows(features, 1, kept.stream().mapToInt(Integer::intValue)
                        .toArray(), 'c');
                out = network.output(x, keptNames);
            }
            return new Answers(out, kept, failures);
        } finally {
            unpin(pinned);
        }
    }

    /** The distinct adapter names of a batch's rows, in first-seen order, without the rows that name none. */
    private static Set<String> named(List<String> adapterPerRow) {
        Set<String> needed = new LinkedHashSet<>();
        for (String n : adapterPerRow) {
            if (n != null) {
                needed.add(n);
            }
        }
        return needed;
    }

    /**
     * The answer of {@link #outputEach}: the outputs of the kept rows, in order, and the failure of each
     * other row by its index.
     */
    record Answers(INDArray output, List<Integer> kept, Map<Integer, RuntimeException> failures) {
    }

    /** Loads what is missing and marks the adapters as needed by a running call. */
    private void pin(Collection<String> names) {
        List<String> missing = new ArrayList<>();
        synchronized (this) {
            for (String n : names) {
                requireKnown(n);
            }
            for (String n : names) {
                pins.merge(n, 1, Integer::sum);
                if (loaded.get(n) == null) {
                    missing.add(n);
                }
            }
        }
        try {
            for (String n : missing) {
                load(n);
            }
        } catch (RuntimeException | Error e) {
            unpin(names);
            throw e;
        }
    }

    /** Loads one adapter unless another call loaded it meanwhile. */
    private void load(String name) {
        Supplier<AdapterWeights> source;
        synchronized (this) {
            if (loaded.containsKey(name)) {
                return;
            }
            source = sources.get(name);
            if (source == null) {
                throw new IllegalArgumentException("adapter '" + name + "' was removed from the store while a call"
                        + " needed it; add it again (addFile, addPackage or add) to serve it");
            }
        }
        AdapterWeights w = source.get();
        synchronized (this) {
            // Replaced while it was read: the replacement is already loaded.
            if (loaded.containsKey(name) || sources.get(name) != source) {
                if (!loaded.containsKey(name)) {
                    load(name);
                }
                return;
            }
            network.put(name, w);
            long bytes = network.bytes(name);
            if (bytes > budget) {
                network.remove(name);
                throw new IllegalArgumentException("adapter '" + name + "' takes " + bytes + " bytes, more than the store's"
                        + " whole budget of " + budget + " bytes; raise the budget (AdapterStore.over(base, bytes))");
            }
            loaded.put(name, bytes);
            used += bytes;
            loads++;
            evictOverBudget();
        }
    }

    private synchronized void unpin(Collection<String> names) {
        for (String n : names) {
            pins.computeIfPresent(n, (k, v) -> v == 1 ? null : v - 1);
            // Removed while calls needed it, and not loaded again since: the last of those calls has ended.
            if (!pins.containsKey(n) && retired.remove(n) && !loaded.containsKey(n)) {
                network.remove(n);
            }
        }
        evictOverBudget();
    }

    /** Evicts least recently used adapters that no running call needs until the loaded ones fit the budget. */
    private void evictOverBudget() {
        Iterator<Map.Entry<String, Long>> it = loaded.entrySet().iterator();
        while (used > budget && it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (pins.containsKey(e.getKey())) {
                continue;
            }
            network.remove(e.getKey());
            used -= e.getValue();
            evictions++;
            it.remove();
        }
    }

    /** The names of the loaded adapters, least recently used first. */
    public synchronized List<String> loaded() {
        return List.copyOf(loaded.keySet());
    }

    /** The names of every adapter in the store, loaded or not, in sorted order. */
    public synchronized List<String> names() {
        return List.copyOf(new java.util.TreeSet<>(sources.keySet()));
    }

    /** The bytes the loaded adapters take. */
    public synchronized long usedBytes() {
        return used;
    }

    /** The byte budget. */
    public long budgetBytes() {
        return budget;
    }

    /** How many times an adapter was loaded (first loads, reloads after eviction and replacements). */
    public synchronized long loads() {
        return loads;
    }

    /** How many times an adapter was evicted to keep within the budget. */
    public synchronized long evictions() {
        return evictions;
    }

    /** The multi-adapter network the store serves with. */
    public MultiAdapterNetwork network() {
        return network;
    }
}
