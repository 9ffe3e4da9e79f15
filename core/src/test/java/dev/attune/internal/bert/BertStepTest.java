package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertFineTuningTest;
import dev.attune.BertLoraFineTuningTest;
import dev.attune.Freeze;
import dev.attune.Network;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.LowRankSpec;
import dev.attune.spi.FreezePolicy;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainingPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The written-out training step ({@link BertStep}) against SameDiff's backward pass of the same
 * network ({@link BertGraph} with the word table looked up by one-hot products, so that its gradient
 * is exact, plus the head and the weighted cross-entropy) in double precision: the step in double within
 * 1e-10, the step in float within 1e-5 (of the gradient's scale), on a tiny random BERT: the loss and every trained tensor's gradient, for full fine-tuning, partial freezing
 * (a frozen bottom, and a frozen layer between trained ones) and LoRA, with padding, repeated ids and example weights.
 */
class BertStepTest {
    @ParameterizedTest
    @ValueSource(strings = {"full", "top", "middle", "lora", "lora-all"})
    void stepEqualsSameDiffBackwardPass(String mode) {
        check(mode, DataType.DOUBLE, 1e-12, 1e-10);
    }

    /** In float, the written-out step (erf and exp in float) against SameDiff's graph in double on the same values. */
    @ParameterizedTest
    @ValueSource(strings = {"full", "middle", "lora-all"})
    void floatStepEqualsSameDiffBackwardPassInFloat(String mode) {
        check(mode, DataType.FLOAT, 1e-5, 1e-5, 4);
    }

    /**
     * 1,024 sequences, enough that the row work, the layer norms and the attention are each split over
     * two threads: on two threads and on one, equal to SameDiff's graph in double within 2e-5 (the
     * adapters' gradients sum thousands of token rows in float) and to each other within 1e-6.
     */
    @ParameterizedTest
    @ValueSource(strings = {"full", "lora-all"})
    void largeBatchOnTwoThreadsAndOnOneEqualsSameDiff(String mode) {
        Map<String, INDArray> two = check(mode, DataType.FLOAT, 1e-5, 2e-5, 1024);
        RowThreads.twoThreads = false;
        try {
            Map<String, INDArray> one = check(mode, DataType.FLOAT, 1e-5, 2e-5, 1024);
            for (var e : one.entrySet()) {
                double scale = e.getValue().amaxNumber().doubleValue();
                assertThat(two.get(e.getKey()).sub(e.getValue()).amaxNumber().doubleValue()).as(e.getKey())
                        .isLessThanOrEqualTo(1e-6 * (1 + scale));
            }
        } finally {
            RowThreads.twoThreads = true;
        }
    }

    /**
     * all-MiniLM-L6-v2 with LoRA on query and value, 16 sequences of 64 positions (every other one full,
     * the rest padded): the float step against SameDiff's graph in double.
     */
    @org.junit.jupiter.api.Test
    void miniLmLoraStepEqualsSameDiff() throws Exception {
        dev.attune.BertEncoder encoder;
        try (java.io.InputStream in = BertStepTest.class.getResourceAsStream(dev.attune.BertEncoderParityTest.MODEL)) {
            encoder = dev.attune.BertEncoder.fromOnnx(in);
        }
        AdapterMethod adapter = BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(8,
                List.of("*.attention.self.query", "*.attention.self.value")));
        BertTrainable trainable = (BertTrainable) Network.of(encoder).handle().prepare(
                new TrainingPlan(2, "head", Freeze.all().andUnfreeze("head"), Optimizer.adam(1e-3), 3, adapter));
        BertHandle model = trainable.model();
        Nd4j.getRandom().setSeed(3);
        model.tensors().forEach((name, t) -> {
            if (name.endsWith("lora_B")) { // B is zero when made: give the adapter's gradients something to pass
                t.assign(Nd4j.randn(DataType.FLOAT, t.shape()).muli(0.05));
            }
        });
        java.util.Random rng = new java.util.Random(3);
        double[][][] rows = new double[16][2][64];
        double[][] labels = new double[16][2];
        for (int i = 0; i < 16; i++) {
            int tokens = i % 2 == 0 ? 64 : 5 + rng.nextInt(40);
            for (int l = 0; l < tokens; l++) {
                rows[i][0][l] = l == 0 ? 101 : l == tokens - 1 ? 102 : 1000 + rng.nextInt(20000);
                rows[i][1][l] = 1;
            }
            labels[i][i % 2] = 1;
        }
        INDArray x = Nd4j.create(rows).castTo(DataType.FLOAT);
        INDArray y = Nd4j.create(labels).castTo(DataType.FLOAT);
        INDArray weights = Nd4j.ones(DataType.FLOAT, 16, 1);
        BertTrainable.Computed step = trainable.compute(x, y, weights);
        Map<String, INDArray> expected = new LinkedHashMap<>();
        double expectedLoss = reference(model, trainable.trainedTensors().keySet(), x, y, weights, expected, 2);
        assertThat(step.loss()).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-6));
        for (var e : expected.entrySet()) {
            double scale = e.getValue().amaxNumber().doubleValue();
            assertThat(step.gradients().get(e.getKey()).castTo(DataType.DOUBLE).sub(e.getValue()).amaxNumber().doubleValue())
                    .as(e.getKey()).isLessThanOrEqualTo(1e-6 * (1 + scale));
        }
        assertThat(expected).hasSize(6 * 2 * 2 + 2);
    }

    private static void check(String mode, DataType type, double lossTolerance, double tolerance) {
        check(mode, type, lossTolerance, tolerance, 4);
    }

    /** Checks the step against SameDiff; returns a copy of its gradients. */
    private static Map<String, INDArray> check(String mode, DataType type, double lossTolerance, double tolerance,
                                               int batch) {
        Network base = Network.of(BertFineTuningTest.tiny(type));
        Nd4j.getRandom().setSeed(3);
        FreezePolicy freeze = mode.equals("top") ? Freeze.upTo("encoder.0")
                : mode.equals("middle") ? Freeze.layers("encoder.0") // trained tensors on both sides of frozen ones
                : mode.startsWith("lora") ? Freeze.all().andUnfreeze("head") : Freeze.none();
        AdapterMethod adapter = switch (mode) {
            case "lora" -> BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(4,
                    List.of("*.attention.self.query", "*.attention.self.value")));
            case "lora-all" -> BertLoraFineTuningTest.method(new LowRankSpec(3, 8.0, true, LowRankSpec.Init.KAIMING_UNIFORM,
                    List.of("*"), false, LowRankSpec.Bias.NONE, 0, List.of(LowRankSpec.Projection.values())));
            default -> null;
        };
        BertTrainable trainable = (BertTrainable) base.handle().prepare(
                new TrainingPlan(3, "head", freeze, Optimizer.sgd(0.1), 3, adapter));
        BertHandle model = trainable.model();
        BertFineTuningTest.randomise(model.tensors(), 13); // adapter B included: every gradient matters
        INDArray x = Nd4j.create(new double[][][] {
                {{1, 19, 19, 7, 19, 2}, {1, 1, 1, 1, 1, 1}},
                {{1, 5, 19, 5, 2, 0}, {1, 1, 1, 1, 1, 0}},
                {{1, 9, 2, 0, 0, 0}, {1, 1, 1, 0, 0, 0}},
                {{1, 7, 19, 5, 2, 0}, {1, 0, 1, 1, 0, 1}}}).castTo(type); // a mask with holes
        INDArray y = Nd4j.create(new double[][] {{1, 0, 0}, {0, 0, 1}, {0.25, 0.75, 0}, {0, 1, 0}}).castTo(type);
        INDArray weights = Nd4j.create(new double[][] {{0.5}, {2.0}, {1.25}, {1.0}}).castTo(type);
        if (batch != 4) {
            // Random sequences of 2 to 6 tokens ([CLS], ids 3 to 49, [SEP]), labels and weights.
            java.util.Random rng = new java.util.Random(batch);
            double[][][] rows = new double[batch][2][6];
            double[][] labels = new double[batch][3];
            double[][] w = new double[batch][1];
            for (int i = 0; i < batch; i++) {
                int tokens = 2 + rng.nextInt(5);
                for (int l = 0; l < tokens; l++) {
                    rows[i][0][l] = l == 0 ? 1 : l == tokens - 1 ? 2 : 3 + rng.nextInt(47);
                    rows[i][1][l] = 1;
                }
                labels[i][rng.nextInt(3)] = 1;
                w[i][0] = 0.5 + rng.nextDouble();
            }
            x = Nd4j.create(rows).castTo(type);
            y = Nd4j.create(labels).castTo(type);
            weights = Nd4j.create(w).castTo(type);
        }

        // A step first, then new values for the trained tensors: the checked step must read them (what it
        // keeps between steps, such as the side-by-side Q/K/V weights, follows the trained ones).
        trainable.compute(x, y, weights);
        BertFineTuningTest.randomise(trainable.trainedTensors(), 29);
        BertTrainable.Computed step = trainable.compute(x, y, weights);
        Map<String, INDArray> expected = new LinkedHashMap<>();
        double expectedLoss = reference(model, trainable.trainedTensors().keySet(), x, y, weights, expected);

        assertThat(step.loss()).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(lossTolerance));
        assertThat(step.gradients().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        int nonZero = 0;
        for (var e : expected.entrySet()) {
            INDArray got = step.gradients().get(e.getKey());
            double scale = e.getValue().amaxNumber().doubleValue();
            assertThat(got.shape()).as(e.getKey()).containsExactly(e.getValue().shape());
            assertThat(got.sub(e.getValue()).amaxNumber().doubleValue()).as(e.getKey()).isLessThanOrEqualTo(tolerance * (1 + scale));
            // A key bias adds the same amount to every score of a row, which softmax ignores: its gradient is 0.
            nonZero += scale > 1e-6 || e.getKey().endsWith("attention.self.key.bias") ? 1 : 0;
        }
        // Every other trained tensor has a gradient that matters (LoRA B included, as it is non-zero here).
        assertThat(nonZero).isEqualTo(expected.size());
        switch (mode) {
            case "full" -> assertThat(expected).hasSize(5 + 2 * 16 + 2);
            case "top" -> assertThat(expected).hasSize(16 + 2);
            case "middle" -> assertThat(expected).hasSize(5 + 16 + 2);
            case "lora" -> assertThat(expected).hasSize(2 * 2 * 2 + 2);
            default -> assertThat(expected).hasSize(2 * 6 * 2 + 2);
        }
        Map<String, INDArray> copy = new LinkedHashMap<>();
        step.gradients().forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    /** SameDiff's loss and gradients of the trained tensors for the model's current values. */
    private static double reference(BertHandle model, Iterable<String> trained, INDArray x, INDArray y, INDArray weights,
            Map<String, INDArray> gradients) {
        return reference(model, trained, x, y, weights, gradients, 3);
    }

    /** SameDiff's loss and gradients, in double, of a model with a head of {@code classes} outputs. */
    private static double reference(BertHandle model, Iterable<String> trained, INDArray x, INDArray y, INDArray weights,
            Map<String, INDArray> gradients, int classes) {
        Map<String, INDArray> t = model.tensors();
        BertGraph graph = model.lora() == null
                ? BertGraph.build(model.config(), t, DataType.DOUBLE, BertGraph.Lookup.ONE_HOT)
                : BertGraph.build(model.config(), t, DataType.DOUBLE, BertGraph.Lookup.ONE_HOT, model.lora());
        SameDiff sd = graph.sameDiff();
        model.loraModules().forEach(m -> {
            sd.getArrForVarName(m + ".lora_A").assign(t.get(m + ".lora_A"));
            sd.getArrForVarName(m + ".lora_B").assign(t.get(m + ".lora_B"));
        });
        SDVariable w = sd.var("head.W", t.get("head.W").castTo(DataType.DOUBLE).dup());
        SDVariable b = sd.var("head.b", t.get("head.b").castTo(DataType.DOUBLE).dup());
        SDVariable labels = sd.placeHolder("labels", DataType.DOUBLE, -1, classes);
        SDVariable rowWeights = sd.placeHolder("weights", DataType.DOUBLE, -1, 1);
        SDVariable logits = sd.mmul(sd.getVariable(BertGraph.POOLED), w).add(b);
        SDVariable shifted = logits.sub(logits.max(true, 1));
        SDVariable logProbs = shifted.sub(sd.math().log(sd.math().exp(shifted).sum(true, 1)));
        SDVariable loss = sd.mean("loss", logProbs.mul(labels).sum(1).neg().mul(rowWeights.reshape(-1)));
        sd.setLossVariables(loss);
        Map<String, INDArray> in = Map.of(
                BertGraph.INPUT_IDS, x.get(NDArrayIndex.all(), NDArrayIndex.point(0),
                        NDArrayIndex.all()).castTo(DataType.INT64),
                BertGraph.ATTENTION_MASK, x.get(NDArrayIndex.all(), NDArrayIndex.point(1),
                        NDArrayIndex.all()).castTo(DataType.DOUBLE).dup(),
                "labels", y.castTo(DataType.DOUBLE), "weights", weights.castTo(DataType.DOUBLE));
        List<String> names = new ArrayList<>();
        trained.forEach(names::add);
        var result = sd.calculateGradientsAndOutputs(in, List.of("loss"), names);
        names.forEach(n -> gradients.put(n, result.getGradients().get(n)));
        return result.getOutputs().get("loss").getDouble(0);
    }
}
