package dev.attune.internal.bert;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a BERT model (encoder, with its head when it has one) as an ONNX model (opset 17, IR
 * version 8) that computes what {@link BertHandle#output} computes, op for op as {@link BertGraph}
 * does: word, position and token-type-0 embeddings and a layer norm; per layer multi-head attention
 * with the additive mask {@code (1 - mask) * -Float.MAX_VALUE}, scores scaled by
 * {@code 1 / sqrt(head size)}, softmax, output projection, residual and layer norm, the exact (erf)
 * GELU feed-forward, residual and layer norm; mean pooling over the mask; then the head's
 * {@code x W + b} and softmax. LoRA adapters are merged into their weights first. Weights are float32.
 *
 * <p>Inputs: {@value #INPUT_IDS} and {@value #ATTENTION_MASK}, int64 {@code [batch, sequence]}
 * (both sizes free). Outputs: with a head, {@value #PROBABILITIES} {@code [batch, classes]} and
 * {@value #LOGITS}; without, {@value #POOLED} {@code [batch, hidden]}.
 *
 * <p>Layer norms are written out as {@code ReduceMean}, {@code Sub}, {@code Mul} (the square, as
 * {@link BertGraph} takes it), {@code ReduceMean}, {@code Add} (epsilon), {@code Sqrt}, {@code Div},
 * {@code Mul}, {@code Add}, as PyTorch exports them (with {@code Pow} for the square);
 * initializers carry Hugging Face's names ({@code encoder.layer.0.attention.self.query.weight},
 * linear weights {@code [in, out]}) and the nodes PyTorch's ({@code /encoder/layer.0/attention/self/Mul}),
 * so {@link OnnxBertWeights} reads the encoder back from the file.
 */
public final class BertOnnx {
    /** The token ids input. */
    public static final String INPUT_IDS = "input_ids";
    /** The attention mask input: 1 for a token, 0 for padding. */
    public static final String ATTENTION_MASK = "attention_mask";
    /** The class probabilities output of a model with a head. */
    public static final String PROBABILITIES = "probabilities";
    /** The head's logits output. */
    public static final String LOGITS = "logits";
    /** The mean-pooled embedding output of an encoder without a head. */
    public static final String POOLED = "pooled";
    /** The ONNX operator set the graph uses. */
    static final long OPSET = 17;
    /** The IR version of opset 17. */
    static final long IR_VERSION = 8;
    /** The most weight bytes one file takes: 2 GiB less 16 MiB for the graph's other fields. */
    static final long MAX_WEIGHT_BYTES = (1L << 31) - (1L << 24);

    private final OnnxWriter w = new OnnxWriter();
    private final BertConfig c;

    private BertOnnx(BertConfig config) {
        this.c = config;
    }

    /**
     * Refuses a model too large for one ONNX file: a protobuf message (the whole model, weights
     * inside) holds at most 2 GB, and ONNX Runtime reads no larger one.
     *
     * @throws IllegalStateException when the model's float32 weights take more than {@value #MAX_WEIGHT_BYTES} bytes
     */
    public static void checkSize(BertHandle handle) {
        checkSize(handle.config(), handle.headName(), handle.headClasses());
    }

    /** As {@link #checkSize(BertHandle)}, for a model of that configuration and head. */
    static void checkSize(BertConfig config, String headName, int headClasses) {
        long bytes = 4 * BertLayout.count(BertLayout.shapes(config, headName, headClasses));
        if (bytes > MAX_WEIGHT_BYTES) {
            throw new IllegalStateException("the model's weights take " + bytes + " bytes as float32, more than the "
                    + MAX_WEIGHT_BYTES + " that one ONNX file holds (a protobuf message stops at 2 GB, and Attune writes"
                    + " no external-data files); export the encoder's weights with BertEncoder.saveSafetensors instead");
        }
    }

    /** Writes the model behind the handle (its adapters merged) to the stream. */
    public static void write(BertHandle handle, OutputStream out) throws IOException {
        checkSize(handle);
        BertHandle plain = handle.lora() == null ? handle : handle.mergedCopy();
        BertOnnx b = new BertOnnx(plain.config());
        b.build(plain);
        b.w.write(out, "attune_bert", IR_VERSION, OPSET, "attune");
    }

    private void build(BertHandle h) {
        Map<String, INDArray> t = h.views();
        BertGraph.parameterShapes(c).keySet().forEach(name -> w.initializer(hfName(name), t.get(name)));
        int hidden = c.hiddenSize();
        w.input(INPUT_IDS, OnnxWriter.INT64, "batch", "sequence");
        w.input(ATTENTION_MASK, OnnxWriter.INT64, "batch", "sequence");

        String zero = w.longs("const_zero", 0L);
        String one = w.longs("const_one", 1L);
        String two = w.longs("const_two", 2L);
        String axes12 = w.longs("const_axes_1_2", 1L, 2L);
        String typeZero = w.longScalar("const_token_type", 0L);
        String headsShape = w.longs("const_heads_shape", 0L, 0L, c.numHeads(), c.headSize());
        String hiddenShape = w.longs("const_hidden_shape", 0L, 0L, hidden);

        String mask = w.node("Cast", "/Cast", List.of(ATTENTION_MASK), OnnxWriter.Attribute.of("to", (long) OnnxWriter.FLOAT));

        // Embeddings: words + positions [0, seqLen) + token type 0, then the layer norm.
        String words = w.node("Gather", "/embeddings/word_embeddings/Gather",
                List.of("embeddings.word_embeddings.weight", INPUT_IDS), OnnxWriter.Attribute.of("axis", 0L));
        String shape = w.node("Shape", "/embeddings/Shape", List.of(INPUT_IDS));
        String seqLen = w.node("Slice", "/embeddings/Slice", List.of(shape, one, two, zero));
        String positions = w.node("Slice", "/embeddings/position_embeddings/Slice",
                List.of("embeddings.position_embeddings.weight", zero, seqLen, zero));
        String types = w.node("Gather", "/embeddings/token_type_embeddings/Gather",
                List.of("embeddings.token_type_embeddings.weight", typeZero), OnnxWriter.Attribute.of("axis", 0L));
        String x = w.node("Add", "/embeddings/Add", List.of(words, positions));
        x = w.node("Add", "/embeddings/Add_1", List.of(x, types));
        x = layerNorm(x, "embeddings.LayerNorm");

        // The additive mask (1 - mask) * -Float.MAX_VALUE, [batch, 1, 1, seqLen].
        String inverted = w.node("Sub", "/Sub", List.of(w.constant("/Constant_one", 1f), mask));
        String additive = w.node("Mul", "/Mul", List.of(inverted, w.constant("/Constant_mask", (float) BertGraph.MASK_VALUE)));
        additive = w.node("Unsqueeze", "/Unsqueeze", List.of(additive, axes12));

        for (int n = 0; n < c.numLayers(); n++) {
            x = layer(x, n, additive, headsShape, hiddenShape);
        }

        // Mean pooling over the tokens the mask keeps.
        String keep = w.node("Unsqueeze", "/pooling/Unsqueeze", List.of(mask, two));
        String summed = w.node("ReduceSum", "/pooling/ReduceSum", List.of(w.node("Mul", "/pooling/Mul", List.of(x, keep)), one),
                OnnxWriter.Attribute.of("keepdims", 0L));
        String count = w.node("ReduceSum", "/pooling/ReduceSum_1", List.of(mask, one), OnnxWriter.Attribute.of("keepdims", 1L));
        if (h.headClasses() == 0) {
            w.node("Div", "/pooling/Div", POOLED, List.of(summed, count));
            w.output(POOLED, OnnxWriter.FLOAT, "batch", (long) hidden);
            return;
        }
        String pooled = w.node("Div", "/pooling/Div", List.of(summed, count));
        String head = h.headName();
        String weight = w.initializer(head + ".W", t.get(head + ".W"));
        String bias = w.initializer(head + ".b", t.get(head + ".b"));
        String product = w.node("MatMul", "/head/MatMul", List.of(pooled, weight));
        w.node("Add", "/head/Add", LOGITS, List.of(product, bias));
        w.node("Softmax", "/head/Softmax", PROBABILITIES, List.of(LOGITS), OnnxWriter.Attribute.of("axis", -1L));
        w.output(PROBABILITIES, OnnxWriter.FLOAT, "batch", (long) h.headClasses());
        w.output(LOGITS, OnnxWriter.FLOAT, "batch", (long) h.headClasses());
    }

    private String layer(String x, int n, String additive, String headsShape, String hiddenShape) {
        String p = "encoder." + n + ".";
        String q = heads(dense(x, p + "attention.self.query"), p + "attention.self.query", headsShape, 1);
        String k = heads(dense(x, p + "attention.self.key"), p + "attention.self.key", headsShape, 3);
        String v = heads(dense(x, p + "attention.self.value"), p + "attention.self.value", headsShape, 1);
        String self = path(p + "attention.self");
        String scores = w.node("MatMul", self + "/MatMul", List.of(q, k));
        scores = w.node("Mul", self + "/Mul", List.of(scores,
                w.constant(self + "/Constant_scale", (float) (1.0 / Math.sqrt(c.headSize())))));
        scores = w.node("Add", self + "/Add", List.of(scores, additive));
        String probs = w.node("Softmax", self + "/Softmax", List.of(scores), OnnxWriter.Attribute.of("axis", -1L));
        String context = w.node("MatMul", self + "/MatMul_1", List.of(probs, v));
        context = w.node("Transpose", self + "/Transpose_context", List.of(context),
                OnnxWriter.Attribute.ints("perm", 0, 2, 1, 3));
        context = w.node("Reshape", self + "/Reshape_context", List.of(context, hiddenShape));
        String out = path(p + "attention.output");
        String attended = w.node("Add", out + "/Add", List.of(dense(context, p + "attention.output.dense"), x));
        attended = layerNorm(attended, p + "attention.output.LayerNorm");
        String inner = gelu(dense(attended, p + "intermediate.dense"), path(p + "intermediate") + "/intermediate_act_fn");
        String result = w.node("Add", path(p + "output") + "/Add", List.of(dense(inner, p + "output.dense"), attended));
        return layerNorm(result, p + "output.LayerNorm");
    }

    /**
     * {@code [batch, seqLen, hidden]} to {@code [batch, heads, seqLen, headSize]} ({@code seqAxis} 1
     * after the heads' axis), or to {@code [batch, heads, headSize, seqLen]} ({@code seqAxis} 3: the
     * keys, transposed for the scores).
     */
    private String heads(String x, String module, String headsShape, int seqAxis) {
        String r = w.node("Reshape", path(module) + "/Reshape", List.of(x, headsShape));
        long[] perm = seqAxis == 1 ? new long[] {0, 2, 1, 3} : new long[] {0, 2, 3, 1};
        return w.node("Transpose", path(module) + "/Transpose", List.of(r), OnnxWriter.Attribute.ints("perm", perm));
    }

    /** {@code x W + b}. */
    private String dense(String x, String module) {
        String product = w.node("MatMul", path(module) + "/MatMul", List.of(x, hfName(module + ".weight")));
        return w.node("Add", path(module) + "/Add", List.of(product, hfName(module + ".bias")));
    }

    /** Layer norm over the last axis with the biased variance, as {@link BertGraph} computes it. */
    private String layerNorm(String x, String module) {
        String p = path(module);
        OnnxWriter.Attribute last = OnnxWriter.Attribute.ints("axes", -1);
        String mean = w.node("ReduceMean", p + "/ReduceMean", List.of(x), last);
        String centred = w.node("Sub", p + "/Sub", List.of(x, mean));
        String squared = w.node("Mul", p + "/Mul_square", List.of(centred, centred));
        String variance = w.node("ReduceMean", p + "/ReduceMean_1", List.of(squared), last);
        String shifted = w.node("Add", p + "/Add", List.of(variance, w.constant(p + "/Constant_eps", (float) c.layerNormEps())));
        String normed = w.node("Div", p + "/Div", List.of(centred, w.node("Sqrt", p + "/Sqrt", List.of(shifted))));
        String scaled = w.node("Mul", p + "/Mul", List.of(normed, hfName(module + ".weight")));
        return w.node("Add", p + "/Add_1", List.of(scaled, hfName(module + ".bias")));
    }

    /** GELU, exact form: {@code x * (1 + erf(x / sqrt 2)) / 2}, in {@link BertGraph}'s order of operations. */
    private String gelu(String x, String p) {
        String scaled = w.node("Mul", p + "/Mul", List.of(x, w.constant(p + "/Constant_inv_sqrt2", (float) (1.0 / Math.sqrt(2.0)))));
        String erf = w.node("Erf", p + "/Erf", List.of(scaled));
        String plus = w.node("Add", p + "/Add", List.of(erf, w.constant(p + "/Constant_one", 1f)));
        String times = w.node("Mul", p + "/Mul_1", List.of(x, plus));
        return w.node("Mul", p + "/Mul_2", List.of(times, w.constant(p + "/Constant_half", 0.5f)));
    }

    /** Hugging Face's tensor name: {@code encoder.N.} becomes {@code encoder.layer.N.}. */
    static String hfName(String name) {
        return name.startsWith("encoder.") ? "encoder.layer." + name.substring("encoder.".length()) : name;
    }

    /** PyTorch's node path of a module: {@code encoder.0.attention.self} becomes {@code /encoder/layer.0/attention/self}. */
    private static String path(String module) {
        if (!module.startsWith("encoder.")) {
            return "/" + module.replace('.', '/');
        }
        String rest = module.substring("encoder.".length());
        int dot = rest.indexOf('.');
        return "/encoder/layer." + rest.substring(0, dot) + "/" + rest.substring(dot + 1).replace('.', '/');
    }
}
