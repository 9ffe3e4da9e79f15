package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.AdapterMethod;
import dev.attune.spi.AdapterWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Many LoRA adapters on the tiny BERT encoder in one pass: each example's tokens through its own adapter. */
class MultiAdapterBertTest {
    private static final double TOLERANCE = 1e-6;
    private final Network base = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
    private final INDArray x = BertFineTuningTest.sequences(24, 3).features();

    /**
     * A LoRA adapter on the given modules ({@code encoder.N.<module>}) with random, non-zero tensors; with
     * a random 3-class head when asked.
     */
    private AdapterWeights adapter(Network on, int rank, List<String> modules, long seed, boolean head) {
        AdapterMethod method = BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(rank, modules));
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String m : modules) {
            long in = m.endsWith("output.dense") && !m.contains("attention") ? 32 : 16;
            long out = m.endsWith("intermediate.dense") ? 32 : 16;
            tensors.put(m + ".lora_A", Nd4j.rand(DataType.FLOAT, rank, in).subi(0.5).muli(0.4));
            tensors.put(m + ".lora_B", Nd4j.rand(DataType.FLOAT, out, rank).subi(0.5).muli(0.4));
        }
        if (head) {
            tensors.put("head.W", Nd4j.rand(DataType.FLOAT, 16, 3).subi(0.5));
            tensors.put("head.b", Nd4j.rand(DataType.FLOAT, 3).subi(0.5));
        }
        return new AdapterWeights(method, head ? new AdapterWeights.Head("head", 3) : null, tensors,
                on.fingerprint(), Map.of());
    }

    private INDArray expected(Network on, Map<String, AdapterWeights> adapters, List<String> perRow) {
        AdaptedNetwork one = AdaptedNetwork.of(on);
        adapters.forEach(one::add);
        INDArray out = null;
        for (String name : new LinkedHashSet<>(perRow)) {
            int[] rows = IntStream.range(0, perRow.size()).filter(i -> Objects.equals(perRow.get(i), name)).toArray();
            INDArray own = Nd4j.create(DataType.FLOAT, rows.length, 2, x.size(2));
            for (int i = 0; i < rows.length; i++) {
                own.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(rows[i])));
            }
            INDArray y = name == null ? on.output(own) : one.activate(name).output(own);
            if (out == null) {
                out = Nd4j.create(y.dataType(), x.size(0), y.size(1));
            }
            for (int i = 0; i < rows.length; i++) {
                out.getRow(rows[i]).assign(y.getRow(i));
            }
        }
        return out;
    }

    private static List<String> mix(List<String> names, long seed, boolean withBase) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            int k = r.nextInt(names.size() + (withBase ? 1 : 0));
            out.add(k == names.size() ? null : names.get(k));
        }
        return out;
    }

    @Test
    void aMixedBatchOfHeadedAdaptersEqualsEachAdaptersOwnBatch() {
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        adapters.put("qv", adapter(base, 4, List.of("encoder.0.attention.self.query", "encoder.0.attention.self.value",
                "encoder.1.attention.self.query", "encoder.1.attention.self.value"), 1, true));
        adapters.put("k-ffn", adapter(base, 2, List.of("encoder.0.attention.self.key", "encoder.1.intermediate.dense"),
                2, true));
        adapters.put("out", adapter(base, 3, List.of("encoder.1.output.dense", "encoder.0.attention.output.dense"), 3,
                true));
        MultiAdapterNetwork net = MultiAdapterNetwork.of(base);
        adapters.forEach(net::put);
        List<String> perRow = mix(List.copyOf(adapters.keySet()), 4, false);
        assertThat(new LinkedHashSet<>(perRow)).hasSize(3);
        INDArray got = net.output(x, perRow);
        assertThat(got.shape()).containsExactly(24, 3);
        assertThat(got.sub(expected(base, adapters, perRow)).amaxNumber().doubleValue()).isLessThan(TOLERANCE);
        assertThat(net.bytes("qv")).isEqualTo(4L * (2 * 2 * (4 * 16 + 16 * 4) + 16 * 3 + 3));

        // The base has no head: its rows give pooled embeddings, which no batch of 3-class rows can hold.
        List<String> withBase = new ArrayList<>(perRow);
        withBase.set(5, null);
        assertThatThrownBy(() -> net.output(x, withBase)).hasMessageContaining("differ in width");
    }

    @Test
    void onABaseWithAHeadRowsGoThroughTheirAdaptersHeadOrTheBases() {
        Network headed = FineTuner.builder(base).replaceHead(3).epochs(1).batchSize(32).seed(1).build()
                .fit(BertFineTuningTest.sequences(64, 2)).model();
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        adapters.put("a", adapter(headed, 4, List.of("encoder.0.attention.self.query", "encoder.1.attention.self.value"),
                5, false));
        adapters.put("b", adapter(headed, 2, List.of("encoder.1.attention.self.value", "encoder.0.output.dense"), 6, false));
        adapters.put("own-head", adapter(headed, 2, List.of("encoder.1.attention.self.key"), 7, true));
        MultiAdapterNetwork net = MultiAdapterNetwork.of(headed);
        adapters.forEach(net::put);
        List<String> perRow = mix(List.copyOf(adapters.keySet()), 7, true);
        assertThat(new LinkedHashSet<>(perRow)).hasSize(4);
        INDArray got = net.output(x, perRow);
        assertThat(got.sub(expected(headed, adapters, perRow)).amaxNumber().doubleValue()).isLessThan(TOLERANCE);
        INDArray plain = headed.output(x);
        for (int i = 0; i < 24; i++) {
            double d = got.getRow(i).sub(plain.getRow(i)).amaxNumber().doubleValue();
            if (perRow.get(i) == null) {
                assertThat(d).isLessThan(TOLERANCE);
            } else {
                assertThat(d).as("an adapter changes its rows").isGreaterThan(1e-4);
            }
        }
    }

    @Test
    void refusesAForeignAdapterAndDora() {
        MultiAdapterNetwork net = MultiAdapterNetwork.of(base);
        Network other = Network.of(BertEncoder.of(dev.attune.internal.bert.BertGraph.random(BertFineTuningTest.TINY, 8,
                DataType.FLOAT, dev.attune.internal.bert.BertGraph.Lookup.GATHER)));
        AdapterWeights foreign = adapter(other, 2, List.of("encoder.0.attention.self.query"), 1, true);
        assertThatThrownBy(() -> net.put("f", foreign)).hasMessageContaining(other.fingerprint())
                .hasMessageContaining(base.fingerprint());
        AdapterWeights fine = adapter(base, 2, List.of("encoder.0.attention.self.query"), 1, true);
        var doraSpec = new dev.attune.spi.LowRankSpec(2, 2, false, dev.attune.spi.LowRankSpec.Init.KAIMING_UNIFORM,
                List.of("*.attention.self.query"), true, dev.attune.spi.LowRankSpec.Bias.NONE, 0,
                List.of(dev.attune.spi.LowRankSpec.Projection.values()));
        AdapterWeights dora = new AdapterWeights(BertLoraFineTuningTest.method(doraSpec), fine.head(), fine.tensors(),
                base.fingerprint(), Map.of());
        assertThatThrownBy(() -> net.put("d", dora)).hasMessageContaining("DoRA");
        assertThatThrownBy(() -> net.output(x, "nope")).hasMessageContaining("no adapter named 'nope'; adapters are: []");
    }
}
