package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.attune.BertFineTuningTest;
import dev.attune.BertLoraFineTuningTest;
import dev.attune.Freeze;
import dev.attune.Network;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainingPlan;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link BertOnnx} on a model whose LoRA adapters are live (the adapter path, as training holds it),
 * one of them merged into its weight: the exported file folds in each adapter once, and ONNX Runtime
 * gives what the model's own adapter-path inference gives. The file reads back with {@link OnnxModel}:
 * its inputs, outputs and nodes are those written.
 */
class BertOnnxTest {
    @Test
    void liveAdaptersAreFoldedInOnceAndTheFileReadsBack() throws Exception {
        Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        BertTrainable trainable = (BertTrainable) base.handle().prepare(new TrainingPlan(3, "head",
                Freeze.all().andUnfreeze("head"), Optimizer.sgd(0.1), 3, BertLoraFineTuningTest.method(
                        BertLoraFineTuningTest.spec(4, List.of("*.attention.self.query", "*.attention.self.value")))));
        BertHandle model = trainable.model();
        BertFineTuningTest.randomise(model.tensors(), 21); // B not zero: the adapters change the outputs
        List<AdaptedLayer> modules = model.adaptedModules();
        modules.get(0).merge(); // encoder.0.attention.self.query: in the weight now, B kept for unmerge
        assertThat(model.lora()).isNotNull();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BertOnnx.write(model, bytes);

        long[][] ids = {{1, 7, 9, 33, 2, 0, 0}, {1, 12, 2, 0, 0, 0, 0}, {1, 4, 4, 4, 48, 17, 2}};
        long[][] mask = new long[ids.length][ids[0].length];
        float[] x = new float[ids.length * 2 * 7];
        for (int i = 0; i < ids.length; i++) {
            for (int t = 0; t < 7; t++) {
                mask[i][t] = ids[i][t] == 0 ? 0 : 1;
                x[i * 14 + t] = ids[i][t];
                x[i * 14 + 7 + t] = mask[i][t];
            }
        }
        INDArray expected = model.output(Nd4j.create(x, new long[] {ids.length, 2, 7}, 'c'));
        INDArray folded = model.mergedCopy().output(Nd4j.create(x, new long[] {ids.length, 2, 7}, 'c'));
        assertThat(folded.equalsWithEps(expected, 1e-5)).isTrue(); // the merged copy is the model
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bytes.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor i = OnnxTensor.createTensor(env, ids);
                OnnxTensor m = OnnxTensor.createTensor(env, mask);
                OrtSession.Result out = session.run(Map.of(BertOnnx.INPUT_IDS, i, BertOnnx.ATTENTION_MASK, m))) {
            float[][] p = (float[][]) out.get(BertOnnx.PROBABILITIES).orElseThrow().getValue();
            for (int r = 0; r < p.length; r++) {
                for (int c = 0; c < 3; c++) {
                    assertThat((double) p[r][c]).as("row %d, class %d", r, c)
                            .isCloseTo(expected.getDouble(r, c), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }

        OnnxModel read = OnnxModel.read(bytes.toByteArray(), "export");
        assertThat(read.inputs()).containsExactly(BertOnnx.INPUT_IDS, BertOnnx.ATTENTION_MASK);
        assertThat(read.outputs()).containsExactly(BertOnnx.PROBABILITIES, BertOnnx.LOGITS);
        assertThat(read.initializers()).containsKeys("encoder.layer.1.attention.self.value.weight", "head.W", "head.b")
                .doesNotContainKey("encoder.layer.0.attention.self.query.lora_A");
        assertThat(read.constant("/encoder/layer.0/attention/self/Constant_scale_output_0")).contains((float) (1 / Math.sqrt(8)));
        INDArray query = Nd4j.createFromArray(read.initializers().get("encoder.layer.0.attention.self.query.weight").floats())
                .reshape(16, 16);
        assertThat(query).isEqualTo(model.mergedCopy().views().get("encoder.0.attention.self.query.weight"));
    }

    @Test
    void aModelOverTheTwoGigabytesOfOneOnnxFileIsRefused() {
        // BERT-large's shape with 48 layers: 636,403,714 weights with a 2-class head, 2,545,614,856 bytes as float32.
        BertConfig large = new BertConfig(30522, 1024, 48, 16, 4096, 512, 2, 1e-12);
        assertThatThrownBy(() -> BertOnnx.checkSize(large, "head", 2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the model's weights take 2545614856 bytes as float32, more than the 2130706432 that one"
                        + " ONNX file holds (a protobuf message stops at 2 GB, and Attune writes no external-data files);"
                        + " export the encoder's weights with BertEncoder.saveSafetensors instead");
        // BERT-large itself (24 layers, 334,094,338 weights with a 2-class head, 1.3 GB) fits.
        BertOnnx.checkSize(new BertConfig(30522, 1024, 24, 16, 4096, 512, 2, 1e-12), "head", 2);
    }
}
