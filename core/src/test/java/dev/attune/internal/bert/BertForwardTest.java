package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertEncoderParityTest;
import dev.attune.BertFineTuningTest;
import dev.attune.BertLoraFineTuningTest;
import dev.attune.Freeze;
import dev.attune.Network;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.LowRankSpec;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainingPlan;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The written-out inference pass ({@link BertForward}) against the SameDiff graph it replaces: the
 * pooled embeddings (and a head's probabilities) of random and real encoders, in float (within 1e-5)
 * and double (within 1e-10), with padding, several lengths, LoRA unmerged and merged, with a head and
 * without.
 */
class BertForwardTest {
    /** Tiny: vocabulary 50, width 16, 2 layers of 2 heads, feed-forward 32, 16 positions. */
    private static final BertConfig TINY = new BertConfig(50, 16, 2, 2, 32, 16, 2, 1e-12);

    private static double tolerance(DataType type) {
        return type == DataType.DOUBLE ? 1e-10 : 1e-5;
    }

    /** {@code [n, 2, len]} features: [CLS]=1, random ids, [SEP]=2, then padding; lengths from 1 to {@code len}; every third mask with a hole. */
    static INDArray features(int n, int len, int vocab, long seed) {
        Random rng = new Random(seed);
        double[][][] x = new double[n][2][len];
        for (int i = 0; i < n; i++) {
            int tokens = i == 0 ? len : 1 + rng.nextInt(len);
            for (int t = 0; t < tokens; t++) {
                x[i][0][t] = t == 0 ? 1 : t == tokens - 1 ? 2 : 3 + rng.nextInt(vocab - 3);
                x[i][1][t] = 1;
            }
            if (i % 3 == 2 && tokens > 3) {
                x[i][1][1] = 0; // a mask with a hole: the pass packs the tokens it keeps
            }
        }
        return Nd4j.create(x);
    }

    private static double gap(INDArray a, INDArray b) {
        assertThat(a.shape()).containsExactly(b.shape());
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void headlessEncoderEqualsGraph(DataType type) {
        var weights = BertGraph.random(TINY, 7, type, BertGraph.Lookup.GATHER).weights();
        BertFineTuningTest.randomise(weights, 11); // gains and biases away from 1 and 0
        BertGraph g = BertGraph.build(TINY, weights, type, BertGraph.Lookup.GATHER);
        BertHandle handle = BertHandle.of(g);
        for (int len : new int[] {2, 4, 10, 16}) {
            INDArray x = features(5, len, TINY.vocabSize(), len);
            INDArray ids = x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup();
            INDArray mask = x.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()).dup();
            INDArray expected = g.run(ids, mask, BertGraph.POOLED).get(BertGraph.POOLED);
            assertThat(expected.amaxNumber().doubleValue()).isGreaterThan(0.1);
            assertThat(gap(handle.output(x), expected)).as("handle, length " + len).isLessThanOrEqualTo(tolerance(type));
            assertThat(gap(g.pooled(ids, mask), expected)).as("graph, length " + len).isLessThanOrEqualTo(tolerance(type));
            assertThat(handle.output(x).dataType()).isEqualTo(type);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT lora", "DOUBLE lora", "FLOAT merged", "DOUBLE merged", "FLOAT head", "DOUBLE head"})
    void withHeadAndLoraEqualsGraph(String mode) {
        DataType type = DataType.valueOf(mode.split(" ")[0]);
        Network base = Network.of(BertFineTuningTest.tiny(type));
        boolean lora = !mode.endsWith("head");
        var plan = new TrainingPlan(3, "head", lora ? Freeze.all().andUnfreeze("head") : Freeze.none(), Optimizer.sgd(0.1),
                3, lora ? BertLoraFineTuningTest.method(new LowRankSpec(3, 8.0, true, LowRankSpec.Init.KAIMING_UNIFORM,
                        List.of("*"), false, LowRankSpec.Bias.NONE, 0, List.of(LowRankSpec.Projection.values()))) : null);
        BertHandle model = ((BertTrainable) base.handle().prepare(plan)).model();
        BertFineTuningTest.randomise(model.tensors(), 13); // adapter B included: the adapter path matters
        if (mode.endsWith("merged")) {
            List<AdaptedLayer> modules = model.adaptedModules();
            assertThat(modules).hasSizeGreaterThan(2);
            for (int i = 0; i < modules.size(); i += 2) {
                modules.get(i).merge(); // half merged, half on the adapter path
            }
        }
        INDArray x = features(6, 9, TINY.vocabSize(), 5);
        INDArray expected = model.head(model.graphPooled(x));
        INDArray got = model.output(x);
        assertThat(got.shape()).containsExactly(6, 3);
        assertThat(gap(got, expected)).isLessThanOrEqualTo(tolerance(type));
        // The embeddings themselves, before the head's softmax evens differences out.
        assertThat(gap(model.pooled(x), model.graphPooled(x))).isLessThanOrEqualTo(tolerance(type) * 10);
    }

    @Test
    void floatErfIsWithinItsBoundOfLibnd4jErf() {
        double[] x = new double[20001];
        for (int i = 0; i < x.length; i++) {
            x[i] = -10 + i * 1e-3;
        }
        double[] exact = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Erf(Nd4j.createFromArray(x)))
                .toDoubleVector();
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(RowMath.erf((float) x[i]) - exact[i]));
        }
        assertThat(worst).isLessThan(4e-7); // a few float ulps near 1: it runs in float
    }

    @Test
    void miniLmEqualsGraph() throws Exception {
        OnnxBertWeights.Loaded loaded;
        try (InputStream in = BertForwardTest.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            loaded = OnnxBertWeights.load(OnnxModel.read(in.readAllBytes(), "test"), "test");
        }
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            BertGraph g = BertGraph.build(loaded.config(), loaded.weights(), type, BertGraph.Lookup.GATHER);
            for (int len : new int[] {7, 64}) {
                INDArray x = features(8, len, 30000, len);
                INDArray ids = x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup();
                INDArray mask = x.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()).dup();
                INDArray expected = g.run(ids, mask, BertGraph.POOLED).get(BertGraph.POOLED);
                assertThat(gap(g.pooled(ids, mask), expected)).as(type + " length " + len)
                        .isLessThanOrEqualTo(tolerance(type));
                // The row work and the attention of 8 x 64 tokens split over two threads and on one (each
                // large enough to split); no padding, so that every row counts.
                INDArray full = Nd4j.ones(type, 8, len);
                INDArray unpadded = g.run(ids, full, BertGraph.POOLED).get(BertGraph.POOLED);
                assertThat(gap(g.pooled(ids, full), unpadded)).as(type + " length " + len + ", two threads")
                        .isLessThanOrEqualTo(tolerance(type));
                RowThreads.twoThreads = false;
                try {
                    assertThat(gap(g.pooled(ids, full), unpadded)).as(type + " length " + len + ", one thread")
                            .isLessThanOrEqualTo(tolerance(type));
                } finally {
                    RowThreads.twoThreads = true;
                }
            }
        }
    }
}
