package dev.attune;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.weights.WeightInitXavier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The model handle over a BERT encoder ({@link BertGraph}) with an optional dense softmax head on its
 * mean-pooled output. Inputs are {@code [n, 2, seqLen]}: channel 0 the token ids, channel 1 the
 * attention mask (as the tokenizer writes them).
 *
 * <p>Layers, in forward order: {@code embeddings}, {@code encoder.0} ... {@code encoder.N-1}, and the
 * head (weights {@code W [hidden, classes]} and {@code b [classes]}). Every tensor is a view into one
 * flat parameter vector ({@link #params()}), in the order of {@link BertGraph#parameterShapes} with
 * the head last; SameDiff keeps its own copies of variable arrays, so the graphs are refreshed from
 * the vector before they run.
 *
 * <p>With LoRA ({@link BertLora}, from the plan's adapter method) the adapters' tensors
 * ({@code <module>.lora_A} {@code [r, in]}, {@code <module>.lora_B} {@code [out, r]}) follow the
 * encoder's in the vector, before the head; inference then runs the graph with the adapter path
 * (modules whose adapter is merged into their weight give it a zero {@code B}), and
 * {@link #mergedCopy()} folds them into a plain encoder, which is what model files hold.
 *
 * <p>A model file is a zip of two entries: {@value #JSON} (format {@value #FORMAT}: the data type, the
 * {@link BertConfig}, the head's name and classes or {@code null}, and every tensor's name, shape and
 * offset into the vector) and {@value #PARAMS} (the flat vector in ND4J's binary format,
 * {@code Nd4j.write}).
 */
final class BertHandle implements ModelHandle {
    static final String JSON = "attune-bert.json";
    static final String PARAMS = "params.bin";
    static final String FORMAT = "attune-bert/1";
    /** Rows per forward pass in inference. */
    private static final int BATCH = 64;
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
    private BertGraph inference;
    private BertGraph adaptedInference;
    private long synced = -1;
    private long adaptedSynced = -1;

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
        for (Map.Entry<String, long[]> e : shapes(config, lora, headName, headClasses).entrySet()) {
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
    }

    /** Every tensor's name and shape, encoder first, then the head's {@code W} and {@code b}. */
    static Map<String, long[]> shapes(BertConfig config, String headName, int headClasses) {
        return shapes(config, null, headName, headClasses);
    }

    /**
     * Every tensor's name and shape: the encoder's, then with LoRA each adapted module's
     * {@code lora_A} {@code [r, in]} and {@code lora_B} {@code [out, r]} in module order, then the
     * head's {@code W} and {@code b}.
     */
    static Map<String, long[]> shapes(BertConfig config, BertLora lora, String headName, int headClasses) {
        Map<String, long[]> s = new LinkedHashMap<>(BertGraph.parameterShapes(config));
        if (lora != null) {
            for (String m : lora.modules(config)) {
                long[] w = s.get(m + ".weight"); // [in, out]
                s.put(m + ".lora_A", new long[] {lora.rank(), w[0]});
                s.put(m + ".lora_B", new long[] {w[1], lora.rank()});
            }
        }
        if (headClasses > 0) {
            s.put(headName + ".W", new long[] {config.hiddenSize(), headClasses});
            s.put(headName + ".b", new long[] {headClasses});
        }
        return s;
    }

    /** The number of values in tensors of these shapes. */
    static long count(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(ArrayUtil::prodLong).sum();
    }

    /** A headless handle over a copy of an encoder's weights. */
    static BertHandle of(BertEncoder encoder) {
        BertGraph g = encoder.graph();
        BertHandle h = new BertHandle(g.config(), g.dataType(), null, null, 0,
                Nd4j.create(g.dataType(), 1, count(BertGraph.parameterShapes(g.config()))), new HashSet<>(), new long[1]);
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
                Nd4j.create(dataType, 1, count(shapes(config, headName, headClasses))), new HashSet<>(), new long[1]);
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
    BertLora lora() {
        return lora;
    }

    /** The modules with LoRA, in forward order (none without). */
    List<String> loraModules() {
        return loraModules;
    }

    /** Whether a tensor is an adapter's ({@code <module>.lora_A} or {@code .lora_B}). */
    static boolean isAdapterTensor(String name) {
        return name.endsWith(".lora_A") || name.endsWith(".lora_B");
    }

    /** Marks the parameters as possibly written: graphs refresh their copies before they next run. */
    void touched() {
        version[0]++;
    }

    /** The adapted modules, with their merge state shared by this model's views. */
    List<AdaptedLayer> adaptedModules() {
        List<AdaptedLayer> out = new ArrayList<>();
        loraModules.forEach(m -> out.add(new Module(m)));
        return List.copyOf(out);
    }

    BertConfig config() {
        return config;
    }

    DataType dataType() {
        return dataType;
    }

    /** The named tensors, live views into {@link #params()} (they may be written: graphs refresh). */
    Map<String, INDArray> tensors() {
        touched();
        return tensors;
    }

    String headName() {
        return headName;
    }

    /** The layer a tensor belongs to. */
    String layerOf(String tensor) {
        return layerOf(tensor, headName);
    }

    /** The layer a tensor belongs to: {@code embeddings}, {@code encoder.N}, or else the head. */
    private static String layerOf(String tensor, String head) {
        if (tensor.startsWith("embeddings.")) {
            return "embeddings";
        }
        if (tensor.startsWith("encoder.")) {
            return tensor.substring(0, tensor.indexOf('.', "encoder.".length()));
        }
        return head;
    }

    @Override
    public List<LayerInfo> layers() {
        return layers(headClasses > 0 ? headName : null, headClasses);
    }

    private List<LayerInfo> layers(String head, int classes) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        shapes(config, lora, head, classes).forEach((name, shape) ->
                sizes.merge(layerOf(name, head), ArrayUtil.prodLong(shape), Long::sum));
        List<LayerInfo> out = new ArrayList<>();
        String previous = "input";
        int i = 0;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            String type = e.getKey().equals("embeddings") ? "BertEmbeddings"
                    : e.getKey().equals(head) ? "OutputLayer" : "BertLayer";
            out.add(new LayerInfo(e.getKey(), i++, type, e.getValue(), List.of(previous)));
            previous = e.getKey();
        }
        return List.copyOf(out);
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

    /** The mean-pooled embeddings {@code [n, hidden]} of {@code [n, 2, seqLen]} inputs, in batches. */
    synchronized INDArray pooled(INDArray features) {
        checkFeatures(features);
        BertGraph g = inferenceGraph();
        long n = features.size(0);
        INDArray out = Nd4j.create(dataType, n, config.hiddenSize());
        for (long from = 0; from < n; from += BATCH) {
            long to = Math.min(n, from + BATCH);
            INDArray part = features.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray ids = part.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
            INDArray mask = part.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all());
            out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                    .assign(g.run(ids.dup('c'), mask.dup('c'), BertGraph.POOLED).get(BertGraph.POOLED));
        }
        return out;
    }

    /**
     * Under this handle's lock (its callers hold it): the graphs are built lazily and refreshed in place,
     * which must not interleave with another thread's run.
     *
     * <p>The inference graph (gather lookup) with its weights refreshed from the parameter vector when it
     * may have changed: the plain graph without LoRA or with every adapter merged, else the graph with
     * the adapter path (a merged module's {@code lora_B} given as zero there).
     */
    private BertGraph inferenceGraph() {
        long now = version[0];
        if (lora == null || merged.containsAll(loraModules)) {
            if (inference == null) {
                inference = BertGraph.build(config, tensors, dataType, BertGraph.Lookup.GATHER);
            } else if (synced != now) {
                for (String name : BertGraph.parameterShapes(config).keySet()) {
                    inference.sameDiff().getArrForVarName(name).assign(tensors.get(name));
                }
            }
            synced = now;
            return inference;
        }
        if (adaptedInference == null) {
            adaptedInference = BertGraph.build(config, tensors, dataType, BertGraph.Lookup.GATHER, lora);
            adaptedSynced = -1;
        }
        if (adaptedSynced != now) {
            SameDiff sd = adaptedInference.sameDiff();
            for (String name : BertGraph.parameterShapes(config).keySet()) {
                sd.getArrForVarName(name).assign(tensors.get(name));
            }
            for (String m : loraModules) {
                sd.getArrForVarName(m + ".lora_A").assign(tensors.get(m + ".lora_A"));
                INDArray b = sd.getArrForVarName(m + ".lora_B");
                if (merged.contains(m)) {
                    b.assign(0);
                } else {
                    b.assign(tensors.get(m + ".lora_B"));
                }
            }
        }
        adaptedSynced = now;
        return adaptedInference;
    }

    /**
     * Checks {@code [n, 2, seqLen]} inputs: whole token ids in the vocabulary, a 0/1 mask with a token in
     * every row, a length the position embeddings allow.
     */
    void checkFeatures(INDArray features) {
        if (features.rank() != 3 || features.size(1) != 2) {
            throw new IllegalArgumentException("a BERT network takes [n, 2, seqLen] features (channel 0 token ids,"
                    + " channel 1 the attention mask, as TokenizedText.features() gives), got "
                    + Arrays.toString(features.shape()));
        }
        if (features.size(2) > config.maxPositions()) {
            throw new IllegalArgumentException("sequences of length " + features.size(2) + " exceed the model's "
                    + config.maxPositions() + " positions; tokenise with a smaller maximum length");
        }
        INDArray ids = features.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).castTo(DataType.DOUBLE);
        double min = ids.minNumber().doubleValue();
        double max = ids.maxNumber().doubleValue();
        if (min < 0 || max >= config.vocabSize() || !ids.equals(Transforms.floor(ids, true))) {
            throw new IllegalArgumentException("token ids must be whole numbers in [0, " + config.vocabSize()
                    + "), got values in [" + min + ", " + max + "]; tokenise with the model's own vocabulary");
        }
        INDArray m = features.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()).castTo(DataType.DOUBLE);
        if (m.mul(m.rsub(1.0)).amaxNumber().doubleValue() != 0 || m.sum(1).minNumber().doubleValue() < 1) {
            throw new IllegalArgumentException("the attention mask (channel 1) must hold only 0 and 1, with at least"
                    + " one 1 per row");
        }
    }

    @Override
    public void checkInput(INDArray features) {
        checkFeatures(features);
    }

    @Override
    public synchronized Object unwrap() {
        return inferenceGraph();
    }

    @Override
    public String architecture() {
        return description().toString();
    }

    /** The model file's JSON: format, data type, configuration, head and tensor layout. */
    private JsonNode description() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("format", FORMAT);
        d.put("dataType", dataType.name());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vocabSize", config.vocabSize());
        c.put("hiddenSize", config.hiddenSize());
        c.put("numLayers", config.numLayers());
        c.put("numHeads", config.numHeads());
        c.put("intermediateSize", config.intermediateSize());
        c.put("maxPositions", config.maxPositions());
        c.put("typeVocabSize", config.typeVocabSize());
        c.put("layerNormEps", config.layerNormEps());
        d.put("config", c);
        d.put("head", headClasses > 0 ? Map.of("name", headName, "classes", headClasses) : null);
        if (lora != null) {
            d.put("lora", lora.toString());
        }
        List<Map<String, Object>> t = new ArrayList<>();
        shapes(config, lora, headName, headClasses).forEach((name, shape) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", name);
            e.put("shape", shape);
            e.put("offset", offsets.get(name)[0]);
            t.add(e);
        });
        d.put("tensors", t);
        return MAPPER.valueToTree(d);
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

    /**
     * Writes the model file.
     *
     * @throws IllegalStateException for a model with LoRA (its file holds plain encoders only: write
     *     {@link #mergedCopy()} instead)
     */
    @Override
    public void write(Path file) throws IOException {
        if (lora != null) {
            throw new IllegalStateException("a BERT encoder with LoRA is written merged; save the fine-tuning result's"
                    + " model (merged) or the adapter with AdapterFile.save");
        }
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry(JSON));
            zip.write(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(description()));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(PARAMS));
            DataOutputStream out = new DataOutputStream(zip);
            Nd4j.write(flat, out);
            out.flush();
            zip.closeEntry();
        }
    }

    /**
     * Reads a model file written by {@link #write}.
     *
     * @throws AttuneException when an entry is missing or does not match the description
     */
    static BertHandle read(ZipFile zip, String source) throws IOException {
        try {
            return readChecked(zip, source);
        } catch (RuntimeException e) {
            if (e instanceof AttuneException) {
                throw e;
            }
            throw new AttuneException("BERT model file " + source + " could not be read (truncated or corrupted?): "
                    + e + "; write it again with Network.save", e);
        }
    }

    private static BertHandle readChecked(ZipFile zip, String source) throws IOException {
        ZipEntry params = zip.getEntry(PARAMS);
        if (params == null) {
            throw new AttuneException("BERT model file " + source + " lacks " + PARAMS
                    + "; write it again with Network.save");
        }
        JsonNode d = MAPPER.readTree(zip.getInputStream(zip.getEntry(JSON)));
        if (!FORMAT.equals(d.path("format").asText())) {
            throw new AttuneException("BERT model file " + source + " has format '" + d.path("format").asText()
                    + "', expected '" + FORMAT + "'; write it again with Network.save");
        }
        JsonNode c = d.get("config");
        BertConfig config = new BertConfig(c.get("vocabSize").asInt(), c.get("hiddenSize").asInt(),
                c.get("numLayers").asInt(), c.get("numHeads").asInt(), c.get("intermediateSize").asInt(),
                c.get("maxPositions").asInt(), c.get("typeVocabSize").asInt(), c.get("layerNormEps").asDouble());
        JsonNode head = d.get("head");
        String headName = head == null || head.isNull() ? null : head.get("name").asText();
        int classes = headName == null ? 0 : head.get("classes").asInt();
        INDArray flat;
        try (DataInputStream in = new DataInputStream(zip.getInputStream(params))) {
            flat = Nd4j.read(in);
        }
        DataType dataType = DataType.valueOf(d.get("dataType").asText());
        long expected = count(shapes(config, headName, classes));
        if (flat.dataType() != dataType || flat.length() != expected) {
            throw new AttuneException("BERT model file " + source + " holds " + flat.length() + " " + flat.dataType()
                    + " parameters, its description " + expected + " " + dataType + "; write it again with Network.save");
        }
        BertHandle h = new BertHandle(config, dataType, null, headName, classes, flat.reshape('c', 1, flat.length()).dup('c'),
                new HashSet<>(), new long[1]);
        if (!h.architecture().equals(MAPPER.valueToTree(d).toString())) {
            throw new AttuneException("BERT model file " + source + " describes a tensor layout other than "
                    + FORMAT + "'s; write it again with Network.save");
        }
        return h;
    }

    /**
     * The plan resolved against this encoder: {@code frozen} names the layers whose own weights stay
     * frozen (with an adapter, the adapted layers too); {@code lora} is {@code null} without an adapter.
     */
    record Resolved(String headName, int headClasses, java.util.Set<String> frozen, List<LayerInfo> layers,
                    BertLora lora) {
    }

    @Override
    public void check(TrainingPlan plan) {
        resolve(plan);
    }

    Resolved resolve(TrainingPlan plan) {
        if (lora != null) {
            throw new IllegalStateException("this BERT encoder carries LoRA; train its merged copy instead");
        }
        BertLora spec = plan.adapter() == null ? null : BertLora.of(plan.adapter(), plan.seed());
        if (spec != null) {
            spec.modules(config); // every target matches a projection, the rank fits
        }
        String head = headName;
        int classes = headClasses;
        if (plan.headClasses() > 0) {
            head = plan.headName();
            classes = plan.headClasses();
            if (head.equals("embeddings") || head.startsWith("encoder.")) {
                throw new IllegalArgumentException("the new head's name '" + head + "' is taken by the encoder's layers;"
                        + " choose another head name");
            }
        } else if (headClasses == 0) {
            throw new IllegalArgumentException("this BERT encoder has no classification head; call replaceHead(k) with"
                    + " the number of classes to put a dense softmax layer on its mean-pooled output");
        }
        List<LayerInfo> layers = layers(head, classes);
        // A layer with an adapter trains it, its own weights frozen: it counts as trainable (as on DL4J networks).
        Set<String> adapted = new HashSet<>();
        if (spec != null) {
            spec.modules(config).forEach(m -> adapted.add(m.substring(0, m.indexOf('.', "encoder.".length()))));
        }
        FreezePolicy policy = adapted.isEmpty() ? plan.freeze() : ls -> {
            Set<String> f = new HashSet<>(plan.freeze().frozenLayers(ls));
            f.removeAll(adapted);
            return f;
        };
        Set<String> frozen = new HashSet<>(Freezing.resolve(policy, layers, l -> true));
        if (spec != null) {
            String h = head;
            List<String> open = layers.stream().map(LayerInfo::name)
                    .filter(n -> !n.equals(h) && !frozen.contains(n) && !adapted.contains(n)).toList();
            if (!open.isEmpty()) {
                throw new IllegalArgumentException("with an adapter the BERT encoder's own weights stay frozen, but the"
                        + " freeze policy " + plan.freeze() + " leaves " + open + " trainable; freeze them (the default"
                        + " with adapter(...) is Freeze.all().andUnfreeze(\"" + head + "\")) or fine-tune them in full"
                        + " without an adapter");
            }
            frozen.addAll(adapted); // their own weights
        }
        return new Resolved(head, classes, frozen, layers, spec);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        Resolved r = resolve(plan);
        INDArray fresh = Nd4j.create(dataType, 1, count(shapes(config, r.lora(), r.headName(), r.headClasses())));
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
    public FreezePolicy servingFreeze(AdapterWeights adapter) {
        String[] open = adapter.tensors().keySet().stream().filter(n -> !isAdapterTensor(n))
                .map(n -> n.substring(0, n.lastIndexOf('.'))).distinct().toArray(String[]::new);
        return open.length == 0 ? Freeze.all() : Freeze.all().andUnfreeze(open);
    }

    /**
     * One adapted module as an {@link AdaptedLayer}: merging adds {@code s (B A)^T} to its weight (a copy
     * of the weight is kept for {@link #unmerge}) and inference then skips its adapter path.
     */
    private final class Module implements AdaptedLayer {
        private final String name;
        private INDArray before;

        Module(String name) {
            this.name = name;
        }

        @Override
        public void bindBase(Map<String, INDArray> base) {
            // The base weights are the model's own tensors.
        }

        @Override
        public Map<String, INDArray> adapterTensors() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            out.put("lora_A", tensors.get(name + ".lora_A"));
            out.put("lora_B", tensors.get(name + ".lora_B"));
            return out;
        }

        @Override
        public Map<String, INDArray> mergedParams() {
            INDArray w = tensors.get(name + ".weight").dup('c');
            return Map.of("W", isMerged() ? w : w.addi(delta(name)), "b", tensors.get(name + ".bias").dup('c'));
        }

        @Override
        public void inputGradientNeeded(boolean needed) {
            // Gradients come from the SameDiff graph.
        }

        @Override
        public void merge() {
            if (isMerged()) {
                throw new IllegalStateException("the adapter of '" + name + "' is already merged; unmerge() it first");
            }
            INDArray w = tensors.get(name + ".weight");
            INDArray sum = w.dup('c').addi(delta(name));
            if (sum.isNaN().any() || sum.isInfinite().any()) {
                throw new IllegalStateException("merging the adapter of '" + name + "' gives NaN or infinite weights;"
                        + " the weights are left unmerged");
            }
            before = w.dup('c');
            w.assign(sum);
            merged.add(name);
            touched();
        }

        @Override
        public void unmerge() {
            if (!isMerged()) {
                throw new IllegalStateException("the adapter of '" + name + "' is not merged; there is nothing to unmerge");
            }
            tensors.get(name + ".weight").assign(before);
            before = null;
            merged.remove(name);
            touched();
        }

        @Override
        public boolean isMerged() {
            return merged.contains(name);
        }
    }

    @Override
    public String toString() {
        return "BERT " + config + (lora == null ? "" : " + " + lora) + (headClasses > 0 ? " + head '" + headName + "' (" + headClasses + " classes)" : "");
    }

    static boolean isBertFile(ZipFile zip) {
        return zip.getEntry(JSON) != null;
    }
}
