package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.BertEncoder;
import dev.attune.BertEncoderParityTest;
import dev.attune.BertEncoders;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ONNX reader and the BERT weight mapping on small ONNX files written here in the layout a
 * PyTorch export of Hugging Face's BertModel has (module-named embeddings, biases and layer norms;
 * Linear weights as {@code onnx::MatMul_N} initializers consumed by named MatMul nodes), and the
 * refusal of truncated, foreign and mis-shaped files.
 */
class OnnxBertLoadingTest {
    static final BertConfig TINY = new BertConfig(20, 16, 2, 2, 32, 12, 2, 1e-12);

    @Test
    void aTinyExportLoadsWithItsConfigurationAndComputesTheSameOutputs() {
        BertGraph graph = BertGraph.random(TINY, 9, DataType.FLOAT, BertGraph.Lookup.GATHER);
        BertEncoder loaded = BertEncoder.fromOnnx(new ByteArrayInputStream(export(graph, UnaryOperator.identity())));
        assertThat(BertEncoders.graph(loaded).config()).isEqualTo(TINY);
        INDArray ids = Nd4j.createFromArray(new long[][] {{1, 5, 7, 2, 0}, {1, 9, 13, 11, 2}});
        INDArray mask = Nd4j.createFromArray(new long[][] {{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}});
        assertThat(loaded.lastHiddenState(ids, mask)).isEqualTo(BertEncoders.of(graph).lastHiddenState(ids, mask));
        assertThat(loaded.numParams()).isEqualTo(20 * 16 + 12 * 16 + 2 * 16 + 2 * 16
                + 2 * (4 * (16 * 16 + 16) + 2 * 16 + 16 * 32 + 32 + 32 * 16 + 16 + 2 * 16));
    }

    @Test
    void aMissingTensorIsNamed() {
        BertGraph graph = BertGraph.random(TINY, 9, DataType.FLOAT, BertGraph.Lookup.GATHER);
        byte[] bytes = export(graph, name -> name.equals("encoder.layer.1.output.LayerNorm.bias") ? null : name);
        assertThatThrownBy(() -> BertEncoder.fromOnnx(new ByteArrayInputStream(bytes)))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("has no tensor 'encoder.layer.1.output.LayerNorm.bias' of shape [16]")
                .hasMessageContaining("give the ONNX export of a BERT / MiniLM model");
        byte[] noWords = export(graph, name -> name.equals("embeddings.word_embeddings.weight") ? null : name);
        assertThatThrownBy(() -> BertEncoder.fromOnnx(new ByteArrayInputStream(noWords)))
                .hasMessageContaining("has no tensor 'embeddings.word_embeddings.weight'");
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes() {
        BertGraph graph = BertGraph.random(TINY, 9, DataType.FLOAT, BertGraph.Lookup.GATHER);
        // the first layer's query weight written transposed-wrong as [16, 8]
        byte[] bytes = export(graph, name -> name.equals("encoder.layer.0.attention.self.query.weight") ? "!" + name : name);
        assertThatThrownBy(() -> BertEncoder.fromOnnx(new ByteArrayInputStream(bytes)))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("tensor 'encoder.layer.0.attention.self.query.weight' (initializer 'onnx::MatMul_")
                .hasMessageContaining("has shape [16, 8], expected [16, 16]");
    }

    @Test
    void truncatedAndForeignFilesAreRefused(@TempDir Path dir) throws IOException {
        byte[] bytes = export(BertGraph.random(TINY, 9, DataType.FLOAT, BertGraph.Lookup.GATHER), UnaryOperator.identity());
        Path truncated = dir.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> BertEncoder.fromOnnx(truncated))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("truncated.onnx is not a readable ONNX model (truncated or not ONNX)")
                .hasMessageContaining("runs past the end");
        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "these are not the weights you are looking for\n");
        assertThatThrownBy(() -> BertEncoder.fromOnnx(text))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("notes.onnx is not");
        assertThatThrownBy(() -> BertEncoder.fromOnnx(dir.resolve("missing.onnx")))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("no ONNX file at");
        assertThatThrownBy(() -> BertEncoder.fromOnnx(new ByteArrayInputStream(new byte[0])))
                .hasMessageContaining("the ONNX stream is not an ONNX model: it has no ir_version");
    }

    @Test
    void theRealFileIsReadForItsInputsOutputsAndInitializers() throws IOException {
        OnnxModel model;
        try (InputStream in = getClass().getResourceAsStream(BertEncoderParityTest.MODEL)) {
            model = OnnxModel.read(in.readAllBytes(), "all-minilm-l6-v2.onnx");
        }
        assertThat(model.inputs()).containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(model.outputs()).containsExactly("last_hidden_state");
        assertThat(model.initializers().size()).isEqualTo(102);
        assertThat(model.initializers().keySet()).contains("embeddings.word_embeddings.weight",
                "encoder.layer.5.output.LayerNorm.bias", "onnx::MatMul_787");
        assertThat(model.initializers().get("onnx::MatMul_798").dims()).containsExactly(384, 1536);
        assertThat(model.node("/encoder/layer.0/intermediate/dense/MatMul").orElseThrow().inputs())
                .endsWith("onnx::MatMul_798");
    }

    @Test
    void badIdsAndMasksAreRefused() {
        BertEncoder encoder = BertEncoders.of(BertGraph.random(TINY, 1, DataType.FLOAT, BertGraph.Lookup.GATHER));
        INDArray ones = Nd4j.ones(DataType.FLOAT, 1, 3);
        assertThatThrownBy(() -> encoder.embed(Nd4j.createFromArray(new long[][] {{1, 20, 2}}), ones))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token ids must be whole numbers in [0, 20), got values in [1, 20]");
        assertThatThrownBy(() -> encoder.embed(Nd4j.createFromArray(new long[][] {{1, -1, 2}}), ones))
                .hasMessageContaining("in [0, 20)");
        assertThatThrownBy(() -> encoder.embed(Nd4j.createFromArray(new long[][] {{1, 2}}), ones))
                .hasMessageContaining("ids and mask must both be [n, seqLen], got ids [1, 2] and mask [1, 3]");
        assertThatThrownBy(() -> encoder.embed(Nd4j.zeros(DataType.INT64, 1, 13), Nd4j.ones(DataType.FLOAT, 1, 13)))
                .hasMessageContaining("a length in [1, 12]; truncate longer sequences");
        INDArray ids = Nd4j.createFromArray(new long[][] {{1, 5, 2}, {1, 0, 0}});
        assertThatThrownBy(() -> encoder.embed(ids, Nd4j.createFromArray(new float[][] {{1, 1, 1}, {0, 0, 0}})))
                .hasMessageContaining("row 1 of the mask has no token");
        assertThatThrownBy(() -> encoder.embed(ids, Nd4j.createFromArray(new float[][] {{1, 1, 1}, {1, 0.5f, 0}})))
                .hasMessageContaining("the mask must hold only 0 (padding) and 1 (token)");
        assertThatThrownBy(() -> encoder.embed(Nd4j.createFromArray(new double[][] {{1, 2.5, 2}}), ones))
                .hasMessageContaining("whole numbers");
    }

    /**
     * The graph's weights as an ONNX model in the PyTorch export layout. {@code rename} maps each
     * ONNX tensor name to the name to write: {@code null} leaves the tensor out, a leading "!" writes
     * it with half its columns.
     */
    static byte[] export(BertGraph graph, UnaryOperator<String> rename) {
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        int matmul = 100;
        for (String name : graph.parameterNames()) {
            INDArray w = graph.sameDiff().getVariable(name).getArr();
            String onnxName = name.startsWith("encoder.") ? "encoder.layer." + name.substring(8) : name;
            String written = rename.apply(onnxName);
            if (written == null) {
                continue;
            }
            if (written.startsWith("!")) {
                w = w.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, w.size(1) / 2));
                written = written.substring(1);
            }
            if (name.startsWith("encoder.") && name.endsWith("dense.weight") || name.contains(".self.") && name.endsWith(".weight")) {
                String init = "onnx::MatMul_" + matmul++;
                String module = "/" + written.substring(0, written.length() - ".weight".length()).replace("encoder.layer.",
                        "encoder/layer.").replace('.', '/').replace("layer/", "layer.");
                field(g, 5, tensor(init, w));
                field(g, 1, node("MatMul", module + "/MatMul", new String[] {"x", init}, new String[] {module + "/y"}));
            } else {
                field(g, 5, tensor(written, w));
            }
        }
        double scale = Math.sqrt(graph.config().headSize());
        field(g, 1, node("Constant", "/encoder/layer.0/attention/self/Constant_12", new String[0], new String[] {"scale"},
                tensor("", Nd4j.scalar((float) scale))));
        field(g, 1, node("Div", "/encoder/layer.0/attention/self/Div", new String[] {"scores", "scale"}, new String[] {"s"}));
        field(g, 1, node("Constant", "/embeddings/LayerNorm/Constant_1", new String[0], new String[] {"eps"},
                tensor("", Nd4j.scalar((float) graph.config().layerNormEps()))));
        field(g, 1, node("Add", "/embeddings/LayerNorm/Add", new String[] {"var", "eps"}, new String[] {"v"}));
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        varintField(m, 1, 8);
        field(m, 7, g.toByteArray());
        return m.toByteArray();
    }

    private static byte[] tensor(String name, INDArray values) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (long d : values.shape()) {
            varintField(t, 1, d);
        }
        varintField(t, 2, OnnxModel.FLOAT);
        field(t, 8, name.getBytes(StandardCharsets.UTF_8));
        float[] f = values.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        field(t, 9, b.array());
        return t.toByteArray();
    }

    private static byte[] node(String op, String name, String[] inputs, String[] outputs, byte[]... valueTensor) {
        ByteArrayOutputStream n = new ByteArrayOutputStream();
        for (String i : inputs) {
            field(n, 1, i.getBytes(StandardCharsets.UTF_8));
        }
        for (String o : outputs) {
            field(n, 2, o.getBytes(StandardCharsets.UTF_8));
        }
        field(n, 3, name.getBytes(StandardCharsets.UTF_8));
        field(n, 4, op.getBytes(StandardCharsets.UTF_8));
        for (byte[] t : valueTensor) {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            field(a, 1, "value".getBytes(StandardCharsets.UTF_8));
            field(a, 5, t);
            varintField(a, 20, 4);
            field(n, 5, a.toByteArray());
        }
        return n.toByteArray();
    }

    private static void field(ByteArrayOutputStream out, int field, byte[] bytes) {
        varint(out, (field << 3) | 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    private static void varintField(ByteArrayOutputStream out, int field, long value) {
        varint(out, field << 3);
        varint(out, value);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
