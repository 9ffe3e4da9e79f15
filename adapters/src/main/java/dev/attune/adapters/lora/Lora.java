package dev.attune.adapters.lora;

import static java.util.Objects.requireNonNull;

import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LoRA, low-rank adaptation (Hu et al., 2021): a frozen weight matrix {@code W} (DL4J's
 * {@code [in, out]}) is used as {@code W + s (B A)^T}, where {@code A} is {@code [r, in]},
 * {@code B} is {@code [out, r]} and only {@code A} and {@code B} train. Immutable: every option
 * returns a new value, validated at once.
 *
 * <pre>{@code
 * FineTuner.builder(base).adapter(Lora.rank(8).alpha(16).targets("dense*"))
 * }</pre>
 *
 * Defaults: alpha equal to the rank (scaling 1), no dropout, {@code A} Kaiming-uniform and
 * {@code B} zero (so training starts from the base model's outputs exactly), scaling
 * {@code alpha / r}, no bias trained. Adapts DL4J dense, output and 2-D convolution layers and the
 * projections {@code Wq, Wk, Wv, Wo} of {@code SelfAttentionLayer} and {@code LearnedSelfAttentionLayer}
 * (all four by default, see {@link #projections}); DoRA adapts dense, output and convolution layers.
 *
 * <p>On an attention layer with {@code nHeads} heads of {@code headSize}, the query, key and value
 * projections are linear maps from {@code nIn} to {@code nHeads * headSize} (DL4J stores them
 * {@code [nHeads, headSize, nIn]}, PyTorch's {@code [out, in]} reshaped) and the output projection maps
 * {@code nHeads * headSize} to {@code nOut}; each adapted one gets {@code A} ({@code [r, in]}) and
 * {@code B} ({@code [out, r]}), named {@code <layer>.Wq.lora_A}, {@code <layer>.Wq.lora_B} and so on in
 * adapter files. These layers have no bias, so {@link #bias} changes nothing there; the learned
 * queries of a {@code LearnedSelfAttentionLayer} stay frozen. Attention layers without input
 * projection ({@code projectInput(false)}) have no weights and are refused, and so is dropout on an
 * attention target: DL4J's fused attention op takes the adapted weights, not a separate adapter path.
 */
public final class Lora implements AdapterMethod, Serializable {
    private static final long serialVersionUID = 1L;
    /** The largest rank accepted. */
    public static final int MAX_RANK = 512;

    /** How {@code A} starts ({@code B} always starts at zero). */
    public enum Init {
        /** Uniform in {@code ±1/sqrt(in)}: PyTorch's Kaiming-uniform with {@code a = sqrt(5)}, as PEFT does. */
        KAIMING_UNIFORM,
        /** Normal with standard deviation {@code 1/r}, PEFT's {@code "gaussian"}. */
        GAUSSIAN
    }

    /** Which biases train along with the adapter. */
    public enum Bias {
        /** No bias trains (PEFT's {@code "none"}). */
        NONE,
        /** The biases of the adapted layers train (PEFT's {@code "lora_only"}). */
        ADAPTED,
        /**
         * Every bias trains (PEFT's {@code "all"}): the adapted layers' and those of the dense, output and
         * convolution layers that are no targets and that the freeze policy freezes, whose weights stay
         * frozen as an adapted layer's base weights do (no optimizer state, no update; a convolution
         * computes its kernel's gradient in a scratch array only). Each such layer's bias travels in the
         * adapter as {@code <layer>.b}. A frozen layer of another kind that has a bias is refused.
         */
        ALL
    }

    private final int rank;
    private final double alpha;
    private final double dropout;
    private final List<String> targets;
    private final Init init;
    private final boolean rsLora;
    private final Bias bias;
    private final boolean dora;
    private final List<String> projections;

    private Lora(int rank, double alpha, double dropout, List<String> targets, Init init, boolean rsLora, Bias bias,
                 boolean dora, List<String> projections) {
        this.rank = rank;
        this.alpha = alpha;
        this.dropout = dropout;
        this.targets = targets;
        this.init = init;
        this.rsLora = rsLora;
        this.bias = bias;
        this.dora = dora;
        this.projections = projections;
    }

    /**
     * LoRA of the given rank, with alpha equal to the rank. Give the layers with {@link #targets}.
     *
     * @throws IllegalArgumentException when the rank is outside [1, 512]
     */
    public static Lora rank(int rank) {
        if (rank < 1 || rank > MAX_RANK) {
            throw new IllegalArgumentException("LoRA rank must be in [1, " + MAX_RANK + "], got " + rank
                    + "; 4 to 16 is typical");
        }
        return new Lora(rank, rank, 0, List.of(), Init.KAIMING_UNIFORM, false, Bias.NONE, false, LoraAttention.PROJECTIONS);
    }

    /**
     * The scaling numerator: the adapter's output is multiplied by {@code alpha / r}
     * ({@code alpha / sqrt(r)} with {@link #rsLora}).
     *
     * @throws IllegalArgumentException when alpha is not a finite positive number
     */
    public Lora alpha(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("LoRA alpha must be a finite number above 0, got " + value
                    + "; alpha = rank (scaling 1) or 2 x rank are common");
        }
        return new Lora(rank, value, dropout, targets, init, rsLora, bias, dora, projections);
    }

    /**
     * Dropout on the adapter's input during training (not on the base layer's path).
     *
     * @throws IllegalArgumentException when outside [0, 1)
     */
    public Lora dropout(double probability) {
        if (!(probability >= 0 && probability < 1)) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + probability + "; 0.05 to 0.1 is common");
        }
        return new Lora(rank, alpha, probability, targets, init, rsLora, bias, dora, projections);
    }

    /**
     * The layers to adapt, by name or glob ({@code "dense*"}). A glob takes the layers it matches
     * that LoRA adapts (dense, output, convolution, attention); each pattern must take at least one layer.
     *
     * @throws IllegalArgumentException when no pattern, or a blank one, is given
     */
    public Lora targets(String... namesOrGlobs) {
        requireNonNull(namesOrGlobs, "namesOrGlobs");
        if (namesOrGlobs.length == 0) {
            throw new IllegalArgumentException("give at least one LoRA target, for example targets(\"dense*\")");
        }
        List<String> list = new ArrayList<>();
        for (String p : namesOrGlobs) {
            if (requireNonNull(p, "target").isBlank()) {
                throw new IllegalArgumentException("a LoRA target is blank; give a layer name or glob such as \"dense*\"");
            }
            list.add(p);
        }
        return new Lora(rank, alpha, dropout, List.copyOf(list), init, rsLora, bias, dora, projections);
    }

    /**
     * Which projections of the attention layers among the targets to adapt: any of {@code "Wq"},
     * {@code "Wk"}, {@code "Wv"}, {@code "Wo"} (default all four; PEFT's usual choice is the query and
     * value projections, {@code projections("Wq", "Wv")}). Dense, output and convolution targets are
     * not affected.
     *
     * @throws IllegalArgumentException when none, an unknown or a repeated projection is given
     */
    public Lora projections(String... names) {
        requireNonNull(names, "names");
        if (names.length == 0) {
            throw new IllegalArgumentException("give at least one attention projection of " + LoraAttention.PROJECTIONS
                    + ", for example projections(\"Wq\", \"Wv\")");
        }
        List<String> list = new ArrayList<>();
        for (String n : names) {
            if (!LoraAttention.PROJECTIONS.contains(requireNonNull(n, "projection"))) {
                throw new IllegalArgumentException("unknown attention projection '" + n + "'; give any of "
                        + LoraAttention.PROJECTIONS);
            }
            if (list.contains(n)) {
                throw new IllegalArgumentException("attention projection '" + n + "' is given twice; give each once");
            }
            list.add(n);
        }
        // In DL4J's parameter order, whatever the order given: equal choices give equal configurations.
        List<String> ordered = LoraAttention.PROJECTIONS.stream().filter(list::contains).toList();
        return new Lora(rank, alpha, dropout, targets, init, rsLora, bias, dora, ordered);
    }

    /** The attention projections to adapt, in DL4J's order ({@code Wq, Wk, Wv, Wo} by default). */
    public List<String> projectionNames() {
        return projections;
    }

    /** How {@code A} is initialised (default {@link Init#KAIMING_UNIFORM}). */
    public Lora init(Init value) {
        return new Lora(rank, alpha, dropout, targets, requireNonNull(value, "init"), rsLora, bias, dora, projections);
    }

    /** Rank-stabilised LoRA: scaling {@code alpha / sqrt(r)} instead of {@code alpha / r}. */
    public Lora rsLora(boolean value) {
        return new Lora(rank, alpha, dropout, targets, init, value, bias, dora, projections);
    }

    /** Which biases train (default {@link Bias#NONE}). */
    public Lora bias(Bias value) {
        return new Lora(rank, alpha, dropout, targets, init, rsLora, requireNonNull(value, "bias"), dora, projections);
    }

    /**
     * DoRA, weight-decomposed low-rank adaptation (Liu et al., 2024): each output unit's weights are
     * a trained magnitude times the direction of the LoRA-adapted weights,
     * {@code W' = m * (W + s (B A)^T) / ||W + s (B A)^T||} (norms per output unit, {@code m} starting
     * at {@code ||W||}, so training starts from the base model). On a convolution, as PEFT's
     * {@code Conv2d} with {@code use_dora}, the kernel is {@code m * V / ||V||} with
     * {@code V = W + s B A} and norms per output channel over {@code in x kH x kW}; its magnitude is
     * stored as {@code [1, out, 1, 1]}. Its gradients are exact (PEFT treats the norm as a constant in
     * the backward pass). Adapter files name it {@code "dora"}.
     */
    public Lora dora() {
        return new Lora(rank, alpha, dropout, targets, init, rsLora, bias, true, projections);
    }

    /** Whether this is DoRA. */
    public boolean isDora() {
        return dora;
    }

    /** The rank {@code r}. */
    public int rank() {
        return rank;
    }

    /** The factor of the adapter's output: {@code alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scaling() {
        return lowRank().orElseThrow().scaling();
    }

    double dropoutProbability() {
        return dropout;
    }

    Init initialisation() {
        return init;
    }

    boolean trainsBias() {
        return bias != Bias.NONE;
    }

    @Override
    public String name() {
        return dora ? "dora" : "lora";
    }

    @Override
    public List<String> targets() {
        return targets;
    }

    @Override
    public boolean supports(Layer layer) {
        return (layer.getClass() == DenseLayer.class && !((DenseLayer) layer).hasLayerNorm())
                || layer.getClass() == OutputLayer.class
                || layer.getClass() == ConvolutionLayer.class
                || (LoraAttention.isAttention(layer) && !dora);
    }

    @Override
    public Layer adapt(Layer target) {
        if (!supports(target)) {
            throw new IllegalArgumentException(name() + " cannot adapt layer '" + target.getLayerName() + "', a "
                    + target.getClass().getSimpleName() + "; it adapts DenseLayer (without layer norm), OutputLayer"
                    + (dora ? " and ConvolutionLayer" : ", ConvolutionLayer, SelfAttentionLayer and LearnedSelfAttentionLayer"));
        }
        if (LoraAttention.isAttention(target)) {
            return adaptAttention((org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer) target);
        }
        FeedForwardLayer f = (FeedForwardLayer) target;
        long in = LoraParams.fanIn(target);
        if (rank > Math.min(in, f.getNOut())) {
            throw new IllegalArgumentException("LoRA rank " + rank + " is larger than layer '" + target.getLayerName()
                    + "' (" + in + " inputs, " + f.getNOut() + " outputs); use a rank of at most " + Math.min(in, f.getNOut()));
        }
        return configure(target, LoraSpec.of(this, hasBias(target)));
    }

    private static Layer configure(Layer layer, LoraSpec spec) {
        if (layer instanceof ConvolutionLayer c) {
            return new LoraConv(c, spec);
        }
        return layer instanceof OutputLayer o ? new LoraOutput(o, spec) : new LoraDense((DenseLayer) layer, spec);
    }

    private static boolean hasBias(Layer layer) {
        return !layer.initializer().biasKeys(layer).isEmpty();
    }

    /** With {@link Bias#ALL}: every layer that has a bias. */
    @Override
    public boolean trainsPartOf(Layer layer) {
        return bias == Bias.ALL && hasBias(layer);
    }

    /**
     * With {@link Bias#ALL}: the layer with its weights frozen and its bias trained.
     *
     * @throws IllegalArgumentException for a layer that is not a dense layer without layer norm, an
     *     output layer or a convolution layer
     */
    @Override
    public Layer adaptPart(Layer layer) {
        if (!trainsPartOf(layer)) {
            throw new IllegalArgumentException(name() + " trains no part of layer '" + layer.getLayerName()
                    + "', which is no target: with bias " + bias + (bias == Bias.ALL ? " it has no bias"
                    : bias == Bias.NONE ? " it trains no bias" : " it trains its targets' biases only"));
        }
        if (!supports(layer)) {
            throw new IllegalArgumentException("bias ALL trains every bias, but " + name() + " cannot train the bias of"
                    + " layer '" + layer.getLayerName() + "', a " + layer.getClass().getSimpleName() + ", without its"
                    + " weights (it can for DenseLayer without layer norm, OutputLayer and ConvolutionLayer); train that"
                    + " layer in full (leave it unfrozen: freeze(Freeze.all().andUnfreeze(\"" + layer.getLayerName()
                    + "\"))) or use bias ADAPTED");
        }
        return configure(layer, LoraSpec.biasOnly());
    }

    private Layer adaptAttention(org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer target) {
        String type = target.getClass().getSimpleName();
        if (!LoraAttention.projects(target)) {
            throw new IllegalArgumentException("layer '" + target.getLayerName() + "' is a " + type + " without input"
                    + " projection (projectInput = false): it has no weights for LoRA to adapt; build it with"
                    + " projectInput(true), or leave it out of the targets");
        }
        if (dropout > 0) {
            throw new IllegalArgumentException("LoRA dropout " + dropout + " is not supported on attention layer '"
                    + target.getLayerName() + "' (" + type + "): DL4J's attention op takes the adapted weights, with no"
                    + " separate adapter input to drop; use dropout(0) for attention targets");
        }
        for (String p : projections) {
            long[] io = LoraAttention.inOut(target, p);
            if (rank > Math.min(io[0], io[1])) {
                throw new IllegalArgumentException("LoRA rank " + rank + " is larger than projection " + p + " of layer '"
                        + target.getLayerName() + "' (" + io[0] + " inputs, " + io[1] + " outputs); use a rank of at most "
                        + Math.min(io[0], io[1]));
            }
        }
        return new LoraAttention(target, this);
    }

    /**
     * The LoRA adapter whose update is the weighted sum of the given ones' updates,
     * {@code sum_i w_i s_i (B_i A_i)^T}: their {@code A} and {@code B} concatenated (rank
     * {@code sum_i r_i}, scaling 1), as PEFT's {@code "cat"} combination does. Tensors trained in
     * full (a head, biases) become the weighted sum of theirs.
     *
     * @throws IllegalArgumentException when the adapters differ in base model, targets, head or tensors,
     *     or a weight is not finite
     */
    @Override
    public AdapterWeights combine(List<AdapterWeights> adapters, double[] weights) {
        requireNonNull(adapters, "adapters");
        requireNonNull(weights, "weights");
        if (adapters.isEmpty() || adapters.size() != weights.length) {
            throw new IllegalArgumentException("give one weight per adapter: " + adapters.size() + " adapters, "
                    + weights.length + " weights");
        }
        AdapterWeights first = adapters.get(0);
        if (adapters.stream().anyMatch(a -> a.method() instanceof Lora l && l.dora)) {
            throw new IllegalArgumentException("DoRA adapters cannot be combined: their per-unit normalisation is not"
                    + " linear in the update; combine plain LoRA adapters");
        }
        int total = 0;
        for (int i = 0; i < adapters.size(); i++) {
            AdapterWeights a = adapters.get(i);
            if (!(a.method() instanceof Lora l) || !l.targets.equals(first.method().targets())
                    || !a.baseFingerprint().equals(first.baseFingerprint()) || !java.util.Objects.equals(a.head(), first.head())
                    || !a.tensors().keySet().equals(first.tensors().keySet())) {
                throw new IllegalArgumentException("adapter " + (i + 1) + " of " + adapters.size() + " (" + a.method()
                        + ", head " + a.head() + ") cannot be combined with the first (" + first.method() + ", head "
                        + first.head() + "): combine LoRA adapters of one base model, targets, head and tensors");
            }
            if (!Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("weight " + (i + 1) + " is " + weights[i] + "; give finite weights");
            }
            total += l.rank;
        }
        Lora combined = Lora.rank(total).alpha(total).targets(targets.toArray(String[]::new)).init(init).bias(bias)
                .projections(projections.toArray(String[]::new));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String key : first.tensors().keySet()) {
            List<INDArray> parts = new ArrayList<>();
            for (int i = 0; i < adapters.size(); i++) {
                INDArray t = adapters.get(i).tensor(key);
                double factor = weights[i] * ((Lora) adapters.get(i).method()).scaling();
                parts.add(key.endsWith(".lora_A") ? t.muli(factor) : t);
            }
            INDArray out;
            if (key.endsWith(".lora_A")) {
                out = Nd4j.vstack(parts.toArray(INDArray[]::new));
            } else if (key.endsWith(".lora_B")) {
                out = Nd4j.hstack(parts.toArray(INDArray[]::new));
            } else {
                out = parts.get(0).muli(weights[0]);
                for (int i = 1; i < parts.size(); i++) {
                    out.addi(parts.get(i).muli(weights[i]));
                }
            }
            tensors.put(key, out);
        }
        Map<String, String> provenance = new LinkedHashMap<>(first.provenance());
        provenance.put("combination", "weights " + java.util.Arrays.toString(weights) + " of " + adapters.size() + " LoRA adapters");
        return new AdapterWeights(combined, first.head(), tensors, first.baseFingerprint(), provenance);
    }

    /**
     * This LoRA's options as the typed spec every model family reads: rank, alpha, rsLoRA, init,
     * targets, DoRA, bias, dropout and the attention projections.
     */
    @Override
    public Optional<LowRankSpec> lowRank() {
        LowRankSpec.Init i = switch (init) {
            case KAIMING_UNIFORM -> LowRankSpec.Init.KAIMING_UNIFORM;
            case GAUSSIAN -> LowRankSpec.Init.GAUSSIAN;
        };
        LowRankSpec.Bias b = switch (bias) {
            case NONE -> LowRankSpec.Bias.NONE;
            case ADAPTED -> LowRankSpec.Bias.ADAPTED;
            case ALL -> LowRankSpec.Bias.ALL;
        };
        List<LowRankSpec.Projection> p = projections.stream().map(Lora::projection).toList();
        return Optional.of(new LowRankSpec(rank, alpha, rsLora, i, targets, dora, b, dropout, p));
    }

    private static LowRankSpec.Projection projection(String name) {
        return switch (name) {
            case "Wq" -> LowRankSpec.Projection.QUERY;
            case "Wk" -> LowRankSpec.Projection.KEY;
            case "Wv" -> LowRankSpec.Projection.VALUE;
            case "Wo" -> LowRankSpec.Projection.OUTPUT;
            default -> throw new IllegalStateException("attention projection '" + name + "' has no spec counterpart");
        };
    }

    @Override
    public Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("rank", String.valueOf(rank));
        c.put("alpha", String.valueOf(alpha));
        c.put("dropout", String.valueOf(dropout));
        c.put("targets", String.join(",", targets));
        c.put("init", init.name());
        c.put("rsLora", String.valueOf(rsLora));
        c.put("bias", bias.name());
        c.put("dora", String.valueOf(dora));
        c.put("projections", String.join(",", projections));
        return c;
    }

    /**
     * The LoRA described by a {@link #config()} map, as read from an adapter file.
     *
     * @throws IllegalArgumentException when a value is missing or invalid
     */
    public static Lora fromConfig(Map<String, String> config) {
        try {
            Lora l = rank(Integer.parseInt(value(config, "rank")))
                    .alpha(Double.parseDouble(value(config, "alpha")))
                    .dropout(Double.parseDouble(value(config, "dropout")))
                    .init(Init.valueOf(value(config, "init")))
                    .rsLora(Boolean.parseBoolean(value(config, "rsLora")))
                    .bias(Bias.valueOf(value(config, "bias")));
            if (Boolean.parseBoolean(config.getOrDefault("dora", "false"))) {
                l = l.dora();
            }
            // Files written before attention layers were adapted have no projections: all four.
            l = l.projections(config.getOrDefault("projections", String.join(",", LoraAttention.PROJECTIONS)).split(","));
            String t = value(config, "targets");
            return t.isEmpty() ? l : l.targets(t.split(","));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid LoRA configuration " + config + ": " + e.getMessage(), e);
        }
    }

    private static String value(Map<String, String> config, String key) {
        String v = config.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing '" + key + "'");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Lora l && config().equals(l.config());
    }

    @Override
    public int hashCode() {
        return config().hashCode();
    }

    @Override
    public String toString() {
        return (dora ? "Dora" : "Lora") + config();
    }
}
