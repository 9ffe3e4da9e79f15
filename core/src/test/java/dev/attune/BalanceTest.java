package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class BalanceTest {
    private final LabeledData train = Fixtures.blobs(40, 8, 2, 3);
    private final LabeledData validation = Fixtures.blobs(20, 8, 2, 4);

    private static FineTuner.Builder builder(String kind) {
        return switch (kind) {
            case "mlp" -> FineTuner.builder(Fixtures.mlp(2, 5));
            case "frozen-bottom" -> FineTuner.builder(Fixtures.mlp(2, 5)).freeze(Freeze.upTo("dense0"));
            case "frozen-head" -> FineTuner.builder(Fixtures.mlp(2, 5)).freeze(Freeze.layers("out"));
            case "graph" -> FineTuner.builder(Fixtures.graph(2, 5));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static INDArray fit(String kind, Balancer balancer, LabeledData data) {
        FineTuner.Builder b = builder(kind).optimizer(Optimizer.sgd(0.5)).epochs(1).batchSize(data.size()).seed(9);
        if (balancer != null) {
            b.balance(balancer);
        }
        return b.build().fit(data).model().handle().params();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "frozen-bottom", "frozen-head", "graph"})
    void aWeightOfTwoActsAsTheExampleTwiceAndAWeightOfZeroAsItsAbsence(String kind) {
        // Rows (0, 1, 2, 3) weighted (2, 0, 1, 1) against rows (0, 0, 2, 3) unweighted: the same loss,
        // both divided by 4 rows, so one full-batch SGD step lands on the same weights.
        LabeledData four = train.select(new int[] {0, 1, 2, 3});
        LabeledData duplicated = train.select(new int[] {0, 0, 2, 3});
        INDArray weighted = fit(kind, (data, seed) -> Balanced.weighted(data, new double[] {2, 0, 1, 1}), four);
        INDArray plain = fit(kind, null, duplicated);
        INDArray untrained = fit(kind, null, four);
        assertThat(weighted.equalsWithEps(plain, 1e-5)).isTrue();
        // And the weights do change the step: without them the result differs.
        assertThat(weighted.equalsWithEps(untrained, 1e-3)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "graph"})
    void unitWeightsAreBitIdenticalToNoWeights(String kind) {
        double[] ones = new double[train.size()];
        java.util.Arrays.fill(ones, 1.0);
        assertThat(fit(kind, (data, seed) -> Balanced.weighted(data, ones), train)).isEqualTo(fit(kind, null, train));
    }

    @Test
    void theBalancerSeesTheTrainingDataAndSeedOnlyAndProvenanceNamesTheDataAsGiven() {
        List<LabeledData> seen = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        Balancer recording = new Balancer() {
            @Override
            public Balanced balance(LabeledData data, long seed) {
                seen.add(data);
                seeds.add(seed);
                return Balanced.of(data.select(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
            }

            @Override
            public String describe() {
                return "first ten";
            }
        };
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(2, 5)).balance(recording).epochs(2).seed(11).build()
                .fit(train, validation);
        assertThat(seen).containsExactly(train);
        assertThat(seeds).containsExactly(11L);
        assertThat(r.provenance().trainData()).isEqualTo(train.fingerprint());
        assertThat(r.provenance().validationData()).isEqualTo(validation.fingerprint());
        assertThat(r.provenance().config()).containsEntry("balance", "first ten");
    }

    @Test
    void aBalancerThatChangesTheClassCountOrShapeIsRefused() {
        Balancer threeClasses = (data, seed) -> Balanced.of(LabeledData.of(data.features(), data.labels(), 3));
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(2, 5)).balance(threeClasses).build().fit(train))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must keep the class count and the example shape");
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(2, 5)).balance(threeClasses).balance(threeClasses))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("balance(...) was already set");
    }

    @Test
    void badWeightsAreRefusedWithTheFix() {
        LabeledData two = train.select(new int[] {0, 1});
        assertThatThrownBy(() -> Balanced.weighted(two, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("got 1 weights for 2 examples; give one weight per example");
        assertThatThrownBy(() -> Balanced.weighted(two, new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight NaN of example 1");
        assertThatThrownBy(() -> Balanced.weighted(two, new double[] {-1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight -1.0 of example 0");
        assertThatThrownBy(() -> Balanced.weighted(two, new double[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("every weight is 0");
        double[] given = {1, 2};
        Balanced b = Balanced.weighted(two, given);
        given[0] = 5;
        assertThat(b.weights().orElseThrow()).containsExactly(1, 2);
        assertThat(Balanced.of(two).weights()).isEmpty();
    }
}
