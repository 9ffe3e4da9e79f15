package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.search.Param;
import dev.attune.search.SearchSpace;
import dev.attune.search.Strategy;
import dev.attune.spi.Optimizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Search trials spread one per Spark task ({@code local[2]}), sharing nothing. */
class SparkSearchTest {
    private final LabeledData train = Fixtures.blobs(150, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(45, 8, 3, 2);
    private final SearchSpace space = SearchSpace.of(Param.choice("lr", 1e-3, 1e-2, 3e-2), Param.choice("batch", 16, 32));

    private static SparkSearch.Trial trial() {
        return (base, point) -> FineTuner.builder(base).optimizer(Optimizer.adam(point.getDouble("lr")))
                .batchSize(point.getInt("batch")).epochs(3).seed(point.seed()).metrics(Fixtures.ACCURACY);
    }

    @Test
    void eachTrialRunsAloneInATaskAndGivesTheWeightsItGivesOnOneMachine() {
        Network base = Network.of(Fixtures.mlp(3, 5));
        List<SparkSearch.Outcome> outcomes = SparkSearch.run(LocalSpark.context(), base, space, Strategy.grid(), 42,
                trial(), "accuracy", train, validation);

        assertThat(outcomes).hasSize(6);
        assertThat(outcomes).extracting(SparkSearch.Outcome::index).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(outcomes).extracting(o -> o.point()).containsExactlyElementsOf(Strategy.grid().points(space, 42));
        for (SparkSearch.Outcome o : outcomes) {
            var alone = trial().build(base, o.point()).build().fit(train, validation);
            assertThat(o.modelFingerprint()).as("trial %d", o.index()).isEqualTo(alone.model().fingerprint());
            assertThat(o.score()).isEqualTo(alone.best().metric("accuracy"));
        }
        SparkSearch.Outcome best = SparkSearch.best(outcomes, true);
        assertThat(outcomes).allMatch(o -> o.score() <= best.score());
    }

    @Test
    void strategiesWhoseTrialsWaitForOneAnotherAreRefused() {
        assertThatThrownBy(() -> SparkSearch.run(LocalSpark.context(), Network.of(Fixtures.mlp(3, 5)), space,
                Strategy.random(6).halving(1, 3), 42, trial(), "accuracy", train, validation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compares trials at its rungs, so its trials share results");
    }
}
