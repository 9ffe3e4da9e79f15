package dev.attune.internal.bert;

import dev.attune.internal.math.Rows;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.ModelFamily;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The model handle over a BERT encoder ({@link BertGraph}) with an optional dense softmax head on its
 * mean-pooled output. Inputs are {@code [n, 2, seqLen]}: channel 0 the token ids, channel 1 the
 * attention mask (as the tokenizer writes them).
 *
 * <p>Layers, in forward order: {@code embeddings}, {@code encoder.0} ... {@code encoder.N-1}, and the
 * head (weights {@code W [hidden, classes]} and {@code b [classes]}). Every tensor is a view into one
 * flat parameter vector ({@link #params()}), in the order of {@link BertGraph#parameterShapes} with
 * the head last.
 *
 * <p>With LoRA ({@link BertLora}, from the plan's adapter method) the adapters' tensors
 * ({@code <module>.lora_A} {@code [r, in]}, {@code <module>.lora_B} {@code [out, r]}) follow the
 * encoder's in the vector, before the head; inference then runs the adapter path of the modules whose
 * adapter is not merged into their weight, and
 * {@link #mergedCopy()} folds them into a plain encoder, which is what model files hold.
 *
 * <p>The handle's jobs lie in files of their own: the parameter layout ({@link BertLayout}), the
 * inference pass ({@link BertForward}) and graphs ({@link BertInference}), input checks ({@link TokenInputs}), the model file
 * ({@link BertFile}), plan resolution ({@link BertPlan}) and the adapted modules ({@link BertModule}).
 */
public final class BertHandle implements ModelHandle {
    /** Rows per forward pass in inference. */
    private static final int BATCH = 64;

    private final BertConfig config;
    private final DataType dataType;
    private final String headName;
    private final int headClasses;
    private final INDArray flat;
    private final Map<String, INDArray> tensors;
    private final Map<String, long[]> offsets;
    /** LoRA on the encoder's projections, or {@code null}. */
    private final BertLora lora;
    private final List<String> loraModules;
    /** The adapted modules whose adapter is folded into the base weight; shared by the views of one model. */
    private final Set<String> merged;
    /**
     * How often the parameters may have been written: bumped whenever a caller takes the live tensors or
     * the vector, and by merges; shared by the views of one model. A graph is refreshed when it changed.
     */
    private final long[] version;
    private final BertInference inference;
    /** The written-out forward pass, for float and double models. */
    private final BertForward forward;

    private BertHandle(BertConfig config, DataType dataType, BertLora lora, String headName, int headClasses,
            INDArray flat, Set<String> merged, long[] version) {
        this.config = config;
        this.dataType = dataType;
        this.lora = lora;
        this.loraModules = lora == null ? List.of() : lora.modules(config);
        this.headName = headName;
        this.headClasses = headClasses;
        this.flat = flat;
        this.merged = merged;
        this.version = version;
        this.tensors = new LinkedHashMap<>();
        this.offsets = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : BertLayout.shapes(config, lora, headName, headClasses).entrySet()) {
            long n = ArrayUtil.prodLong(e.getValue());
            tensors.put(e.getKey(), flat.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(offset, offset + n))
                    .reshape('c', e.getValue()));
            offsets.put(e.getKey(), new long[] {offset, n});
            offset += n;
        }
        if (offset != flat.length()) {
            throw new IllegalArgumentException("the parameter vector has " + flat.length() + " values, the model "
                    + offset);
        }
        this.inference = new BertInference(config, dataType, tensors, lora, loraModules, merged, version);
        this.forward = new BertForward(config, dataType);
    }

    /** A handle without LoRA over a parameter vector of the layout of its configuration and head. */
    static BertHandle plain(BertConfig config, DataType dataType, String headName, int headClasses, INDArray flat) {
        return new BertHandle(config, dataType, null, headName, headClasses, flat, new HashSet<>(), new long[1]);
    }

    /** The number of parameters of an encoder of this configuration (no head). */
    public static long encoderParams(BertConfig config) {
        return BertLayout.count(BertGraph.parameterShapes(config));
    }

    /** A headless handle over a copy of an encoder's weights. */
    public static BertHandle of(BertGraph g) {
        BertHandle h = new BertHandle(g.config(), g.dataType(), null, null, 0,
                Nd4j.create(g.dataType(), 1, encoderParams(g.config())), new HashSet<>(), new long[1]);
        for (String name : g.parameterNames()) {
            h.tensors.get(name).assign(g.sameDiff().getArrForVarName(name));
        }
        return h;
    }

    /** A handle over the same parameters (shared): another view of this model. */
    BertHandle shared() {
        return new BertHandle(config, dataType, lora, headName, headClasses, flat, merged, version);
    }

    /** An independent copy. */
    BertHandle copy() {
        return new BertHandle(config, dataType, lora, headName, headClasses, flat.dup('c'), new HashSet<>(merged),
                new long[1]);
    }

    /**
     * An independent copy without LoRA: each adapted module's weight holds its adapter,
     * {@code W + s (B A)^T} (unless already merged), every other tensor as it is. Without LoRA, {@link #copy}.
     */
    BertHandle mergedCopy() {
        if (lora == null) {
            return copy();
        }
        BertHandle out = new BertHandle(config, dataType, null, headName, headClasses,
                Nd4j.create(dataType, 1, BertLayout.count(BertLayout.shapes(config, headName, headClasses))), new HashSet<>(), new long[1]);
        out.tensors.forEach((name, t) -> t.assign(tensors.get(name)));
        for (String m : loraModules) {
            if (!merged.contains(m)) {
                out.tensors.get(m + ".weight").addi(delta(m));
            }
        }
        return out;
    }

    /** A module's adapter as a weight update: {@code s (B A)^T = s A^T B^T}, {@code [in, out]}. */
    INDArray delta(String module) {
        return lora.delta(tensors.get(module + ".lora_A"), tensors.get(module + ".lora_B"));
    }

    /** The LoRA on this encoder, or {@code null}. */
    public BertLora lora() {
        return lora;
    }

    /** The modules with LoRA, in forward order (none without). */
    List<String> loraModules() {
        return loraModules;
    }

    /** Marks the parameters as possibly written: graphs refresh their copies before they next run. */
    void touched() {
        version[0]++;
    }

    /** The adapted modules, with their merge state shared by this model's views. */
    List<AdaptedLayer> adaptedModules() {
        List<AdaptedLayer> out = new ArrayList<>();
        loraModules.forEach(m -> out.add(new BertModule(this, m)));
        return List.copyOf(out);
    }

    BertConfig config() {
        return config;
    }

    DataType dataType() {
        return dataType;
    }

    /** The named tensors, live views into {@link #params()} (they may be written: graphs refresh). */
    public Map<String, INDArray> tensors() {
        touched();
        return tensors;
    }

    String headName() {
        return headName;
    }

    /** The layer a tensor belongs to. */
    String layerOf(String tensor) {
        return BertLayout.layerOf(tensor, headName);
    }

    /** The named tensors without marking them written: for readers that do not change them, or mark it themselves. */
    Map<String, INDArray> views() {
        return tensors;
    }

    /** The parameter vector without marking it written. */
    INDArray vector() {
        return flat;
    }

    /** The adapted modules whose adapter is folded into the base weight: shared by the views of one model. */
    Set<String> mergedModules() {
        return merged;
    }

    int headClasses() {
        return headClasses;
    }

    @Override
    public List<LayerInfo> layers() {
        return BertLayout.layers(config, lora, headClasses > 0 ? headName : null, headClasses);
    }

    @Override
    public long numParams() {
        return flat.length();
    }

    /** The head's classes; the pooled embedding's width for an encoder without a head. */
    @Override
    public int numOutputs() {
        return headClasses > 0 ? headClasses : config.hiddenSize();
    }

    /** Class probabilities of the head; the mean-pooled embeddings for an encoder without a head. */
    @Override
    public INDArray output(INDArray features) {
        INDArray pooled = pooled(features);
        return headClasses > 0 ? head(pooled) : pooled;
    }

    /** The head's class probabilities for pooled embeddings {@code [n, hidden]}. */
    INDArray head(INDArray pooled) {
        INDArray logits = pooled.castTo(dataType).mmul(tensors.get(headName + ".W"))
                .addiRowVector(tensors.get(headName + ".b"));
        return Transforms.softmax(logits, false);
    }

    /**
     * The mean-pooled embeddings {@code [n, hidden]} of {@code [n, 2, seqLen]} inputs: by the written-out
     * forward pass ({@link BertForward}) for float and double models, else by the SameDiff graph.
     */
    synchronized INDArray pooled(INDArray features) {
        TokenInputs.checkFeatures(features, config);
        if (!BertForward.supports(dataType)) {
            return graphPooled(features);
        }
        INDArray ids = features.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
        INDArray mask = features.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all());
        Set<String> active = new HashSet<>(loraModules);
        active.removeAll(merged);
        return forward.pooled(tensors, active, lora == null ? 0 : lora.scale(), ids, mask);
    }

    /** The mean-pooled embeddings by the SameDiff graph ({@link #unwrap()}), in batches. */
    synchronized INDArray graphPooled(INDArray features) {
        TokenInputs.checkFeatures(features, config);
        BertGraph g = inference.graph();
        long n = features.size(0);
        INDArray out = Nd4j.create(dataType, n, config.hiddenSize());
        Rows.forEachChunk(n, BATCH, (from, to) -> {
            INDArray part = features.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray ids = part.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
            INDArray mask = part.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all());
            out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                    .assign(g.run(ids.dup('c'), mask.dup('c'), BertGraph.POOLED).get(BertGraph.POOLED));
        });
        return out;
    }

    @Override
    public void checkInput(INDArray features) {
        TokenInputs.checkFeatures(features, config);
    }

    @Override
    public synchronized Object unwrap() {
        return inference.graph();
    }

    @Override
    public String architecture() {
        return BertFile.description(this).toString();
    }

    /** The parameter vector, a live view (it may be written: graphs refresh). */
    @Override
    public INDArray params() {
        touched();
        return flat;
    }

    /** Where a tensor lies in the parameter vector: {@code {offset, length}}. */
    long[] offset(String name) {
        return offsets.get(name).clone();
    }

    /** The named tensors: each name starts with its layer's ({@code embeddings.}, {@code encoder.N.}, the head's). */
    @Override
    public Map<String, INDArray> parameters() {
        return tensors();
    }

    @Override
    public ModelFamily family() {
        return BertFamily.INSTANCE;
    }

    @Override
    public void write(Path file) throws IOException {
        BertFile.write(this, file);
    }

    @Override
    public void check(TrainingPlan plan) {
        BertPlan.resolve(this, plan);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        BertPlan r = BertPlan.resolve(this, plan);
        INDArray fresh = Nd4j.create(dataType, 1, BertLayout.count(BertLayout.shapes(config, r.lora(), r.headName(), r.headClasses())));
        BertHandle model = new BertHandle(config, dataType, r.lora(), r.headName(), r.headClasses(), fresh,
                new HashSet<>(), new long[1]);
        for (String name : BertGraph.parameterShapes(config).keySet()) {
            model.tensors.get(name).assign(tensors.get(name));
        }
        if (r.lora() != null) {
            BertGraph.loraInit(config, r.lora(), dataType).forEach((name, value) -> model.tensors.get(name).assign(value));
        }
        if (plan.headClasses() > 0) {
            // Xavier as DL4J's new heads, drawn from ND4J's generator (seeded by the run); biases 0.
            INDArray w = model.tensors.get(r.headName() + ".W");
            INDArray drawn = Nd4j.create(dataType, 1, w.length());
            new WeightInitXavier().init(config.hiddenSize(), r.headClasses(), w.shape(), 'c', drawn);
            w.assign(drawn.reshape('c', w.shape()));
        } else {
            model.tensors.get(r.headName() + ".W").assign(tensors.get(headName + ".W"));
            model.tensors.get(r.headName() + ".b").assign(tensors.get(headName + ".b"));
        }
        return new BertTrainable(model, r.frozen(), plan.optimizer());
    }

    /**
     * With an adapter, the encoder's own layers are frozen: a network built to serve one trains
     * exactly the adapter's tensors, so only the layers of its other tensors (a head) stay open.
     */
    @Override
    public Optional<List<String>> servingOpenLayers(AdapterWeights adapter) {
        return Optional.of(adapter.tensors().keySet().stream().filter(n -> !BertLayout.isAdapterTensor(n))
                .map(n -> n.substring(0, n.lastIndexOf('.'))).distinct().toList());
    }

    @Override
    public String toString() {
        return "BERT " + config + (lora == null ? "" : " + " + lora) + (headClasses > 0 ? " + head '" + headName + "' (" + headClasses + " classes)" : "");
    }
}
