package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.BertFineTuningTest;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Splits;
import dev.attune.spi.AdapterWeights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The multilingual job's serving: {@link SwitchingAdapterServer} gives every row of a mixed batch what
 * its own adapter gives, switching once per adapter group; {@link OnePassAdapterServer} gives the same
 * rows in one pass on a BERT encoder; {@link ServingLatency} calls the servers in the documented order
 * and takes nearest-rank percentiles. Two LoRA adapters on the small CNN, and five on the tiny BERT
 * encoder, stand in for the languages.
 */
class MultilingualServingTest {
    private static Network base;
    private static AdapterWeights a;
    private static AdapterWeights b;
    private static INDArray features;

    @BeforeAll
    static void adapters() {
        base = Network.of(BaseModels.smallCnn(1));
        LabeledData train = Splits.kPerClass(BundledData.MNIST.train(), 10, 42).train();
        a = FineTuner.builder(base).replaceHead(10).adapter(Lora.rank(4).alpha(8).targets("dense*")).epochs(2).seed(3)
                .build().fit(train).adapters().orElseThrow();
        b = FineTuner.builder(base).replaceHead(10).adapter(Lora.rank(4).alpha(8).targets("dense*")).epochs(2).seed(4)
                .build().fit(train).adapters().orElseThrow();
        features = SwitchingAdapterServer.rows(BundledData.MNIST.test().features(), new int[] {0, 300, 600, 900, 1200, 1500});
    }

    private static AdaptedNetwork network() {
        return AdaptedNetwork.of(base).add("de", a).add("fr", b);
    }

    @Test
    void everyRowOfAMixedBatchGetsItsOwnAdapterWithOneSwitchPerAdapter() {
        AdaptedNetwork alone = network();
        INDArray de = alone.activate("de").output(features);
        INDArray fr = alone.activate("fr").output(features);
        assertThat(de.sub(fr).amaxNumber().doubleValue()).as("the two adapters differ").isGreaterThan(1e-3);

        SwitchingAdapterServer server = new SwitchingAdapterServer(network());   // "de" active first
        List<String> names = List.of("fr", "de", "fr", "de", "de", "fr");
        INDArray mixed = server.output(names, features);
        assertThat(mixed.shape()).containsExactly(6, 10);
        for (int i = 0; i < names.size(); i++) {
            INDArray expected = (names.get(i).equals("de") ? de : fr).getRow(i);
            assertThat(mixed.getRow(i).sub(expected).amaxNumber().doubleValue()).as("row %d", i).isLessThan(1e-5);
        }
        assertThat(server.switches()).as("fr, then de: two switches, not one per row").isEqualTo(2);
        server.output(List.of("de", "de", "de", "de", "de", "de"), features);
        assertThat(server.switches()).as("de is already active").isEqualTo(2);
        INDArray allFr = server.output(List.of("fr", "fr", "fr", "fr", "fr", "fr"), features);
        assertThat(server.switches()).isEqualTo(3);
        assertThat(allFr.sub(fr).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    /**
     * Five LoRA adapters (r = 4 on query and value, each with its own 3-class head, random non-zero
     * tensors) on the tiny BERT encoder, as the job's five languages on MiniLM.
     */
    private static Map<String, AdapterWeights> bertAdapters(Network bert) {
        Lora lora = Lora.rank(4).alpha(8).targets("*.attention.self.query", "*.attention.self.value");
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        for (String name : List.of("en", "de", "es", "fr", "it")) {
            Nd4j.getRandom().setSeed(name.hashCode());
            Map<String, INDArray> t = new LinkedHashMap<>();
            for (int n = 0; n < 2; n++) {
                for (String m : List.of("query", "value")) {
                    String module = "encoder." + n + ".attention.self." + m;
                    t.put(module + ".lora_A", Nd4j.rand(DataType.FLOAT, 4, 16).subi(0.5).muli(0.4));
                    t.put(module + ".lora_B", Nd4j.rand(DataType.FLOAT, 16, 4).subi(0.5).muli(0.4));
                }
            }
            t.put("head.W", Nd4j.rand(DataType.FLOAT, 16, 3).subi(0.5));
            t.put("head.b", Nd4j.rand(DataType.FLOAT, 3).subi(0.5));
            adapters.put(name, new AdapterWeights(lora, new AdapterWeights.Head("head", 3), t, bert.fingerprint(), Map.of()));
        }
        return adapters;
    }

    /** {@code n} token sequences for the tiny encoder: [CLS], random ids, [SEP], padding; lengths 3 to 10. */
    private static INDArray tokens(int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, 2, 10);
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(8);
            for (int t = 0; t < len; t++) {
                x.putScalar(new long[] {i, 0, t}, t == 0 ? 1 : t == len - 1 ? 2 : 3 + r.nextInt(47));
                x.putScalar(new long[] {i, 1, t}, 1);
            }
        }
        return x;
    }

    @Test
    void theOnePassServerGivesTheSwitchingServersRowsOnBert() {
        Network bert = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        Map<String, AdapterWeights> adapters = bertAdapters(bert);
        AdaptedNetwork switched = AdaptedNetwork.of(bert);
        MultiAdapterNetwork multi = MultiAdapterNetwork.of(bert);
        adapters.forEach(switched::add);
        adapters.forEach(multi::put);
        SwitchingAdapterServer switching = new SwitchingAdapterServer(switched);
        OnePassAdapterServer onePass = new OnePassAdapterServer(multi);
        INDArray x = tokens(20, 5);
        List<String> names = new ArrayList<>(adapters.keySet());

        // Mixed batches: every language, in turn and shuffled.
        List<String> mixed = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            mixed.add(names.get(i % 5));
        }
        for (long seed = 0; seed < 3; seed++) {
            INDArray a = onePass.output(mixed, x);
            INDArray b = switching.output(mixed, x);
            assertThat(a.shape()).containsExactly(20, 3);
            assertThat(a.sub(b).amaxNumber().doubleValue()).as("mixed batch %s", mixed).isLessThan(1e-6);
            Collections.shuffle(mixed, new Random(seed));
        }
        // One-language batches, and the adapters differ from each other.
        INDArray first = null;
        for (String name : names) {
            List<String> one = Collections.nCopies(20, name);
            INDArray a = onePass.output(one, x);
            assertThat(a.sub(switching.output(one, x)).amaxNumber().doubleValue()).as(name).isLessThan(1e-6);
            if (first == null) {
                first = a;
            } else {
                assertThat(a.sub(first).amaxNumber().doubleValue()).as("%s differs from %s", name, names.get(0))
                        .isGreaterThan(1e-3);
            }
        }
        assertThat(MultilingualAdapterJob.onePassGap(switching, onePass, new ServingLatency.Batches(Map.of(), mixed, x),
                List.of())).isLessThan(1e-6);
    }

    @Test
    void theOnePassServerRefusesBadBatchesNamingTheProblem() {
        Network bert = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        MultiAdapterNetwork multi = MultiAdapterNetwork.of(bert);
        bertAdapters(bert).forEach(multi::put);
        OnePassAdapterServer server = new OnePassAdapterServer(multi);
        INDArray x = tokens(3, 1);
        assertThatThrownBy(() -> server.output(List.of("de", "fr"), x)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 adapter names for 3 rows");
        assertThatThrownBy(() -> server.output(List.of("de", "pt", "fr"), x)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no adapter 'pt' (row 1)").hasMessageContaining("[en, de, es, fr, it]");
        assertThatThrownBy(() -> server.output(java.util.Arrays.asList("de", null, "fr"), x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no adapter 'null' (row 1)");
    }

    @Test
    void thePooledValidationLosesTheCopiesOfTrainingExamples() {
        INDArray x = tokens(6, 2);
        LabeledData train = LabeledData.of(SwitchingAdapterServer.rows(x, new int[] {0, 1, 2}), new int[] {0, 1, 2}, 3);
        // Rows 4 and 5 of the validation copy training rows 2 and 0; their labels do not matter.
        LabeledData validation = LabeledData.of(SwitchingAdapterServer.rows(x, new int[] {3, 4, 5, 2, 0}),
                new int[] {0, 1, 2, 0, 1}, 3);
        LabeledData kept = MultilingualAdapterJob.withoutCopiesOf(validation, train);
        assertThat(kept.size()).isEqualTo(3);
        assertThat(kept.labels()).containsExactly(0, 1, 2);
        assertThat(kept.features().sub(SwitchingAdapterServer.rows(x, new int[] {3, 4, 5})).amaxNumber().doubleValue())
                .isZero();
    }

    @Test
    void badBatchesAreRefusedNamingTheProblem() {
        SwitchingAdapterServer server = new SwitchingAdapterServer(network());
        assertThatThrownBy(() -> server.output(List.of("de", "fr"), features)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 adapter names for 6 rows");
        assertThatThrownBy(() -> server.output(List.of("de", "de", "de", "it", "de", "de"), features))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no adapter 'it'")
                .hasMessageContaining("[de, fr]");
    }

    @Test
    void servingLatencyCallsEachCaseInTurnAndTakesNearestRankPercentiles() {
        List<String> calls = new ArrayList<>();
        MultiAdapterServer recording = new MultiAdapterServer() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public INDArray output(List<String> adapters, INDArray x) {
                calls.add(String.join("", adapters.subList(0, 2)) + x.size(0));
                return x;
            }
        };
        INDArray two = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2));
        ServingLatency.Batches batches = new ServingLatency.Batches(Map.of("de", two), List.of("de", "fr", "de"),
                features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3)));
        List<ServingLatency.Result> results = ServingLatency.measure(List.of(recording), batches, 1, 3);
        assertThat(calls).hasSize(4 * 3).startsWith("dede2", "dede2", "defr3");
        assertThat(results).extracting(ServingLatency.Result::scenario)
                .containsExactly(ServingLatency.SWITCH, ServingLatency.SAME, ServingLatency.MIXED);
        assertThat(results).extracting(ServingLatency.Result::calls).containsOnly(3);
        assertThat(results).extracting(ServingLatency.Result::batch).containsExactly(2, 2, 3);
        assertThat(results).allSatisfy(r -> assertThat(r.rowsPerSecond()).isPositive());

        // Two servers: each round runs one server's round, then the other's.
        List<String> order = new ArrayList<>();
        List<MultiAdapterServer> pair = new ArrayList<>();
        for (String n : List.of("A", "B")) {
            pair.add(new MultiAdapterServer() {
                @Override
                public String name() {
                    return n;
                }

                @Override
                public INDArray output(List<String> adapters, INDArray x) {
                    order.add(n);
                    return x;
                }
            });
        }
        List<ServingLatency.Result> both = ServingLatency.measure(pair, batches, 0, 2);
        assertThat(String.join("", order)).isEqualTo("AAABBBAAABBB");
        assertThat(both).extracting(ServingLatency.Result::server).containsExactly("A", "A", "A", "B", "B", "B");
        assertThat(both).extracting(ServingLatency.Result::calls).containsOnly(2);
        long[] v = new long[20];
        for (int i = 0; i < 20; i++) {
            v[i] = 20 - i;
        }
        assertThat(ServingLatency.percentile(v, 0.5)).isEqualTo(10);
        assertThat(ServingLatency.percentile(v, 0.95)).isEqualTo(19);
        assertThat(ServingLatency.percentile(new long[] {7}, 0.95)).isEqualTo(7);
        assertThatThrownBy(() -> ServingLatency.measure(List.of(recording), batches, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0 and 0");
        assertThat(MultilingualAdapterJob.spread(10, 4)).containsExactly(0, 2, 5, 7);
        assertThatThrownBy(() -> MultilingualAdapterJob.spread(3, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test set of 3 is smaller than a batch of 4");
    }
}
