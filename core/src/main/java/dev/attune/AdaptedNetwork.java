package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.FreezePolicy;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One base model in memory with several named adapters: the serving side of parameter-efficient
 * fine-tuning (one adapter per language or customer). Switching between adapters of the same shape
 * (method, options, targets, head) copies only the adapter's tensors: the base is not reloaded.
 *
 * <pre>{@code
 * AdaptedNetwork net = AdaptedNetwork.of(base)
 *         .add("de", AdapterFile.load(deFile, base))
 *         .add("fr", AdapterFile.load(frFile, base));
 * net.activate("fr");
 * INDArray probabilities = net.output(features);
 * net.merge();                        // fold the active adapter into the weights: base latency
 * }</pre>
 *
 * <p>Thread-safe: every method holds this object's lock, so an {@link #activate}, {@link #merge},
 * {@link #unmerge}, {@link #add} or {@link #remove} never interleaves with an {@link #output}; each
 * output is computed with one adapter state throughout and equals, bit for bit, what the same call
 * gives alone. Calls are serialised, as DL4J serialises outputs of one network anyway: for parallel
 * serving, give each thread its own {@code AdaptedNetwork}. The base {@link Network} is never
 * changed: this object works on its own copy of the adapted layers' weights.
 */
public final class AdaptedNetwork {
    private final Network base;
    private final String baseFingerprint;
    private final Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
    private String active;
    private Live live;

    /** The network built for one shape of adapter, and the adapter whose tensors it holds. */
    private record Live(String shape, TrainableModel model, String loaded) {
    }

    private AdaptedNetwork(Network base) {
        this.base = base;
        this.baseFingerprint = base.fingerprint();
    }

    /** A network over {@code base} with no adapter yet (it behaves as the base). */
    public static AdaptedNetwork of(Network base) {
        return new AdaptedNetwork(requireNonNull(base, "base"));
    }

    /**
     * Adds a named adapter; the first one added becomes the active one.
     *
     * @throws IllegalArgumentException when the name is taken or blank, or the adapter was trained on
     *     another base model (both fingerprints are named)
     */
    public synchronized AdaptedNetwork add(String name, AdapterWeights adapter) {
        requireNonNull(name, "name");
        requireNonNull(adapter, "adapter");
        if (name.isBlank()) {
            throw new IllegalArgumentException("an adapter's name is blank; give a name such as \"de\"");
        }
        if (adapters.containsKey(name)) {
            throw new IllegalArgumentException("an adapter named '" + name + "' is already added; choose another name"
                    + " or remove(\"" + name + "\") first");
        }
        if (!adapter.baseFingerprint().equals(baseFingerprint)) {
            throw new IllegalArgumentException("adapter '" + name + "' was trained on base model " + adapter.baseFingerprint()
                    + ", not on this one (" + baseFingerprint + "); add it to the base model it was trained on");
        }
        adapters.put(name, adapter);
        if (active == null) {
            activate(name);
        }
        return this;
    }

    /**
     * Adds a new, untrained adapter of the given method on the base model's own head, initialised
     * from the seed (LoRA's starts as the identity: the network's outputs do not change).
     *
     * @throws IllegalArgumentException as {@link #add(String, AdapterWeights)}, or when the method's
     *     targets do not fit the base model
     */
    public synchronized AdaptedNetwork add(String name, AdapterMethod method, long seed) {
        requireNonNull(method, "method");
        Nd4j.getRandom().setSeed(seed);
        TrainableModel m = base.handle().prepare(new TrainingPlan(0, "head", Freeze.all(), Optimizer.adam(1e-3), seed, method));
        return add(name, new AdapterWeights(method, null, m.trainedTensors(), baseFingerprint,
                Map.of("initialised", "untrained, seed " + seed)));
    }

    /**
     * Adds an adapter that combines added ones with the given weights (for LoRA: the sum of their
     * weighted updates), as the adapter method defines it.
     *
     * @throws IllegalArgumentException for an unknown name, no weights, or adapters that cannot be combined
     */
    public synchronized AdaptedNetwork addWeighted(String name, Map<String, Double> weights) {
        requireNonNull(weights, "weights");
        if (weights.isEmpty()) {
            throw new IllegalArgumentException("give at least one adapter and its weight, e.g. Map.of(\"de\", 0.5, \"fr\", 0.5)");
        }
        List<AdapterWeights> parts = new ArrayList<>();
        double[] w = new double[weights.size()];
        int i = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            parts.add(adapter(e.getKey()));
            w[i++] = requireNonNull(e.getValue(), "weight of " + e.getKey());
        }
        return add(name, parts.get(0).method().combine(parts, w));
    }

    /**
     * Makes the named adapter the active one.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException while the active adapter is merged
     */
    public synchronized AdaptedNetwork activate(String name) {
        AdapterWeights w = adapter(name);
        checkNotMerged("switch adapters");
        String shape = shape(w);
        if (live == null || !live.shape().equals(shape)) {
            live = new Live(shape, build(w), null);
        }
        if (!name.equals(live.loaded())) {
            load(live.model(), w, name);
            live = new Live(shape, live.model(), name);
        }
        active = name;
        return this;
    }

    /**
     * Turns every adapter off: the network behaves as the base model.
     *
     * @throws IllegalStateException while the active adapter is merged
     */
    public synchronized AdaptedNetwork disable() {
        checkNotMerged("disable the adapters");
        active = null;
        return this;
    }

    /**
     * Removes an adapter; removing the active one disables adapters.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException when it is the active adapter and merged
     */
    public synchronized AdaptedNetwork remove(String name) {
        adapter(name);
        if (name.equals(active)) {
            checkNotMerged("remove the active adapter");
            active = null;
        }
        if (live != null && name.equals(live.loaded())) {
            live = new Live(live.shape(), live.model(), null);
        }
        adapters.remove(name);
        return this;
    }

    /** The active adapter's name, empty when adapters are disabled. */
    public synchronized Optional<String> active() {
        return Optional.ofNullable(active);
    }

    /** The names of the added adapters, in the order they were added. */
    public synchronized List<String> names() {
        return List.copyOf(adapters.keySet());
    }

    /**
     * The named adapter.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the names)
     */
    public synchronized AdapterWeights adapter(String name) {
        requireNonNull(name, "name");
        AdapterWeights w = adapters.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no adapter named '" + name + "'; adapters are: " + adapters.keySet());
        }
        return w;
    }

    /** Output-layer activations with the active adapter (the base model's when disabled), in inference mode. */
    public INDArray output(INDArray features) {
        // Checked against the base model: an adapted first layer is no layer whose input shape is known.
        // Outside the lock: the check reads only the caller's array and the base's configuration.
        base.checkInput(features);
        synchronized (this) {
            return current().outputChecked(features);
        }
    }

    /** Predictions on a labelled set with the active adapter. */
    public synchronized Predictions predict(LabeledData data) {
        requireNonNull(data, "data");
        Network.requireClasses(data, current().numOutputs());
        return Predictions.of(data.labels(), output(data.featuresView()));
    }

    /**
     * Folds the active adapter into its layers' weights: inference then costs what the base model's
     * does. Refuses NaN or infinite results and leaves the weights unmerged.
     *
     * @throws IllegalStateException when no adapter is active or it is already merged, or when it cannot
     *     be merged (a nonlinear adapter, such as a bottleneck adapter: the message names the layer;
     *     {@link #toNetwork()} exports it as a plain DL4J network instead); nothing is merged then
     */
    public synchronized AdaptedNetwork merge() {
        requireActive("merge");
        if (isMerged()) {
            throw new IllegalStateException("adapter '" + active + "' is already merged; merge once, or unmerge() first");
        }
        // A layer that cannot merge refuses, naming itself and the alternative, before any layer is merged.
        live.model().adaptedLayers().stream().filter(l -> !l.mergeable()).findFirst().ifPresent(AdaptedLayer::merge);
        List<AdaptedLayer> done = new ArrayList<>();
        try {
            for (AdaptedLayer l : live.model().adaptedLayers()) {
                l.merge();
                done.add(l);
            }
        } catch (IllegalStateException e) {
            done.forEach(AdaptedLayer::unmerge);
            throw e;
        }
        return this;
    }

    /**
     * Takes the merged adapter back out of the weights.
     *
     * @throws IllegalStateException when the active adapter is not merged
     */
    public synchronized AdaptedNetwork unmerge() {
        if (!isMerged()) {
            throw new IllegalStateException("no adapter is merged" + (active == null ? "" : " ('" + active + "' is live)")
                    + "; there is nothing to unmerge");
        }
        live.model().adaptedLayers().forEach(AdaptedLayer::unmerge);
        return this;
    }

    /** Whether the active adapter is folded into the weights. */
    public synchronized boolean isMerged() {
        return active != null && live.model().adaptedLayers().stream().anyMatch(AdaptedLayer::isMerged);
    }

    /**
     * A plain DL4J network with the active adapter merged into its weights: it needs no Attune class
     * to run and adds no latency. An adapter that cannot be merged (a bottleneck adapter) is exported
     * instead as a DL4J {@code ComputationGraph} of stock layers: the base layers, the adapter's
     * layers and an element-wise sum for its residual connection. This object is left as it is.
     *
     * @throws IllegalStateException when no adapter is active
     */
    public synchronized Network toNetwork() {
        requireActive("export a merged network");
        return new Network(live.model().snapshot());
    }

    private Network current() {
        return active == null ? base : new Network(live.model().live());
    }

    private void requireActive(String what) {
        if (active == null) {
            throw new IllegalStateException("no adapter is active; activate(name) one of " + adapters.keySet()
                    + " before you " + what);
        }
    }

    private void checkNotMerged(String what) {
        if (isMerged()) {
            throw new IllegalStateException("adapter '" + active + "' is merged into the weights; unmerge() it before"
                    + " you " + what);
        }
    }

    /** What fixes the built network's structure: adapters of one shape share it. */
    private static String shape(AdapterWeights w) {
        StringBuilder s = new StringBuilder(w.method().name()).append(w.method().config()).append(w.head());
        w.tensors().forEach((k, v) -> s.append(k).append(Arrays.toString(v.shape())));
        return s.toString();
    }

    private TrainableModel build(AdapterWeights w) {
        AdapterWeights.Head head = w.head();
        TrainingPlan plan = new TrainingPlan(head == null ? 0 : head.classes(), head == null ? "head" : head.name(),
                servingFreeze(w), Optimizer.adam(1e-3), 0, w.method());
        return base.handle().prepare(plan);
    }

    /**
     * The freeze policy of the network that serves an adapter: every layer frozen but those the
     * family keeps open (nothing frozen when it names none).
     */
    private FreezePolicy servingFreeze(AdapterWeights w) {
        return base.handle().servingOpenLayers(w)
                .map(open -> open.isEmpty() ? Freeze.all() : Freeze.all().andUnfreeze(open.toArray(String[]::new)))
                .orElse(Freeze.none());
    }

    private static void load(TrainableModel model, AdapterWeights w, String name) {
        Map<String, INDArray> views = model.trainedTensors();
        w.tensors().forEach((k, v) -> {
            INDArray target = views.get(k);
            if (target == null || !Arrays.equals(target.shape(), v.shape())) {
                throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + k + "' of shape "
                        + Arrays.toString(v.shape()) + ", which this network has " + (target == null ? "not"
                        : "with shape " + Arrays.toString(target.shape())) + "; it was made for another model");
            }
            target.assign(v);
        });
    }
}
