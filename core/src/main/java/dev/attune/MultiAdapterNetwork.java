package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.bert.BertHandle;
import dev.attune.internal.bert.BertRows;
import dev.attune.internal.dl4j.DenseRows;
import dev.attune.internal.multi.Gather;
import dev.attune.internal.multi.RowsAdapter;
import dev.attune.internal.multi.RowsBank;
import dev.attune.internal.multi.RowsModel;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One base model serving many LoRA adapters at once: in one call each row of a batch goes through its
 * own adapter, {@code y = x W + b + s (x A_i^T) B_i^T} for row {@code i}'s adapter, while the base
 * layers run once for the whole batch. For a dense network on the CPU, each row's low-rank update is
 * two BLAS matrix-vector products where the row lies ({@code r (in + out)} multiply-adds a row, no ND4J
 * op), so the cost of a batch does not grow with the number of adapters in it; elsewhere, and for BERT
 * encoders, whose examples' tokens form groups of rows of one adapter, each group's update is two small
 * matrix products straight into its rows of the layer's output (as SGMV kernels of multi-adapter LLM
 * servers do). The answer of each row
 * equals, within float rounding, what {@link AdaptedNetwork} gives with that adapter active.
 *
 * <pre>{@code
 * MultiAdapterNetwork net = MultiAdapterNetwork.of(base)
 *         .put("de", AdapterFile.load(deFile, base))
 *         .put("fr", AdapterFile.load(frFile, base));
 * INDArray out = net.output(features, Arrays.asList("de", "fr", null, "de"));   // null: the base model
 * }</pre>
 *
 * <p>Serves multi-layer networks of dense layers ({@code DenseLayer}, {@code OutputLayer}) with LoRA on
 * any of them, and BERT encoders ({@link Network#of(BertEncoder)}) with LoRA on their projections.
 * Adapters may carry their own head ({@link AdapterWeights#head()}): each row goes through its adapter's
 * head, and rows without one through the base model's; one call's rows must then give outputs of one width.
 *
 * <p>Thread-safe and lock-free for reading: {@link #put} and {@link #remove} publish a new immutable set
 * of adapters (copy on write), so an {@link #output} in flight computes wholly with the set it started
 * with, never sees a half-loaded adapter, and concurrent outputs never wait for each other. The base
 * network is read in place and never changed; it must not be trained or changed while in use here.
 */
public final class MultiAdapterNetwork {
    private final Network base;
    private final String baseFingerprint;
    private final RowsModel model;
    private volatile Snapshot snapshot;

    /** The adapters of one moment: by name, their slots in the bank, and the bank. */
    private record Snapshot(Map<String, Entry> entries, RowsBank bank) {
    }

    private record Entry(int slot, AdapterWeights weights, RowsAdapter prepared) {
    }

    private MultiAdapterNetwork(Network base, RowsModel model) {
        this.base = base;
        this.baseFingerprint = base.fingerprint();
        this.model = model;
        this.snapshot = new Snapshot(Map.of(), model.bank(List.of()));
    }

    /**
     * A network over {@code base} with no adapter yet (every row goes through the base).
     *
     * @throws IllegalArgumentException for a base this class cannot serve per row (a computation graph, a
     *     multi-layer network with a layer that is not dense: the message names it)
     */
    public static MultiAdapterNetwork of(Network base) {
        return of(base, Gather.MIXED);
    }

    private static MultiAdapterNetwork of(Network base, Gather gather) {
        requireNonNull(base, "base");
        Object inner = base.handle().unwrap();
        RowsModel model;
        if (inner instanceof MultiLayerNetwork mln) {
            model = DenseRows.of(mln, gather);
        } else if (base.handle() instanceof BertHandle bert) {
            model = BertRows.of(bert);
        } else {
            throw new IllegalArgumentException("the base is a " + inner.getClass().getSimpleName() + "; MultiAdapterNetwork"
                    + " serves multi-layer networks of dense layers and BERT encoders; serve this model's adapters with"
                    + " AdaptedNetwork, one adapter at a time");
        }
        return new MultiAdapterNetwork(base, model);
    }

    /**
     * Adds the adapter under that name, or replaces the adapter of that name: atomically, calls of
     * {@link #output} already running finish with the adapters they started with.
     *
     * @throws IllegalArgumentException when the name is blank; when the adapter was trained on another
     *     base model (both fingerprints are named); when it is no LoRA adapter (a bottleneck adapter,
     *     DoRA: serve those with {@link AdaptedNetwork}); or when its tensors do not fit the base
     */
    public synchronized MultiAdapterNetwork put(String name, AdapterWeights adapter) {
        requireNonNull(name, "name");
        requireNonNull(adapter, "adapter");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an adapter's name is blank; give a name such as \"de\"");
        }
        if (!adapter.baseFingerprint().equals(baseFingerprint)) {
            throw new IllegalArgumentException("adapter '" + name + "' was trained on base model " + adapter.baseFingerprint()
                    + ", not on this one (" + baseFingerprint + "); serve it on the base model it was trained on");
        }
        LowRankSpec spec = adapter.method().lowRank().orElseThrow(() -> new IllegalArgumentException("adapter '" + name
                + "' is a " + adapter.method().name() + " adapter; MultiAdapterNetwork serves LoRA adapters, whose update is"
                + " linear and runs per row; serve a " + adapter.method().name() + " adapter with AdaptedNetwork (one adapter"
                + " at a time), or train LoRA instead"));
        if (spec.dora()) {
            throw new IllegalArgumentException("adapter '" + name + "' is a DoRA adapter (" + adapter.method().name()
                    + " with a trained magnitude); MultiAdapterNetwork serves plain LoRA adapters; serve DoRA with"
                    + " AdaptedNetwork (one adapter at a time), or train LoRA without DoRA");
        }
        RowsAdapter prepared = model.prepare(name, adapter, spec);
        Map<String, Entry> next = new LinkedHashMap<>(snapshot.entries());
        next.put(name, new Entry(-1, adapter, prepared));
        publish(next);
        return this;
    }

    /**
     * Removes an adapter, atomically as {@link #put}.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the names)
     */
    public synchronized MultiAdapterNetwork remove(String name) {
        requireNonNull(name, "name");
        Map<String, Entry> next = new LinkedHashMap<>(snapshot.entries());
        if (next.remove(name) == null) {
            throw unknown(name, snapshot);
        }
        publish(next);
        return this;
    }

    private void publish(Map<String, Entry> entries) {
        Map<String, Entry> slotted = new LinkedHashMap<>();
        List<RowsAdapter> bank = new ArrayList<>();
        entries.forEach((n, e) -> {
            slotted.put(n, new Entry(bank.size(), e.weights(), e.prepared()));
            bank.add(e.prepared());
        });
        snapshot = new Snapshot(java.util.Collections.unmodifiableMap(slotted), model.bank(bank));
    }

    /** The names of the adapters, in the order they were first put. */
    public List<String> names() {
        return List.copyOf(snapshot.entries().keySet());
    }

    /** The named adapter, empty when there is none of that name. */
    public Optional<AdapterWeights> adapter(String name) {
        Entry e = snapshot.entries().get(requireNonNull(name, "name"));
        return e == null ? Optional.empty() : Optional.of(e.weights());
    }

    /**
     * The bytes the named adapter takes in memory here.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the names)
     */
    public long bytes(String name) {
        requireNonNull(name, "name");
        Snapshot s = snapshot;
        Entry e = s.entries().get(name);
        if (e == null) {
            throw unknown(name, s);
        }
        return e.prepared().bytes();
    }

    /**
     * Output-layer activations where row {@code i} goes through the adapter named
     * {@code adapterPerRow.get(i)}, or through the base model when that is {@code null}; in inference mode.
     *
     * @throws IllegalArgumentException when the list's size is not the number of rows; for a name no
     *     adapter has (the message names it and the known ones); for rows whose adapters' heads give
     *     outputs of different widths; or as {@link Network#output} for bad features
     */
    public INDArray output(INDArray features, List<String> adapterPerRow) {
        requireNonNull(adapterPerRow, "adapterPerRow");
        base.checkInput(features);
        if (features.size(0) != adapterPerRow.size()) {
            throw new IllegalArgumentException("the features have " + features.size(0) + " rows but " + adapterPerRow.size()
                    + " adapter names were given; give one name (or null for the base model) per row");
        }
        Snapshot s = snapshot;
        int[] slots = new int[adapterPerRow.size()];
        for (int i = 0; i < slots.length; i++) {
            String name = adapterPerRow.get(i);
            if (name == null) {
                slots[i] = -1;
            } else {
                Entry e = s.entries().get(name);
                if (e == null) {
                    throw unknown(name, s);
                }
                slots[i] = e.slot();
            }
        }
        return s.bank().output(features, slots);
    }

    /** {@link #output(INDArray, List)} with every row through the same adapter ({@code null}: the base). */
    public INDArray output(INDArray features, String adapter) {
        requireNonNull(features, "features");
        return output(features, java.util.Collections.nCopies((int) features.size(0), adapter));
    }

    private static IllegalArgumentException unknown(String name, Snapshot s) {
        return new IllegalArgumentException("no adapter named '" + name + "'; adapters are: " + s.entries().keySet()
                + "; put(\"" + name + "\", adapter) it first");
    }

    @Override
    public String toString() {
        return "MultiAdapterNetwork[" + base + ", adapters " + snapshot.entries().keySet() + "]";
    }
}
