package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.BertEncoder;
import dev.attune.BertEncoderParityTest;
import dev.attune.BertEncoders;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LoRA on the projections of the SameDiff BERT: a fresh adapter changes nothing, the trainable
 * weights are exactly the adapters, gradients match finite differences in double precision, merging
 * keeps the outputs, and bad specs are refused.
 */
class BertLoraTest {
    static final BertConfig TINY = BertGradientCheckTest.TINY; // 2 layers, width 16, feed-forward 32
    static final INDArray IDS = Nd4j.createFromArray(new long[][] {{1, 5, 7, 2, 0, 0}, {1, 9, 13, 11, 4, 2}, {1, 3, 2, 0, 0, 0}});
    static final long[][] MASK = {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}};

    @Test
    void onMiniLmAFreshQueryValueAdapterOfRank8Trains73728WeightsAndChangesNoEmbedding() throws Exception {
        BertEncoder base;
        try (InputStream in = BertLoraTest.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            base = BertEncoder.fromOnnx(in);
        }
        BertGraph adapted = BertEncoders.graph(base).withLora(BertLora.rank(8).alpha(16));
        // 6 layers x (query, value) x (A [8, 384] + B [384, 8])
        assertThat(adapted.trainableParams()).isEqualTo(6L * 2 * (384 * 8 + 8 * 384)).isEqualTo(73_728L);
        assertThat(adapted.loraModules()).hasSize(12).startsWith("encoder.0.attention.self.query", "encoder.0.attention.self.value")
                .endsWith("encoder.5.attention.self.value");
        SameDiff sd = adapted.sameDiff();
        List<String> variables = new ArrayList<>();
        sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).forEach(v -> variables.add(v.name()));
        assertThat(variables).containsExactlyInAnyOrderElementsOf(adapted.trainableNames()).hasSize(24)
                .contains("encoder.3.attention.self.value.lora_A", "encoder.3.attention.self.value.lora_B");
        assertThat(sd.getVariable("encoder.3.attention.self.value.lora_A").getShape()).containsExactly(8L, 384L);
        assertThat(sd.getVariable("encoder.3.attention.self.value.lora_B").getShape()).containsExactly(384L, 8L);
        for (String name : adapted.parameterNames()) {
            assertThat(sd.getVariable(name).getVariableType()).as(name).isEqualTo(VariableType.CONSTANT);
        }
        long[][][] batch = BertEncoderParityTest.batch(22, BertEncoderParityTest.SENTENCES);
        INDArray ids = Nd4j.createFromArray(batch[0]);
        INDArray mask = Nd4j.createFromArray(batch[1]);
        assertThat(BertEncoders.of(adapted).embed(ids, mask)).isEqualTo(base.embed(ids, mask));
    }

    @Test
    void aFreshAdapterLeavesTheOutputsExactlyAsTheyWere() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            BertGraph base = BertGraph.random(TINY, 3, dt, BertGraph.Lookup.GATHER);
            BertGraph adapted = base.withLora(BertLora.rank(4).alpha(32).targets("*"));
            assertThat(adapted.loraModules()).hasSize(12);
            INDArray mask = Nd4j.createFromArray(MASK).castTo(dt);
            INDArray expected = base.run(IDS, mask, BertGraph.LAST_HIDDEN_STATE).get(BertGraph.LAST_HIDDEN_STATE);
            assertThat(adapted.run(IDS, mask, BertGraph.LAST_HIDDEN_STATE).get(BertGraph.LAST_HIDDEN_STATE)).as("%s", dt)
                    .isEqualTo(expected);
            // A is drawn (not zero), B is zero
            assertThat(adapted.sameDiff().getArrForVarName("encoder.1.output.dense.lora_A").amaxNumber().doubleValue())
                    .isGreaterThan(0);
            assertThat(adapted.sameDiff().getArrForVarName("encoder.1.output.dense.lora_B").amaxNumber().doubleValue())
                    .isZero();
        }
    }

    @Test
    void aIsKaimingUniformFromTheSeedAndTheTargetsChooseTheModules() {
        BertGraph base = BertGraph.random(TINY, 3, DataType.DOUBLE, BertGraph.Lookup.GATHER);
        BertGraph a = base.withLora(BertLora.rank(8).seed(5));
        BertGraph b = base.withLora(BertLora.rank(8).seed(5));
        BertGraph c = base.withLora(BertLora.rank(8).seed(6));
        String name = "encoder.0.attention.self.query.lora_A";
        INDArray la = a.sameDiff().getArrForVarName(name);
        assertThat(la).isEqualTo(b.sameDiff().getArrForVarName(name)).isNotEqualTo(c.sameDiff().getArrForVarName(name));
        assertThat(la.amaxNumber().doubleValue()).isLessThanOrEqualTo(1 / Math.sqrt(16)).isGreaterThan(0.5 / Math.sqrt(16));
        assertThat(a.loraModules()).containsExactly("encoder.0.attention.self.query", "encoder.0.attention.self.value",
                "encoder.1.attention.self.query", "encoder.1.attention.self.value");
        assertThat(base.withLora(BertLora.rank(2).targets("encoder.1.*dense")).loraModules())
                .containsExactly("encoder.1.attention.output.dense", "encoder.1.intermediate.dense", "encoder.1.output.dense");
        // A [r, in] and B [out, r] on the feed-forward modules (16 -> 32 -> 16)
        BertGraph ff = base.withLora(BertLora.rank(2).targets("*.intermediate.dense", "*.output.dense"));
        assertThat(ff.sameDiff().getVariable("encoder.0.intermediate.dense.lora_A").getShape()).containsExactly(2L, 16L);
        assertThat(ff.sameDiff().getVariable("encoder.0.intermediate.dense.lora_B").getShape()).containsExactly(32L, 2L);
        assertThat(ff.trainableParams()).isEqualTo(2L * (2 * 16 + 32 * 2) + 2L * (2 * 32 + 16 * 2)
                + 2L * (2 * 16 + 16 * 2));
        assertThat(BertLora.rank(4).alpha(8).scale()).isEqualTo(2.0);
        assertThat(BertLora.rank(4).alpha(8).rsLora(true).scale()).isEqualTo(4.0);
    }

    @Test
    void adapterGradientsMatchFiniteDifferences() {
        BertLora spec = BertLora.rank(3).alpha(6).rsLora(true).targets("*");
        BertGraph graph = BertGraph.random(TINY, 7, DataType.DOUBLE, BertGraph.Lookup.GATHER).withLora(spec);
        SameDiff sd = graph.sameDiff();
        randomise(graph, 11);
        INDArray mask = Nd4j.createFromArray(MASK).castTo(DataType.DOUBLE);
        INDArray r = Nd4j.rand(DataType.DOUBLE, 3, 16).subi(0.5);
        SDVariable loss = sd.getVariable(BertGraph.POOLED).mul(sd.constant(r)).sum();
        sd.setLossVariables(loss);
        Map<String, INDArray> in = Map.of(BertGraph.INPUT_IDS, IDS, BertGraph.ATTENTION_MASK, mask);
        List<String> checked = List.of("encoder.0.attention.self.query.lora_A", "encoder.0.attention.self.query.lora_B",
                "encoder.0.attention.self.key.lora_A", "encoder.0.attention.self.value.lora_B",
                "encoder.0.attention.output.dense.lora_A", "encoder.1.intermediate.dense.lora_A",
                "encoder.1.intermediate.dense.lora_B", "encoder.1.output.dense.lora_A", "encoder.1.output.dense.lora_B");
        Map<String, INDArray> grads = sd.calculateGradients(in, checked);
        double h = 1e-6;
        int compared = 0;
        for (String name : checked) {
            INDArray w = sd.getArrForVarName(name);
            INDArray g = grads.get(name);
            assertThat(g.shape()).as(name).containsExactly(w.shape());
            for (long i : new long[] {0, 1, w.length() / 3, w.length() / 2 + 1, w.length() - 1}) {
                double original = w.getDouble(i);
                w.putScalar(i, original + h);
                double plus = value(sd, loss, in);
                w.putScalar(i, original - h);
                double minus = value(sd, loss, in);
                w.putScalar(i, original);
                double numeric = (plus - minus) / (2 * h);
                double analytic = g.getDouble(i);
                double scale = Math.max(Math.abs(numeric), Math.abs(analytic));
                assertThat(Math.abs(numeric - analytic)).as("%s[%d]: analytic %s, numeric %s", name, i, analytic, numeric)
                        .isLessThanOrEqualTo(1e-8 + 1e-5 * scale);
                if (scale > 1e-6) {
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(40); // not a pass on zero gradients
    }

    @Test
    void mergedOutputsEqualUnmergedOnesAndTheMergedGraphHasNoAdapter() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            BertGraph base = BertGraph.random(TINY, 9, dt, BertGraph.Lookup.GATHER);
            BertGraph adapted = base.withLora(BertLora.rank(4).alpha(8).targets("*"));
            randomise(adapted, 13);
            BertGraph merged = adapted.merge();
            INDArray mask = Nd4j.createFromArray(MASK).castTo(dt);
            INDArray unmergedOut = adapted.run(IDS, mask, BertGraph.LAST_HIDDEN_STATE).get(BertGraph.LAST_HIDDEN_STATE);
            INDArray mergedOut = merged.run(IDS, mask, BertGraph.LAST_HIDDEN_STATE).get(BertGraph.LAST_HIDDEN_STATE);
            INDArray baseOut = base.run(IDS, mask, BertGraph.LAST_HIDDEN_STATE).get(BertGraph.LAST_HIDDEN_STATE);
            double tolerance = dt == DataType.FLOAT ? 1e-5 : 1e-9;
            assertThat(maxAbsDiff(mergedOut, unmergedOut)).as("%s", dt).isLessThan(tolerance);
            assertThat(maxAbsDiff(mergedOut, baseOut)).as("the adapter matters (%s)", dt).isGreaterThan(0.1);
            assertThat(merged.loraModules()).isEmpty();
            assertThat(merged.lora()).isEmpty();
            assertThat(merged.sameDiff().variables().stream().noneMatch(v -> v.name().contains("lora_"))).isTrue();
            // W + s (B A)^T on an adapted module, other weights untouched
            String m = "encoder.0.attention.self.value";
            INDArray a = adapted.sameDiff().getArrForVarName(m + ".lora_A");
            INDArray b = adapted.sameDiff().getArrForVarName(m + ".lora_B");
            INDArray expected = adapted.sameDiff().getArrForVarName(m + ".weight").add(b.mmul(a).transpose().mul(2.0));
            assertThat(maxAbsDiff(merged.sameDiff().getArrForVarName(m + ".weight"), expected)).isLessThan(tolerance);
            assertThat(merged.sameDiff().getArrForVarName(m + ".bias")).isEqualTo(adapted.sameDiff().getArrForVarName(m + ".bias"));
        }
    }

    @Test
    void badSpecsAreRefusedWithTheValueAndTheFix() {
        BertGraph base = BertGraph.random(TINY, 1, DataType.FLOAT, BertGraph.Lookup.GATHER);
        assertThatThrownBy(() -> BertLora.rank(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1, got 0");
        assertThatThrownBy(() -> base.withLora(BertLora.rank(17))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LoRA rank 17 is larger than module 'encoder.0.attention.self.query' (16 inputs, 16 outputs)")
                .hasMessageContaining("at most 16");
        for (double alpha : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> BertLora.rank(4).alpha(alpha)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("alpha must be a finite number above 0, got " + alpha);
        }
        assertThatThrownBy(() -> base.withLora(BertLora.rank(4).targets("*.attention.self.query", "*.attention.self.qurey")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target '*.attention.self.qurey' matches no linear module")
                .hasMessageContaining("modules are: encoder.0.attention.self.query, encoder.0.attention.self.key")
                .hasMessageContaining("encoder.1.output.dense");
        assertThatThrownBy(() -> BertLora.rank(4).targets(new String[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one LoRA target");
        assertThatThrownBy(() -> BertLora.rank(4).targets(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        BertGraph adapted = base.withLora(BertLora.rank(4));
        assertThatThrownBy(() -> adapted.withLora(BertLora.rank(4))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has LoRA").hasMessageContaining("merge()");
    }

    /** Non-zero adapters: A and B drawn from N(0, 0.3²). */
    private static void randomise(BertGraph graph, long seed) {
        Random rng = new Random(seed);
        for (String name : graph.trainableNames()) {
            INDArray w = graph.sameDiff().getArrForVarName(name);
            double[] values = new double[(int) w.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = 0.3 * rng.nextGaussian();
            }
            w.assign(Nd4j.createFromArray(values).reshape(w.shape()));
        }
    }

    private static double value(SameDiff sd, SDVariable loss, Map<String, INDArray> in) {
        return sd.output(in, loss.name()).get(loss.name()).getDouble(0);
    }

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
