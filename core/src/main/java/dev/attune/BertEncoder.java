package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.bert.BertConfig;
import dev.attune.internal.bert.BertGraph;
import dev.attune.internal.bert.BertHandle;
import dev.attune.internal.bert.OnnxBertWeights;
import dev.attune.internal.bert.OnnxModel;
import dev.attune.internal.bert.TokenInputs;
import dev.attune.internal.io.AtomicFiles;
import dev.attune.internal.io.Safetensors;
import dev.attune.spi.ModelFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pretrained BERT-style transformer encoder (such as all-MiniLM-L6-v2) written by Attune as an ND4J
 * SameDiff graph, with its weights read from the model's ONNX file. It needs no ONNX runtime: the file
 * is read only for its weights and shapes. {@link #embed} computes the graph's pooled output by a
 * forward pass written out in plain loops and BLAS products (no graph interpreter), equal to the
 * graph's to float rounding; {@link #lastHiddenState} runs the graph.
 *
 * <p>The graph is Hugging Face's {@code BertModel} (embeddings, multi-head self-attention with the
 * padding mask, exact GELU feed-forward, residuals and layer norms) followed by mean pooling over
 * the attention mask, as sentence-transformers pools. The pooled embedding is <em>not</em>
 * L2-normalised: divide each row by its norm for the unit-length vectors that the
 * sentence-transformers all-MiniLM-L6-v2 pipeline (whose last module is {@code Normalize}) returns.
 * Every token has token type 0 (one segment per input). Computation is in float32.
 *
 * <pre>{@code
 * BertEncoder encoder = BertEncoder.fromOnnx(Path.of("all-minilm-l6-v2.onnx"));
 * INDArray ids = Nd4j.createFromArray(new long[][] {{101, 7592, 2088, 102}});   // [CLS] hello world [SEP]
 * INDArray mask = Nd4j.ones(DataType.FLOAT, 1, 4);
 * INDArray embedding = encoder.embed(ids, mask);                                 // [1, 384]
 * }</pre>
 *
 * <p>Instances are immutable and not thread-safe: use one per thread.
 */
public final class BertEncoder {
    private final BertGraph graph;

    private BertEncoder(BertGraph graph) {
        this.graph = graph;
    }

    /** Wraps a built graph. */
    static BertEncoder of(BertGraph graph) {
        return new BertEncoder(requireNonNull(graph, "graph"));
    }

    /**
     * Loads an encoder from a BERT ONNX file exported from PyTorch (Hugging Face {@code BertModel},
     * inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}; weights inside the
     * file, float32). The configuration (vocabulary, width, layers, heads, feed-forward width,
     * positions, token types, layer-norm epsilon) is read from the file's tensors. A BERT network's
     * file written by {@link Network#exportOnnx} reads too (its encoder; the head is left out).
     *
     * @throws AttuneException when the file is missing, unreadable, truncated, not ONNX, or lacks a
     *     BERT tensor or holds one of the wrong shape (the message names the tensor and shape)
     */
    public static BertEncoder fromOnnx(Path onnxFile) {
        requireNonNull(onnxFile, "onnxFile");
        if (!Files.isRegularFile(onnxFile)) {
            throw new AttuneException("no ONNX file at " + onnxFile.toAbsolutePath()
                    + "; give the path of a BERT model's .onnx file");
        }
        try {
            return fromBytes(Files.readAllBytes(onnxFile), onnxFile.toString());
        } catch (IOException e) {
            throw new AttuneException("could not read ONNX file " + onnxFile.toAbsolutePath() + ": " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * Loads an encoder from the bytes of a BERT ONNX file, read to its end (not closed), as
     * {@link #fromOnnx(Path)} does.
     *
     * @throws AttuneException when the stream fails or its bytes are not such a model
     */
    public static BertEncoder fromOnnx(InputStream onnx) {
        requireNonNull(onnx, "onnx");
        try {
            return fromBytes(onnx.readAllBytes(), "the ONNX stream");
        } catch (IOException e) {
            throw new AttuneException("could not read the ONNX stream: " + e, e);
        }
    }

    private static BertEncoder fromBytes(byte[] bytes, String source) {
        OnnxBertWeights.Loaded loaded;
        try {
            loaded = OnnxBertWeights.load(OnnxModel.read(bytes, source), source);
        } catch (ModelFileException e) {
            throw new AttuneException(e.getMessage(), e.getCause());
        }
        return new BertEncoder(BertGraph.build(loaded.config(), loaded.weights(), DataType.FLOAT, BertGraph.Lookup.GATHER));
    }

    /**
     * Sentence embeddings: the last hidden states averaged over the tokens the mask keeps (not
     * normalised).
     *
     * @param ids token ids {@code [n, seqLen]}, integers in [0, {@link #vocabSize()}), any numeric type
     * @param mask {@code [n, seqLen]}, 1 for a token and 0 for padding, at least one 1 per row
     * @return {@code [n, hiddenSize()]}, float
     * @throws IllegalArgumentException for mismatched shapes, a length over {@link #maxLength()}, an id
     *     outside the vocabulary, a mask value other than 0 or 1, or a row with no token
     */
    public INDArray embed(INDArray ids, INDArray mask) {
        check(ids, mask);
        return graph.pooled(ids, mask);
    }

    /**
     * The last layer's hidden state of every token (padding positions included, as BERT computes
     * them), with the same arguments and checks as {@link #embed}.
     *
     * @return {@code [n, seqLen, hiddenSize()]}, float
     */
    public INDArray lastHiddenState(INDArray ids, INDArray mask) {
        check(ids, mask);
        return graph.run(ids, mask, BertGraph.LAST_HIDDEN_STATE).get(BertGraph.LAST_HIDDEN_STATE);
    }

    /** The width of the hidden states and the embedding (384 for all-MiniLM-L6-v2). */
    public int hiddenSize() {
        return graph.config().hiddenSize();
    }

    /** The number of transformer layers (6 for all-MiniLM-L6-v2). */
    public int numLayers() {
        return graph.config().numLayers();
    }

    /** The number of token ids (30,522 for all-MiniLM-L6-v2). */
    public int vocabSize() {
        return graph.config().vocabSize();
    }

    /** The longest sequence the position embeddings allow (512 for all-MiniLM-L6-v2). */
    public int maxLength() {
        return graph.config().maxPositions();
    }

    /** The total number of parameters (22,565,376 for all-MiniLM-L6-v2, which has no pooler layer here). */
    public long numParams() {
        return BertHandle.encoderParams(graph.config());
    }

    BertGraph graph() {
        return graph;
    }

    /**
     * Writes the encoder's weights as a <a href="https://github.com/huggingface/safetensors">safetensors</a>
     * file that Hugging Face's {@code BertModel.load_state_dict} (or any safetensors reader) takes:
     * Hugging Face's tensor names ({@code embeddings.word_embeddings.weight},
     * {@code encoder.layer.0.attention.self.query.weight}, ...), float32, every linear weight in
     * PyTorch's {@code [out, in]} layout, and the configuration as string metadata ({@code vocab_size},
     * {@code hidden_size}, {@code num_layers}, {@code num_heads}, {@code intermediate_size},
     * {@code max_position_embeddings}, {@code type_vocab_size}, {@code layer_norm_eps}), written by
     * a temporary file moved into place (atomically).
     *
     * @throws AttuneException when the file cannot be written
     */
    public void saveSafetensors(Path file) {
        requireNonNull(file, "file");
        BertConfig c = graph.config();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("vocab_size", String.valueOf(c.vocabSize()));
        meta.put("hidden_size", String.valueOf(c.hiddenSize()));
        meta.put("num_layers", String.valueOf(c.numLayers()));
        meta.put("num_heads", String.valueOf(c.numHeads()));
        meta.put("intermediate_size", String.valueOf(c.intermediateSize()));
        meta.put("max_position_embeddings", String.valueOf(c.maxPositions()));
        meta.put("type_vocab_size", String.valueOf(c.typeVocabSize()));
        meta.put("layer_norm_eps", String.valueOf(c.layerNormEps()));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        graph.weights().forEach((name, w) -> {
            // Attune keeps linear weights [in, out] (x W); PyTorch's Linear holds [out, in].
            boolean linear = w.rank() == 2 && name.startsWith("encoder.");
            tensors.put(name.replaceFirst("^encoder\\.", "encoder.layer."), (linear ? w.transpose() : w).castTo(DataType.FLOAT));
        });
        try {
            Safetensors.write(file, tensors, meta);
        } catch (IOException e) {
            throw new AttuneException("cannot write the safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private void check(INDArray ids, INDArray mask) {
        TokenInputs.checkIdsAndMask(ids, mask, vocabSize(), maxLength());
    }
}
