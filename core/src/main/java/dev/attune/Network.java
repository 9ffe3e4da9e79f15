package dev.attune;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.attune.internal.bert.BertFamily;
import dev.attune.internal.bert.BertHandle;
import dev.attune.internal.bert.BertOnnx;
import dev.attune.internal.dl4j.Dl4jFamily;
import dev.attune.internal.io.AtomicFiles;
import dev.attune.internal.layers.InputChecks;
import dev.attune.internal.layers.LayerNames;
import dev.attune.internal.math.Rows;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.ModelFamily;
import dev.attune.spi.ModelFileException;
import dev.attune.spi.ModelHandle;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A neural network Attune can fine-tune: a base model to start from, or a fine-tuned result.
 * Wraps a DL4J {@link MultiLayerNetwork} or {@link ComputationGraph}, or a {@link BertEncoder}
 * (a SameDiff graph), behind one API where layers are addressed by name. Attune never changes a
 * wrapped network: fine-tuning works on a copy.
 *
 * <p>Thread-safe for inference: {@link #output}, {@link #predict}, {@link #save}, {@link #fingerprint}
 * and the other reading methods may be called from several threads at once, and each call gives, bit for
 * bit, what it gives alone. Calls on one network are serialised: DL4J's {@code MultiLayerNetwork} and
 * {@code ComputationGraph} hold the network's lock during {@code output}, and a BERT network holds its
 * own while it runs (its inference graph is built lazily and refreshed in place). Threads therefore gain
 * no throughput on one {@code Network}; for parallel serving, load one per thread. A wrapped DL4J network
 * must not be trained or changed elsewhere while it is in use here.
 */
public final class Network {
    private static final int OUTPUT_BATCH = 1024;
    /**
     * The built-in families, in the order {@link #load(Path)} asks them; a zip that none recognises
     * is taken for the last one's (a DL4J zip), whose reader says what the file lacks.
     */
    private static final List<ModelFamily> FAMILIES = List.of(BertFamily.INSTANCE, Dl4jFamily.INSTANCE);
    private final ModelHandle handle;

    Network(ModelHandle handle) {
        this.handle = handle;
    }

    /**
     * Wraps a model of any {@link ModelFamily}, a host application's own included. It is not copied;
     * Attune never modifies it (fine-tuning works on a copy).
     */
    public static Network of(ModelHandle handle) {
        return new Network(requireNonNull(handle, "handle"));
    }

    /** Wraps a multi-layer network (initialised). It is not copied and never modified. */
    public static Network of(MultiLayerNetwork network) {
        requireNonNull(network, "network");
        if (network.params() == null || network.getLayers() == null) {
            throw new IllegalArgumentException("the MultiLayerNetwork is not initialised; call network.init() first");
        }
        return new Network(Dl4jFamily.handle(network));
    }

    /** Wraps a computation graph (initialised, one input, one output). It is not copied and never modified. */
    public static Network of(ComputationGraph graph) {
        requireNonNull(graph, "graph");
        if (graph.params() == null || graph.getVertices() == null) {
            throw new IllegalArgumentException("the ComputationGraph is not initialised; call graph.init() first");
        }
        return new Network(Dl4jFamily.handle(graph));
    }

    /**
     * Wraps a BERT encoder for fine-tuning as a classifier of {@code [n, 2, seqLen]} features (channel
     * 0 token ids, channel 1 the attention mask, as {@code TokenizedText.features()} gives). Its layers
     * are {@code embeddings}, {@code encoder.0} ... {@code encoder.N-1}; it has no head, so fine-tuning
     * needs {@code replaceHead(k)}, which puts a dense softmax layer (named {@code head} by default) on the
     * mean-pooled output. Until then {@link #output} gives the pooled embeddings. The encoder's weights
     * are copied; the encoder is never modified. An adapter method named {@code "lora"} (the adapters
     * module's {@code Lora}) trains LoRA on its projections, chosen by glob over
     * {@code encoder.N.attention.self.query} and the other linear modules (query and value when none
     * is given); the fine-tuned model has it merged, and {@link AdaptedNetwork} serves it unmerged.
     */
    public static Network of(BertEncoder encoder) {
        requireNonNull(encoder, "encoder");
        return new Network(BertHandle.of(encoder.graph()));
    }

    /**
     * Loads a DL4J model zip (as written by {@link #save} or DL4J's {@code ModelSerializer}),
     * either kind of network, or a BERT network's zip written by {@link #save}: the built-in family
     * whose format tag the file carries reads it.
     *
     * @throws AttuneException when the file is missing, truncated, corrupted or not a DL4J model
     */
    public static Network load(Path zip) {
        requireNonNull(zip, "zip");
        return read(zip, null);
    }

    /**
     * Loads a model file of the given family (a host application's own, say), as
     * {@link ModelFamily#read} reads it.
     *
     * @throws AttuneException when the file is missing, not of that family, truncated or corrupted
     */
    public static Network load(Path zip, ModelFamily family) {
        requireNonNull(zip, "zip");
        requireNonNull(family, "family");
        return read(zip, family);
    }

    /** Reads the file with the given family, or with the built-in family that recognises it when {@code null}. */
    private static Network read(Path zip, ModelFamily given) {
        Path abs = zip.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new AttuneException(abs + " is a directory, not a model file; give the path of a model zip inside it"
                    + " (such as a checkpoint's epoch-NNN.zip)");
        }
        if (!Files.isRegularFile(abs)) {
            throw new AttuneException("no model file at " + abs + "; give the path of a model zip written by Network.save"
                    + " (or a DL4J zip written by ModelSerializer.writeModel)");
        }
        if (!Files.isReadable(abs)) {
            throw new AttuneException("cannot read the model file " + abs + ": permission denied; make it readable"
                    + " by this process");
        }
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ModelFamily family = given != null ? given
                    : FAMILIES.stream().filter(f -> f.recognises(z)).findFirst().orElse(FAMILIES.get(FAMILIES.size() - 1));
            if (given != null && !family.recognises(z)) {
                throw new AttuneException("model file " + zip + " is not a model file of " + family
                        + "; give a file that this family wrote, or Network.load(path) for Attune's own families");
            }
            return new Network(family.read(z, zip));
        } catch (ModelFileException e) {
            throw new AttuneException(e.getMessage(), e.getCause());
        } catch (java.nio.file.FileSystemException e) {
            throw new AttuneException("cannot read the model file " + zip.toAbsolutePath() + ": " + AtomicFiles.describe(e), e);
        } catch (IOException e) {
            throw new AttuneException("model file " + zip + " is not a readable zip (truncated or corrupted?): "
                    + AtomicFiles.describe(e) + "; write it again with Network.save", e);
        }
    }

    /** Every layer in forward order, by name. */
    public List<LayerInfo> layers() {
        return handle.layers();
    }

    /**
     * The layer of that name.
     *
     * @throws IllegalArgumentException for an unknown name (the message lists the layer names)
     */
    public LayerInfo layer(String name) {
        requireNonNull(name, "name");
        return layers().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown layer '" + name + "'; layers are: "
                        + LayerNames.list(layers())));
    }

    /** The total number of parameters. */
    public long numParams() {
        return handle.numParams();
    }

    /** The number of outputs (classes) of the output layer. */
    public int numOutputs() {
        return handle.numOutputs();
    }

    /**
     * Output-layer activations (class probabilities for a softmax head), in inference mode, in batches.
     *
     * @throws IllegalArgumentException for NaN or infinite features (the message names the first example
     *     and feature), or features of a shape the network cannot take (the message names the expected shape)
     */
    public INDArray output(INDArray features) {
        checkInput(features);
        return outputChecked(features);
    }

    /** Refuses what {@link #output} refuses. */
    void checkInput(INDArray features) {
        requireNonNull(features, "features");
        InputChecks.requireFinite(features);
        handle.checkInput(features);
    }

    /** {@link #output} of features that passed {@link #checkInput}. */
    INDArray outputChecked(INDArray features) {
        long n = features.size(0);
        if (n <= OUTPUT_BATCH) {
            return handle.output(features);
        }
        return Rows.mapChunks(features, OUTPUT_BATCH, handle::output);
    }

    /**
     * Predictions on a labelled set.
     *
     * @throws IllegalArgumentException when the data's class count differs from the model's outputs, or
     *     as {@link #output}
     */
    public Predictions predict(LabeledData data) {
        requireNonNull(data, "data");
        requireClasses(data, numOutputs());
        return Predictions.of(data.labels(), output(data.featuresView()));
    }

    /** Refuses data labelled with another number of classes than the model's outputs. */
    static void requireClasses(LabeledData data, int outputs) {
        if (data.numClasses() != outputs) {
            throw new IllegalArgumentException("the data has " + data.numClasses() + " classes but the model has "
                    + outputs + " outputs, so its predictions cannot be scored against these labels; give data of the"
                    + " model's " + outputs + " classes (LabeledData.of(features, labels, " + outputs + ")), or fine-tune"
                    + " a head for " + data.numClasses() + " classes first (FineTuner.builder(model).replaceHead("
                    + data.numClasses() + "))");
        }
    }

    /**
     * Writes this network as a DL4J model zip (without optimizer state); a BERT network as a zip of
     * {@code attune-bert.json} (configuration, head and tensor layout) and {@code params.bin} (every
     * parameter, in ND4J's binary format). The file is written under
     * a temporary name in the same directory and moved into place, so a failed write leaves no
     * half-written file; temporary files of writes that died (unmodified for ten minutes, and not being
     * written by this process) are removed from the directory first.
     *
     * @throws AttuneException when the file cannot be written
     */
    public void save(Path zip) {
        requireNonNull(zip, "zip");
        try {
            AtomicFiles.write(zip, handle::write);
        } catch (IOException | RuntimeException e) {
            throw new AttuneException("could not write the model file " + zip.toAbsolutePath() + ": "
                    + (e instanceof IOException io ? io.getMessage() : e.toString()), e);
        }
    }

    /**
     * Writes a BERT network as an ONNX model (opset 17) that any ONNX runtime serves: the encoder,
     * with LoRA adapters merged into its weights, mean pooling and the head, computing what
     * {@link #output} computes (float32). Inputs {@code input_ids} and {@code attention_mask}, int64
     * {@code [batch, sequence]} of any batch size and length up to the model's positions (1 for a token,
     * 0 for padding); output {@code probabilities} {@code [batch, classes]}, and {@code logits} beside it;
     * a network without a head gives {@code pooled} {@code [batch, hidden]}, the pooled embeddings.
     * The encoder reads back with {@link BertEncoder#fromOnnx(Path)}. Written atomically, as {@link #save}.
     *
     * @throws IllegalStateException when this network is not a BERT network (DL4J networks are not
     *     exported; {@link #save} them), or its weights take more than the 2 GB one ONNX file holds
     * @throws AttuneException when the path is a directory or the file cannot be written
     */
    public void exportOnnx(Path file) {
        requireNonNull(file, "file");
        if (!(handle instanceof BertHandle bert)) {
            throw new IllegalStateException("this network is a " + handle.unwrap().getClass().getSimpleName()
                    + ", not a BERT network; exportOnnx writes BERT networks only (Network.of(BertEncoder) and their"
                    + " fine-tuned results); save this one with Network.save");
        }
        BertOnnx.checkSize(bert);
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new AttuneException(abs + " is a directory, not an ONNX file; give the path of the file to write"
                    + " inside it (such as " + abs.resolve("model.onnx") + ")");
        }
        try {
            AtomicFiles.write(file, tmp -> {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                    BertOnnx.write(bert, out);
                }
            });
        } catch (IOException e) {
            throw new AttuneException("could not write the ONNX file " + abs + ": " + e.getMessage(), e);
        }
    }

    /** A SHA-256 fingerprint of the architecture and every parameter value. */
    public String fingerprint() {
        Hasher h = Hashing.sha256().newHasher();
        h.putString(handle.architecture(), StandardCharsets.UTF_8);
        INDArray p = handle.params();
        // The parameter vector's own buffer when it holds exactly these values in order, else a copy.
        if (p.offset() != 0 || p.data().length() != p.length() || p.elementWiseStride() != 1
                || p.ordering() != 'c' && !p.isVector()) {
            p = p.dup('c');
        }
        h.putBytes(p.data().asNio().order(ByteOrder.nativeOrder()));
        return h.hash().toString();
    }

    /**
     * The underlying DL4J multi-layer network (shared, not a copy).
     *
     * @throws IllegalStateException when this network is a computation graph
     */
    public MultiLayerNetwork asMultiLayerNetwork() {
        if (handle.unwrap() instanceof MultiLayerNetwork m) {
            return m;
        }
        throw new IllegalStateException(handle.unwrap() instanceof ComputationGraph
                ? "this network is a ComputationGraph; call asComputationGraph()" : "this network is a BERT encoder, not a DL4J network");
    }

    /**
     * The underlying DL4J computation graph (shared, not a copy).
     *
     * @throws IllegalStateException when this network is a multi-layer network
     */
    public ComputationGraph asComputationGraph() {
        if (handle.unwrap() instanceof ComputationGraph g) {
            return g;
        }
        throw new IllegalStateException(handle.unwrap() instanceof MultiLayerNetwork
                ? "this network is a MultiLayerNetwork; call asMultiLayerNetwork()" : "this network is a BERT encoder, not a DL4J network");
    }

    /**
     * The model of its family behind this network (shared, not a copy): for model families and
     * Attune's own modules, which build networks to train from it.
     */
    public ModelHandle handle() {
        return handle;
    }

    @Override
    public String toString() {
        return "Network[" + handle.unwrap().getClass().getSimpleName() + ", " + layers().size() + " layers, "
                + numParams() + " parameters]";
    }
}
