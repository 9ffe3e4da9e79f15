package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.attune.internal.bert.BertGraph;
import dev.attune.spi.Optimizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Network#exportOnnx}: ONNX Runtime, in this JVM, runs the exported file of a fine-tuned BERT
 * (full fine-tuning, LoRA merged, a bare encoder, all-MiniLM-L6-v2) on padded batches and gives what
 * {@link Network#output} gives; the encoder reads back with {@link BertEncoder#fromOnnx}; what cannot be
 * exported is refused.
 */
class OnnxExportTest {
    private static final LabeledData ALL = BertFineTuningTest.sequences(150, 3);
    private static final LabeledData TRAIN = ALL.select(IntStream.range(0, 120).toArray());
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @Test
    void aFullyFineTunedEncoderWithItsHeadRunsInOnnxRuntimeAsItDoesHere() throws Exception {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        BertFineTuningTest.randomise(base.handle().parameters(), 11); // weights far from their initialisation
        FineTuneResult r = FineTuner.builder(base).replaceHead(BertFineTuningTest.CLASSES)
                .optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(32).seed(5).build().fit(TRAIN, null);
        Network model = r.model();
        Path file = dir.resolve("full.onnx");
        model.exportOnnx(file);

        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            assertThat(session.getInputNames()).containsExactly("input_ids", "attention_mask");
            assertThat(session.getOutputNames()).containsExactly("probabilities", "logits");
            for (int length : new int[] {10, 16, 3}) {
                long[][][] batch = padded(5, length, 50, 100 + length);
                float[][] onnx = run(session, batch, "probabilities");
                INDArray expected = model.output(features(batch));
                assertClose(onnx, expected);
                // Not a constant function: the rows differ, and the logits are the head's.
                assertThat(Math.abs(onnx[0][0] - onnx[1][0]) + Math.abs(onnx[0][1] - onnx[1][1])).isGreaterThan(1e-3f);
                float[][] logits = run(session, batch, "logits");
                assertClose(softmax(logits), expected);
            }
        }
        assertSameEncoder(file, model);
    }

    @Test
    void aLoraFineTunedEncoderIsExportedWithItsAdaptersMergedAndTheReadmeShowsIt() throws Exception {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        FineTuneResult result = FineTuner.builder(base).replaceHead(BertFineTuningTest.CLASSES)
                .adapter(BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(4,
                        List.of("*.attention.self.query", "*.attention.self.value", "*.intermediate.dense"))))
                .optimizer(Optimizer.adam(5e-2)).epochs(3).batchSize(32).seed(2).build().fit(TRAIN, null);
        long[][][] batch = padded(6, 12, 50, 7);
        long[][] inputIds = batch[0];
        long[][] attentionMask = batch[1];

        // README example: begin
        Network model = result.model();                       // adapters merged
        Path onnx = dir.resolve("intents.onnx");
        model.exportOnnx(onnx);                               // encoder, pooling and head, opset 17
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][] probabilities;
        try (OrtSession session = env.createSession(onnx.toString());
                OnnxTensor ids = OnnxTensor.createTensor(env, inputIds);            // long[batch][sequence]
                OnnxTensor mask = OnnxTensor.createTensor(env, attentionMask);      // 1 a token, 0 padding
                OrtSession.Result out = session.run(Map.of("input_ids", ids, "attention_mask", mask))) {
            probabilities = (float[][]) out.get("probabilities").orElseThrow().getValue();
        }
        // README example: end

        assertClose(probabilities, model.output(features(batch)));
        // The adapters changed the model: the base encoder with the same head gives other outputs.
        assertThat(model.handle().parameters().get("encoder.0.attention.self.query.weight"))
                .isNotEqualTo(base.handle().parameters().get("encoder.0.attention.self.query.weight"));
        assertSameEncoder(onnx, model);
        ReadmeExamples.assertReadmeShowsExampleOf(OnnxExportTest.class);
    }

    @Test
    void anEncoderWithoutAHeadGivesItsPooledEmbeddings() throws Exception {
        Network encoder = Network.of(BertFineTuningTest.tiny(DataType.DOUBLE));
        BertFineTuningTest.randomise(encoder.handle().parameters(), 4);
        Path file = dir.resolve("encoder.onnx");
        encoder.exportOnnx(file);
        long[][][] batch = padded(4, 9, 50, 1);
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            assertThat(session.getOutputNames()).containsExactly("pooled");
            NodeInfo ids = session.getInputInfo().get("input_ids");
            assertThat(ids.getInfo().toString()).contains("shape=[-1, -1]").contains("INT64");
            assertClose(run(session, batch, "pooled"), encoder.output(features(batch)));
        }
        assertSameEncoder(file, encoder);
    }

    @Test
    void allMiniLmL6V2RunsInOnnxRuntimeAsItDoesHere() throws Exception {
        BertEncoder encoder;
        try (InputStream in = OnnxExportTest.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            encoder = BertEncoder.fromOnnx(in);
        }
        Network network = Network.of(encoder);
        Path file = dir.resolve("minilm.onnx");
        network.exportOnnx(file);
        long[][][] batch = BertEncoderParityTest.batch(22, BertEncoderParityTest.SENTENCES);
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            assertClose(run(session, batch, "pooled"), network.output(features(batch)));
        }
    }

    @Test
    void networksThatAreNotBertAndPathsThatAreDirectoriesOrUnderAFileAreRefused() throws Exception {
        Network mlp = Network.of(Fixtures.mlp(3, 1));
        assertThatThrownBy(() -> mlp.exportOnnx(dir.resolve("mlp.onnx"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("this network is a MultiLayerNetwork, not a BERT network")
                .hasMessageContaining("save this one with Network.save");
        Path taken = Files.createDirectory(dir.resolve("model.onnx"));
        Network bert = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        assertThatThrownBy(() -> bert.exportOnnx(taken)).isInstanceOf(AttuneException.class)
                .hasMessage(taken.toAbsolutePath() + " is a directory, not an ONNX file; give the path of the file to"
                        + " write inside it (such as " + taken.toAbsolutePath().resolve("model.onnx") + ")");
        assertThatThrownBy(() -> bert.exportOnnx(null)).isInstanceOf(NullPointerException.class).hasMessage("file");
        Path file = Files.writeString(dir.resolve("notes"), "a file");
        assertThatThrownBy(() -> bert.exportOnnx(file.resolve("model.onnx"))).isInstanceOf(AttuneException.class)
                .hasMessageStartingWith("could not write the ONNX file " + file.toAbsolutePath().resolve("model.onnx")
                        + ": cannot create directory " + file.toAbsolutePath() + ": a file of that name exists");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.onnx", "notes");
        }
        assertThat(Files.readString(file)).isEqualTo("a file");
        assertThat(Files.isDirectory(taken)).isTrue();
    }

    /** The file's encoder read back by Attune's ONNX reader: the model's encoder tensors, to float precision. */
    private static void assertSameEncoder(Path file, Network model) {
        BertGraph read = BertEncoders.graph(BertEncoder.fromOnnx(file));
        assertThat(read.config()).isEqualTo(((BertGraph) model.handle().unwrap()).config());
        Map<String, INDArray> tensors = model.handle().parameters();
        read.weights().forEach((name, w) -> assertThat(w).as(name).isEqualTo(tensors.get(name).castTo(DataType.FLOAT)));
    }

    /**
     * {@code n} rows of random ids in {@code [1, vocab)} of lengths from 1 to {@code length}, right-padded
     * with id 0 and mask 0; the first row is full.
     */
    static long[][][] padded(int n, int length, int vocab, long seed) {
        Random rng = new Random(seed);
        long[][] ids = new long[n][length];
        long[][] mask = new long[n][length];
        for (int i = 0; i < n; i++) {
            int len = i == 0 ? length : 1 + rng.nextInt(length);
            for (int t = 0; t < len; t++) {
                ids[i][t] = 1 + rng.nextInt(vocab - 1);
                mask[i][t] = 1;
            }
        }
        return new long[][][] {ids, mask};
    }

    /** Attune's {@code [n, 2, length]} features of ids and mask. */
    static INDArray features(long[][][] batch) {
        int n = batch[0].length;
        int length = batch[0][0].length;
        float[] x = new float[n * 2 * length];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < length; t++) {
                x[i * 2 * length + t] = batch[0][i][t];
                x[i * 2 * length + length + t] = batch[1][i][t];
            }
        }
        return Nd4j.create(x, new long[] {n, 2, length}, 'c');
    }

    private static float[][] run(OrtSession session, long[][][] batch, String output) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor ids = OnnxTensor.createTensor(env, batch[0]);
                OnnxTensor mask = OnnxTensor.createTensor(env, batch[1]);
                OrtSession.Result out = session.run(Map.of("input_ids", ids, "attention_mask", mask))) {
            return (float[][]) out.get(output).orElseThrow().getValue();
        }
    }

    private static float[][] softmax(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (float v : logits[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            out[i] = new float[logits[i].length];
            for (int j = 0; j < logits[i].length; j++) {
                sum += Math.exp(logits[i][j] - max);
            }
            for (int j = 0; j < logits[i].length; j++) {
                out[i][j] = (float) (Math.exp(logits[i][j] - max) / sum);
            }
        }
        return out;
    }

    private static void assertClose(float[][] actual, INDArray expected) {
        assertThat(actual.length).isEqualTo(expected.size(0));
        for (int i = 0; i < actual.length; i++) {
            assertThat(actual[i]).hasSize((int) expected.size(1));
            for (int j = 0; j < actual[i].length; j++) {
                assertThat((double) actual[i][j]).as("row %d, column %d", i, j)
                        .isCloseTo(expected.getDouble(i, j), org.assertj.core.data.Offset.offset(TOLERANCE));
            }
        }
    }
}
