package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Splits;
import dev.attune.spi.AdapterWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The multilingual job's serving: {@link SwitchingAdapterServer} gives every row of a mixed batch what
 * its own adapter gives, switching once per adapter group; {@link ServingLatency} calls each server in
 * the documented order and takes nearest-rank percentiles. Two LoRA adapters on the small CNN stand in
 * for the languages.
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
