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
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.weights.WeightInitXavier;
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
    private BertGraph inference;

    private BertHandle(BertConfig config, DataType dataType, String headName, int headClasses, INDArray flat) {
        this.config = config;
        this.dataType = dataType;
        this.headName = headName;
        this.headClasses = headClasses;
        this.flat = flat;
        this.tensors = new LinkedHashMap<>();
        this.offsets = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes(config, headName, headClasses).entrySet()) {
            long n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
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
        Map<String, long[]> s = new LinkedHashMap<>(BertGraph.parameterShapes(config));
        if (headClasses > 0) {
            s.put(headName + ".W", new long[] {config.hiddenSize(), headClasses});
            s.put(headName + ".b", new long[] {headClasses});
        }
        return s;
    }

    private static long count(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }

    /** A headless handle over a copy of an encoder's weights. */
    static BertHandle of(BertEncoder encoder) {
        BertGraph g = encoder.graph();
        BertHandle h = new BertHandle(g.config(), g.dataType(), null, 0,
                Nd4j.create(g.dataType(), 1, count(BertGraph.parameterShapes(g.config()))));
        for (String name : g.parameterNames()) {
            h.tensors.get(name).assign(g.sameDiff().getArrForVarName(name));
        }
        return h;
    }

    /** A handle over the same parameters (shared): another view of this model. */
    BertHandle shared() {
        return new BertHandle(config, dataType, headName, headClasses, flat);
    }

    /** An independent copy. */
    BertHandle copy() {
        return new BertHandle(config, dataType, headName, headClasses, flat.dup('c'));
    }

    BertConfig config() {
        return config;
    }

    DataType dataType() {
        return dataType;
    }

    /** The named tensors, live views into {@link #params()}. */
    Map<String, INDArray> tensors() {
        return tensors;
    }

    String headName() {
        return headName;
    }

    /** The layer a tensor belongs to. */
    String layerOf(String tensor) {
        if (tensor.startsWith("embeddings.")) {
            return "embeddings";
        }
        if (tensor.startsWith("encoder.")) {
            return tensor.substring(0, tensor.indexOf('.', "encoder.".length()));
        }
        return headName;
    }

    @Override
    public List<LayerInfo> layers() {
        return layers(headClasses > 0 ? headName : null, headClasses);
    }

    private List<LayerInfo> layers(String head, int classes) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        shapes(config, head, classes).forEach((name, shape) -> sizes.merge(
                name.startsWith("embeddings.") ? "embeddings" : name.startsWith("encoder.")
                        ? name.substring(0, name.indexOf('.', "encoder.".length())) : head,
                Arrays.stream(shape).reduce(1, (a, b) -> a * b), Long::sum));
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
    INDArray pooled(INDArray features) {
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

    /** The inference graph (gather lookup) with its weights refreshed from the parameter vector. */
    private BertGraph inferenceGraph() {
        if (inference == null) {
            inference = BertGraph.build(config, tensors, dataType, BertGraph.Lookup.GATHER);
        } else {
            for (String name : BertGraph.parameterShapes(config).keySet()) {
                inference.sameDiff().getArrForVarName(name).assign(tensors.get(name));
            }
        }
        return inference;
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
    public Object unwrap() {
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
        List<Map<String, Object>> t = new ArrayList<>();
        shapes(config, headName, headClasses).forEach((name, shape) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", name);
            e.put("shape", shape);
            e.put("offset", offsets.get(name)[0]);
            t.add(e);
        });
        d.put("tensors", t);
        return MAPPER.valueToTree(d);
    }

    @Override
    public INDArray params() {
        return flat;
    }

    @Override
    public void write(Path file) throws IOException {
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
        BertHandle h = new BertHandle(config, dataType, headName, classes, flat.reshape('c', 1, flat.length()).dup('c'));
        if (!h.architecture().equals(MAPPER.valueToTree(d).toString())) {
            throw new AttuneException("BERT model file " + source + " describes a tensor layout other than "
                    + FORMAT + "'s; write it again with Network.save");
        }
        return h;
    }

    /** The plan resolved against this encoder. */
    record Resolved(String headName, int headClasses, java.util.Set<String> frozen, List<LayerInfo> layers) {
    }

    @Override
    public void check(TrainingPlan plan) {
        resolve(plan);
    }

    Resolved resolve(TrainingPlan plan) {
        if (plan.adapter() != null) {
            throw new IllegalArgumentException("adapters (" + plan.adapter().name() + ") on a BERT encoder are not"
                    + " supported yet; fine-tune the head alone (Freeze.allExcept(\"head\")) or more layers in full");
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
        java.util.Set<String> frozen = Freezing.resolve(plan.freeze(), layers, l -> true);
        return new Resolved(head, classes, frozen, layers);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        Resolved r = resolve(plan);
        INDArray fresh = Nd4j.create(dataType, 1, count(shapes(config, r.headName(), r.headClasses())));
        BertHandle model = new BertHandle(config, dataType, r.headName(), r.headClasses(), fresh);
        for (String name : BertGraph.parameterShapes(config).keySet()) {
            model.tensors.get(name).assign(tensors.get(name));
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

    @Override
    public String toString() {
        return "BERT " + config + (headClasses > 0 ? " + head '" + headName + "' (" + headClasses + " classes)" : "");
    }

    static boolean isBertFile(ZipFile zip) {
        return zip.getEntry(JSON) != null;
    }
}
