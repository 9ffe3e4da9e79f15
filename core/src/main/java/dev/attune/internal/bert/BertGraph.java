package dev.attune.internal.bert;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A BERT encoder as a SameDiff graph, written op by op as Hugging Face's {@code BertModel} computes
 * it: word + position + token-type embeddings and a layer norm; per layer multi-head self-attention
 * with the additive mask {@code (1 - mask) * -Float.MAX_VALUE} (the most negative float, as HF does),
 * output projection, residual and layer norm, then the exact (erf) GELU feed-forward, residual and
 * layer norm; then mean pooling of the last hidden states over the mask, as sentence-transformers'
 * {@code Pooling(mean)} does (not L2-normalised).
 *
 * <p>The word embeddings are looked up in one of two ways ({@link Lookup}): {@code GATHER} copies rows
 * (fast; the table is then a SameDiff CONSTANT, since ND4J 1.0.0-M2.1's {@code gather} backward pass
 * does not add up the gradients of an id that occurs more than once: for an id at three positions it
 * gave about a quarter of the finite-difference gradient), or {@code ONE_HOT} multiplies one-hot rows by the table (exact gradient for the table, at
 * the cost of a {@code [tokens, vocab] x [vocab, hidden]} product). Both compute the same values.
 * Position and token-type embeddings are slices of their tables.
 *
 * <p>Every other weight (and the word table under {@code ONE_HOT}) is a SameDiff VARIABLE named by
 * its layer: {@code embeddings.*} and {@code encoder.N.*} (N from 0), with Hugging Face's module names below that, e.g.
 * {@code encoder.0.attention.self.query.weight}. Dense weights are stored {@code [in, out]} (the
 * transpose of PyTorch's {@code Linear.weight}), so a layer computes {@code x W + b}.
 *
 * <p>Inputs are the placeholders {@value #INPUT_IDS} (INT64 {@code [batch, seqLen]}) and
 * {@value #ATTENTION_MASK} ({@code [batch, seqLen]}, 1 for a token, 0 for padding, in the graph's
 * float type), both of any batch size and length up to {@code maxPositions}. All tokens have token
 * type 0 (one segment). Outputs: {@value #LAST_HIDDEN_STATE} {@code [batch, seqLen, hidden]} and
 * {@value #POOLED} {@code [batch, hidden]}.
 *
 * <p>With LoRA ({@link BertLora}, given to {@link #build(BertConfig, Map, DataType, Lookup, BertLora)}
 * or {@link #withLora}), every targeted projection computes {@code x W + b + s (x A^T) B^T}; the
 * adapter weights {@code <module>.lora_A} and {@code <module>.lora_B} are then the only VARIABLEs
 * and every base weight is a CONSTANT (no gradient). {@link #merge} folds the adapters back into
 * the base weights.
 */
public final class BertGraph {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";
    public static final String POOLED = "pooled";
    /** The additive mask value for padding: the most negative float, as HF BERT uses. */
    static final double MASK_VALUE = -Float.MAX_VALUE;
    public static final String WORDS = "embeddings.word_embeddings.weight";

    /** How the word embeddings are looked up. */
    public enum Lookup {
        /** Rows copied by id; the word table is a constant (not trainable). */
        GATHER,
        /** One-hot rows times the table; the word table is a variable with an exact gradient. */
        ONE_HOT
    }

    private final BertConfig config;
    private final SameDiff sd;
    private final DataType dataType;
    private final Lookup lookup;
    private final BertLora lora; // null: no adapter
    private final List<String> loraModules;
    /** The written-out pass over this graph's arrays, made on first use. */
    private BertForward forward;

    private BertGraph(BertConfig config, SameDiff sd, DataType dataType, Lookup lookup, BertLora lora,
            List<String> loraModules) {
        this.config = config;
        this.sd = sd;
        this.dataType = dataType;
        this.lookup = lookup;
        this.lora = lora;
        this.loraModules = loraModules;
    }

    /**
     * Every parameter's name and shape, in forward order.
     */
    public static Map<String, long[]> parameterShapes(BertConfig c) {
        long h = c.hiddenSize();
        long i = c.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
        shapes.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), h});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        shapes.put("embeddings.LayerNorm.weight", new long[] {h});
        shapes.put("embeddings.LayerNorm.bias", new long[] {h});
        for (int n = 0; n < c.numLayers(); n++) {
            String p = "encoder." + n + ".";
            for (String proj : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                shapes.put(p + proj + ".weight", new long[] {h, h});
                shapes.put(p + proj + ".bias", new long[] {h});
            }
            shapes.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            shapes.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            shapes.put(p + "intermediate.dense.weight", new long[] {h, i});
            shapes.put(p + "intermediate.dense.bias", new long[] {i});
            shapes.put(p + "output.dense.weight", new long[] {i, h});
            shapes.put(p + "output.dense.bias", new long[] {h});
            shapes.put(p + "output.LayerNorm.weight", new long[] {h});
            shapes.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        return shapes;
    }

    /**
     * Builds the graph with the given weights (one per {@link #parameterShapes} entry, of that
     * shape; cast to {@code dataType}).
     *
     * @throws IllegalArgumentException when a weight is missing or of the wrong shape
     */
    public static BertGraph build(BertConfig config, Map<String, INDArray> weights, DataType dataType, Lookup lookup) {
        return create(config, weights, dataType, lookup, null);
    }

    /**
     * Builds the graph with the given weights and LoRA on the modules the spec targets: base weights
     * as CONSTANTs, each targeted module's {@code lora_A} (Kaiming-uniform from the spec's seed, in
     * module order) and {@code lora_B} (zero) as VARIABLEs.
     *
     * @throws IllegalArgumentException when a weight is missing or of the wrong shape, a target
     *     matches no linear module, or the rank exceeds a targeted module's width
     */
    public static BertGraph build(BertConfig config, Map<String, INDArray> weights, DataType dataType, Lookup lookup,
            BertLora lora) {
        return create(config, weights, dataType, lookup, requireNonNull(lora, "lora"));
    }

    private static BertGraph create(BertConfig config, Map<String, INDArray> weights, DataType dataType, Lookup lookup,
            BertLora lora) {
        requireNonNull(config, "config");
        requireNonNull(lookup, "lookup");
        requireNonNull(weights, "weights");
        requireNonNull(dataType, "dataType");
        if (!dataType.isFPType()) {
            throw new IllegalArgumentException("the data type must be a floating-point type, got " + dataType);
        }
        List<String> loraModules = lora == null ? List.of() : lora.modules(config);
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> v = new LinkedHashMap<>();
        parameterShapes(config).forEach((name, shape) -> {
            INDArray w = weights.get(name);
            if (w == null) {
                throw new IllegalArgumentException("no weight '" + name + "' of shape " + Arrays.toString(shape)
                        + "; give one per BertGraph.parameterShapes entry");
            }
            if (!Arrays.equals(w.shape(), shape)) {
                throw new IllegalArgumentException("weight '" + name + "' has shape " + Arrays.toString(w.shape())
                        + ", expected " + Arrays.toString(shape));
            }
            INDArray value = w.castTo(dataType).dup('c');
            boolean frozen = lora != null || (name.equals(WORDS) && lookup == Lookup.GATHER);
            v.put(name, frozen ? sd.constant(name, value) : sd.var(name, value));
        });
        if (lora != null) {
            loraInit(config, lora, dataType).forEach((name, value) -> v.put(name, sd.var(name, value)));
        }
        new Builder(sd, config, v, dataType, lookup, lora == null ? Set.of() : Set.copyOf(loraModules),
                lora == null ? 0 : lora.scale()).build();
        return new BertGraph(config, sd, dataType, lookup, lora, loraModules);
    }

    /**
     * Fresh adapter weights for the modules the spec targets, in module order, {@code lora_A} then
     * {@code lora_B} per module: {@code A} ({@code [r, in]}) Kaiming-uniform in {@code ±1/sqrt(in)}
     * (or normal with standard deviation {@code 1/r} when the spec says gaussian), drawn from the
     * spec's seed; {@code B} ({@code [out, r]}) zero.
     *
     * @throws IllegalArgumentException as {@link BertLora#modules}
     */
    static Map<String, INDArray> loraInit(BertConfig config, BertLora lora, DataType dataType) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Random rng = new Random(lora.seed());
        for (String m : lora.modules(config)) {
            long[] shape = parameterShapes(config).get(m + ".weight"); // [in, out]
            double bound = 1 / Math.sqrt(shape[0]);
            double[] a = new double[(int) (lora.rank() * shape[0])];
            for (int k = 0; k < a.length; k++) {
                a[k] = lora.gaussian() ? rng.nextGaussian() / lora.rank() : bound * (2 * rng.nextDouble() - 1);
            }
            out.put(m + ".lora_A", Nd4j.createFromArray(a).reshape(lora.rank(), shape[0]).castTo(dataType));
            out.put(m + ".lora_B", Nd4j.zeros(dataType, shape[1], lora.rank()));
        }
        return out;
    }

    /**
     * A randomly initialised encoder as Hugging Face initialises BERT: weights and embeddings drawn
     * from N(0, 0.02²), layer-norm gains 1, biases 0. The same seed gives the same weights.
     */
    public static BertGraph random(BertConfig config, long seed, DataType dataType, Lookup lookup) {
        requireNonNull(config, "config");
        Random rng = new Random(seed);
        Map<String, INDArray> weights = new LinkedHashMap<>();
        parameterShapes(config).forEach((name, shape) -> {
            long n = ArrayUtil.prodLong(shape);
            double[] values = new double[(int) n];
            if (name.endsWith("LayerNorm.weight")) {
                Arrays.fill(values, 1.0);
            } else if (!name.endsWith(".bias")) {
                for (int k = 0; k < values.length; k++) {
                    values[k] = 0.02 * rng.nextGaussian();
                }
            }
            weights.put(name, Nd4j.createFromArray(values).reshape(shape));
        });
        return build(config, weights, dataType, lookup);
    }

    public BertConfig config() {
        return config;
    }

    /** The graph (shared, not a copy). */
    public SameDiff sameDiff() {
        return sd;
    }

    DataType dataType() {
        return dataType;
    }

    Lookup lookup() {
        return lookup;
    }

    /** The parameter names, in forward order. */
    List<String> parameterNames() {
        return new ArrayList<>(parameterShapes(config).keySet());
    }

    /** The LoRA spec, if the graph has one. */
    Optional<BertLora> lora() {
        return Optional.ofNullable(lora);
    }

    /** The modules that carry a LoRA adapter, in forward order (none without LoRA). */
    List<String> loraModules() {
        return loraModules;
    }

    /** The names of the graph's VARIABLEs (what training updates), in forward order. */
    List<String> trainableNames() {
        List<String> out = new ArrayList<>();
        if (lora != null) {
            loraModules.forEach(m -> out.addAll(List.of(m + ".lora_A", m + ".lora_B")));
        } else {
            parameterNames().stream().filter(n -> sd.getVariable(n).getVariableType() == VariableType.VARIABLE)
                    .forEach(out::add);
        }
        return out;
    }

    /** The number of weights in the VARIABLEs. */
    long trainableParams() {
        return trainableNames().stream().mapToLong(n -> sd.getArrForVarName(n).length()).sum();
    }

    /** Copies of the current base weights, one per {@link #parameterShapes} entry. */
    public Map<String, INDArray> weights() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        parameterNames().forEach(n -> out.put(n, sd.getArrForVarName(n).dup()));
        return out;
    }

    /**
     * A new graph with this one's current base weights and LoRA as the spec says (fresh adapters:
     * {@code B} zero, so it computes what this graph computes).
     *
     * @throws IllegalStateException when this graph already has LoRA; merge it first
     * @throws IllegalArgumentException as {@link #build(BertConfig, Map, DataType, Lookup, BertLora)}
     */
    BertGraph withLora(BertLora spec) {
        requireNonNull(spec, "spec");
        if (lora != null) {
            throw new IllegalStateException("this graph already has LoRA (" + lora + "); merge() it before adding another");
        }
        return build(config, weights(), dataType, lookup, spec);
    }

    /**
     * A new graph without LoRA whose base weights hold the adapters: {@code W + s (B A)^T} for each
     * adapted module, other weights as they are; it computes what this graph computes, up to
     * rounding. Without LoRA, a copy of this graph.
     */
    BertGraph merge() {
        Map<String, INDArray> w = weights();
        if (lora != null) {
            for (String m : loraModules) {
                w.get(m + ".weight").addi(lora.delta(sd.getArrForVarName(m + ".lora_A"), sd.getArrForVarName(m + ".lora_B")));
            }
        }
        return build(config, w, dataType, lookup);
    }

    /**
     * Runs the graph: the named outputs for token ids (any integer type) and a 0/1 mask, both
     * {@code [batch, seqLen]}. Arguments are checked by the caller.
     */
    public Map<String, INDArray> run(INDArray ids, INDArray mask, String... outputs) {
        Map<String, INDArray> in = Map.of(INPUT_IDS, ids.castTo(DataType.INT64), ATTENTION_MASK, mask.castTo(dataType));
        return sd.output(in, outputs);
    }

    /**
     * The mean-pooled embeddings ({@value #POOLED}) for token ids and a 0/1 mask, both {@code [batch,
     * seqLen]}, computed by the written-out forward pass ({@link BertForward}) over this graph's current
     * arrays for a float or double graph, else by {@link #run}. Arguments are checked by the caller.
     */
    public synchronized INDArray pooled(INDArray ids, INDArray mask) {
        if (!BertForward.supports(dataType)) {
            return run(ids, mask, POOLED).get(POOLED);
        }
        if (forward == null) {
            forward = new BertForward(config, dataType);
        }
        Map<String, INDArray> arrays = new java.util.HashMap<>();
        parameterShapes(config).keySet().forEach(n -> arrays.put(n, sd.getArrForVarName(n)));
        for (String m : loraModules) {
            arrays.put(m + ".lora_A", sd.getArrForVarName(m + ".lora_A"));
            arrays.put(m + ".lora_B", sd.getArrForVarName(m + ".lora_B"));
        }
        return forward.pooled(arrays, Set.copyOf(loraModules), lora == null ? 0 : lora.scale(), ids, mask);
    }

    /** Writes the ops of the graph. */
    private static final class Builder {
        private final SameDiff sd;
        private final BertConfig c;
        private final Map<String, SDVariable> v;
        private final DataType dt;
        private final Lookup lookup;
        private final Set<String> adapted;
        private final double scale;

        Builder(SameDiff sd, BertConfig c, Map<String, SDVariable> v, DataType dt, Lookup lookup, Set<String> adapted,
                double scale) {
            this.sd = sd;
            this.c = c;
            this.v = v;
            this.dt = dt;
            this.lookup = lookup;
            this.adapted = adapted;
            this.scale = scale;
        }

        void build() {
            int h = c.hiddenSize();
            SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT64, -1, -1);
            SDVariable mask = sd.placeHolder(ATTENTION_MASK, dt, -1, -1);
            SDVariable idsShape = ids.shape(); // [batch, seqLen], INT64
            SDVariable seqLen = sd.sizeAt(ids, 1);

            // Embeddings: [batch, seqLen, hidden], then flattened to [batch * seqLen, hidden].
            SDVariable words = lookup == Lookup.GATHER ? sd.gather(v.get(WORDS), ids, 0)
                    : sd.mmul(sd.oneHot(ids.reshape(-1), c.vocabSize(), -1, 1.0, 0.0, dt), v.get(WORDS))
                            .reshape(sd.concat(0, idsShape, sd.constant(Nd4j.createFromArray((long) h))));
            SDVariable positions = sd.slice(v.get("embeddings.position_embeddings.weight"),
                    sd.constant(Nd4j.createFromArray(0L, 0L)),
                    sd.concat(0, seqLen.reshape(1), sd.constant(Nd4j.createFromArray((long) h))));
            SDVariable types = sd.slice(v.get("embeddings.token_type_embeddings.weight"), new int[] {0, 0}, 1, h);
            SDVariable x = words.add(positions).add(types).reshape(-1, h);
            x = layerNorm(x, "embeddings.LayerNorm");

            // The additive attention mask, [batch, 1, 1, seqLen].
            SDVariable additive = mask.rsub(1.0).mul(MASK_VALUE);
            additive = sd.expandDims(sd.expandDims(additive, 1), 1);
            SDVariable headsShape = sd.concat(0, idsShape,
                    sd.constant(Nd4j.createFromArray((long) c.numHeads(), (long) c.headSize())));
            for (int n = 0; n < c.numLayers(); n++) {
                x = layer(x, "encoder." + n + ".", additive, headsShape);
            }
            SDVariable hidden = sd.reshape(LAST_HIDDEN_STATE, x,
                    sd.concat(0, idsShape, sd.constant(Nd4j.createFromArray((long) h))));

            // Mean pooling over the tokens the mask keeps.
            SDVariable keep = sd.expandDims(mask, 2);
            SDVariable summed = hidden.mul(keep).sum(1);
            sd.math().div(POOLED, summed, mask.sum(true, 1));
        }

        private SDVariable layer(SDVariable x, String p, SDVariable additive, SDVariable headsShape) {
            SDVariable q = heads(dense(x, p + "attention.self.query"), headsShape);
            SDVariable k = heads(dense(x, p + "attention.self.key"), headsShape);
            SDVariable val = heads(dense(x, p + "attention.self.value"), headsShape);
            SDVariable scores = sd.mmul(q, k, false, true, false).mul(1.0 / Math.sqrt(c.headSize())).add(additive);
            SDVariable probs = sd.nn().softmax(scores, 3);
            SDVariable context = sd.permute(sd.mmul(probs, val), 0, 2, 1, 3).reshape(-1, c.hiddenSize());
            SDVariable attended = layerNorm(dense(context, p + "attention.output.dense").add(x),
                    p + "attention.output.LayerNorm");
            SDVariable inner = gelu(dense(attended, p + "intermediate.dense"));
            return layerNorm(dense(inner, p + "output.dense").add(attended), p + "output.LayerNorm");
        }

        /** [batch * seqLen, hidden] to [batch, heads, seqLen, headSize]. */
        private SDVariable heads(SDVariable x, SDVariable headsShape) {
            return sd.permute(sd.reshape(x, headsShape), 0, 2, 1, 3);
        }

        /** {@code x W + b}, plus {@code s (x A^T) B^T} on a module with LoRA. */
        private SDVariable dense(SDVariable x, String module) {
            SDVariable out = sd.mmul(x, v.get(module + ".weight")).add(v.get(module + ".bias"));
            if (!adapted.contains(module)) {
                return out;
            }
            SDVariable down = sd.mmul(x, v.get(module + ".lora_A"), false, true, false).mul(scale); // [rows, r]
            return out.add(sd.mmul(down, v.get(module + ".lora_B"), false, true, false));
        }

        /** Layer norm over the last axis of [rows, width], with the biased variance, as PyTorch's. */
        private SDVariable layerNorm(SDVariable x, String module) {
            SDVariable centred = x.sub(x.mean(true, 1));
            SDVariable variance = centred.mul(centred).mean(true, 1);
            SDVariable normed = centred.div(sd.math().sqrt(variance.add(c.layerNormEps())));
            return normed.mul(v.get(module + ".weight")).add(v.get(module + ".bias"));
        }

        /** GELU, exact form: x * (1 + erf(x / sqrt 2)) / 2, as HF's "gelu". */
        private SDVariable gelu(SDVariable x) {
            return x.mul(sd.math().erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0)).mul(0.5);
        }
    }
}
