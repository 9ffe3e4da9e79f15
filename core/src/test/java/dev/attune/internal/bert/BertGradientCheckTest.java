package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertEncoder;
import dev.attune.BertEncoders;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff's backward pass through the BERT graph, checked in double precision against central
 * finite differences on a tiny random BERT of the same code.
 */
class BertGradientCheckTest {
    static final BertConfig TINY = new BertConfig(20, 16, 2, 2, 32, 12, 2, 1e-12);
    static final double H = 1e-6;

    @Test
    void gradientsMatchFiniteDifferences() {
        BertGraph graph = BertGraph.random(TINY, 7, DataType.DOUBLE, BertGraph.Lookup.ONE_HOT);
        SameDiff sd = graph.sameDiff();
        Random rng = new Random(11);
        // Larger, non-trivial values everywhere (biases and layer-norm terms included), so that
        // every op's gradient matters.
        for (String name : graph.parameterNames()) {
            INDArray w = sd.getVariable(name).getArr();
            double[] values = new double[(int) w.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (name.endsWith("LayerNorm.weight") ? 1.0 : 0.0) + 0.3 * rng.nextGaussian();
            }
            w.assign(Nd4j.createFromArray(values).reshape(w.shape()));
        }
        INDArray ids = Nd4j.createFromArray(new long[][] {{1, 5, 7, 2, 0, 0}, {1, 9, 13, 11, 4, 2}, {1, 3, 2, 0, 0, 0}});
        INDArray mask = Nd4j.createFromArray(new double[][] {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}});
        INDArray r = Nd4j.rand(DataType.DOUBLE, 3, 16).subi(0.5);
        SDVariable loss = sd.getVariable(BertGraph.POOLED).mul(sd.constant(r)).sum();
        sd.setLossVariables(loss);
        Map<String, INDArray> in = Map.of(BertGraph.INPUT_IDS, ids, BertGraph.ATTENTION_MASK, mask);

        List<String> checked = List.of("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
                "encoder.0.attention.self.query.weight", "encoder.0.attention.self.value.bias",
                "encoder.0.attention.output.dense.weight", "encoder.0.attention.output.LayerNorm.bias",
                "encoder.1.intermediate.dense.weight", "encoder.1.intermediate.dense.bias",
                "encoder.1.output.dense.weight", "encoder.1.output.LayerNorm.weight");
        Map<String, INDArray> grads = sd.calculateGradients(in, checked);
        int compared = 0;
        for (String name : checked) {
            INDArray w = sd.getVariable(name).getArr();
            INDArray g = grads.get(name);
            assertThat(g.shape()).as(name).containsExactly(w.shape());
            // the first elements of the flattened weight plus a few spread over it; for the word
            // embeddings, rows of ids that occur
            long[] at = name.startsWith("embeddings.word")
                    ? new long[] {16 + 3, 5 * 16 + 8, 13 * 16 + 15, 2 * 16}
                    : new long[] {0, 1, w.length() / 3, w.length() / 2 + 1, w.length() - 1};
            for (long i : at) {
                double original = w.getDouble(i);
                w.putScalar(i, original + H);
                double plus = loss(sd, loss, in);
                w.putScalar(i, original - H);
                double minus = loss(sd, loss, in);
                w.putScalar(i, original);
                double numeric = (plus - minus) / (2 * H);
                double analytic = g.getDouble(i);
                double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
                assertThat(Math.abs(numeric - analytic))
                        .as("%s[%d]: analytic %s, numeric %s", name, i, analytic, numeric)
                        .isLessThanOrEqualTo(1e-8 + 1e-5 * scale);
                if (scale > 1e-6) {
                    compared++;
                }
            }
        }
        // the check must not pass on zero gradients
        assertThat(compared).isGreaterThan(45);
    }

    private static double loss(SameDiff sd, SDVariable loss, Map<String, INDArray> in) {
        return sd.output(in, loss.name()).get(loss.name()).getDouble(0);
    }

    @Test
    void theSameSeedGivesTheSameModelAndPaddingIsIgnored() {
        BertEncoder a = BertEncoders.of(BertGraph.random(TINY, 3, DataType.DOUBLE, BertGraph.Lookup.GATHER));
        BertEncoder b = BertEncoders.of(BertGraph.random(TINY, 3, DataType.DOUBLE, BertGraph.Lookup.GATHER));
        INDArray ids = Nd4j.createFromArray(new long[][] {{1, 5, 7, 2, 0, 0, 0}});
        INDArray mask = Nd4j.createFromArray(new long[][] {{1, 1, 1, 1, 0, 0, 0}});
        INDArray e = a.embed(ids, mask);
        assertThat(e).isEqualTo(b.embed(ids, mask));
        assertThat(e.shape()).containsExactly(1L, 16L);
        // other ids under the padding leave the embedding as it is
        INDArray otherPadding = Nd4j.createFromArray(new long[][] {{1, 5, 7, 2, 9, 19, 3}});
        assertThat(a.embed(otherPadding, mask).sub(e).amaxNumber().doubleValue()).isLessThan(1e-12);
        // a different seed gives a different model
        assertThat(BertEncoders.of(BertGraph.random(TINY, 4, DataType.DOUBLE, BertGraph.Lookup.GATHER)).embed(ids, mask)).isNotEqualTo(e);
    }

    @Test
    void bothLookupsComputeTheSameEmbeddings() {
        BertEncoder gather = BertEncoders.of(BertGraph.random(TINY, 5, DataType.DOUBLE, BertGraph.Lookup.GATHER));
        BertEncoder oneHot = BertEncoders.of(BertGraph.random(TINY, 5, DataType.DOUBLE, BertGraph.Lookup.ONE_HOT));
        INDArray ids = Nd4j.createFromArray(new long[][] {{1, 5, 7, 5, 2}, {1, 19, 2, 0, 0}});
        INDArray mask = Nd4j.createFromArray(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}});
        assertThat(gather.lastHiddenState(ids, mask).sub(oneHot.lastHiddenState(ids, mask)).amaxNumber().doubleValue())
                .isLessThan(1e-12);
        assertThat(BertEncoders.graph(gather).sameDiff().getVariable(BertGraph.WORDS).getVariableType())
                .isEqualTo(org.nd4j.autodiff.samediff.VariableType.CONSTANT);
    }

    @Test
    void parametersAreNamedByLayerAndStoredAsVariables() {
        BertGraph graph = BertGraph.random(TINY, 1, DataType.FLOAT, BertGraph.Lookup.ONE_HOT);
        assertThat(graph.parameterNames()).hasSize(5 + 2 * 16)
                .startsWith("embeddings.word_embeddings.weight")
                .contains("encoder.0.attention.self.query.weight", "encoder.1.output.LayerNorm.bias")
                .allMatch(n -> n.startsWith("embeddings.") || n.startsWith("encoder.0.") || n.startsWith("encoder.1."));
        for (String name : graph.parameterNames()) {
            assertThat(graph.sameDiff().getVariable(name).getVariableType())
                    .as(name).isEqualTo(org.nd4j.autodiff.samediff.VariableType.VARIABLE);
        }
        assertThat(graph.sameDiff().getVariable("encoder.0.intermediate.dense.weight").getShape())
                .containsExactly(16L, 32L);
    }
}
