package dev.attune.search;

import static dev.attune.search.SearchFixtures.TRAIN;
import static dev.attune.search.SearchFixtures.VALIDATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchBadInputTest {
    @Test
    void anEmptySpaceAndADuplicateNameAreRefused() {
        assertThatThrownBy(SearchSpace::of).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the search space is empty; give at least one parameter, for example"
                        + " SearchSpace.of(Param.logUniform(\"lr\", 1e-4, 1e-2))");
        assertThatThrownBy(() -> SearchSpace.of(Param.choice("rank", 4, 8), Param.intRange("rank", 2, 16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'rank' is given twice in the search space [rank, rank]; give each name once");
        assertThatThrownBy(() -> Param.choice("rank")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("choice(\"rank\") has no value");
        assertThatThrownBy(() -> Param.choice("rank", 4, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeats a value");
    }

    @Test
    void aLogRangeOverNonPositiveValuesAndLowAboveHighAreRefused() {
        assertThatThrownBy(() -> Param.logUniform("lr", 0, 1e-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("logUniform(\"lr\", 0.0, 0.01) needs finite bounds above 0, as a log scale has no 0 or"
                        + " negative values; use uniform(\"lr\", ...) for a range that includes 0 or negative values");
        assertThatThrownBy(() -> Param.logUniform("lr", -1e-3, 1e-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("logUniform(\"lr\", -0.001, 0.01) needs finite bounds above 0");
        assertThatThrownBy(() -> Param.logUniform("lr", 1e-2, 1e-4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'lr' has low 0.01 above high 1.0E-4; give the smaller bound first");
        assertThatThrownBy(() -> Param.uniform("dropout", 0.5, 0.1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'dropout' has low 0.5 above high 0.1; give the smaller bound first");
        assertThatThrownBy(() -> Param.intRange("rank", 16, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'rank' has low 16.0 above high 2.0; give the smaller bound first");
        assertThatThrownBy(() -> Param.uniform(" ", 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a parameter's name is blank");
    }

    @Test
    void aPlainGridOfARangeOfDoublesIsRefused() {
        Search s = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(1)).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.grid());
        assertThatThrownBy(() -> s.run(TRAIN, VALIDATION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 'lr' is a range of doubles (logUniform(lr, 1.0E-5, 0.05)), which a plain"
                        + " grid cannot list; use Strategy.grid(steps)");
    }

    @Test
    void aPointRefusesAnUnknownParameterAndTheWrongType() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("lr", 1e-3);
        values.put("batch", 8);
        Point p = SearchFixtures.space().pointOf(values, 7);
        assertThat(p.getDouble("lr")).isEqualTo(1e-3);
        assertThat(p.getDouble("batch")).isEqualTo(8.0);
        assertThat(p.getInt("batch")).isEqualTo(8);
        assertThatThrownBy(() -> p.getDouble("rank")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the search space has no parameter 'rank'; its parameters are [lr, batch]; add"
                        + " Param.choice(\"rank\", ...) or a range to the space, or read one of these");
        assertThatThrownBy(() -> p.getInt("lr")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'lr' is a Double (0.001), not an int; read it with getDouble(\"lr\")");
        assertThatThrownBy(() -> p.getString("batch")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'batch' is an Integer (8), not a String; read it with getInt(\"batch\")");
    }

    @Test
    void aPointOfYourOwnIsCheckedAgainstTheSpace() {
        SearchSpace space = SearchFixtures.space();
        assertThat(space.pointOf(Map.of("lr", 1e-3, "batch", 32), 9).labels()).containsExactly(
                Map.entry("lr", "0.001"), Map.entry("batch", "32"));
        assertThatThrownBy(() -> space.pointOf(Map.of("lr", 1e-3), 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no value for parameter 'batch'; give one for each of [lr, batch]");
        assertThatThrownBy(() -> space.pointOf(Map.of("lr", 1.0, "batch", 32), 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'lr' cannot be 1.0 (Double); its values are logUniform(lr, 1.0E-5, 0.05)");
        assertThatThrownBy(() -> space.pointOf(Map.of("lr", 1e-3, "batch", 16), 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter 'batch' cannot be 16 (Integer); its values are choice(batch, 8, 32)");
        assertThatThrownBy(() -> space.pointOf(Map.of("lr", 1e-3, "batch", 8, "rank", 4), 9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the search space has no parameter 'rank'; its parameters are [lr, batch]");
    }

    @Test
    void aMetricTheTrialsDoNotRecordIsRefusedAtTheFirstEpoch() {
        Metric f1 = new Metric() {
            @Override
            public String name() {
                return "f1_macro";
            }

            @Override
            public double compute(Predictions predictions) {
                return 0;
            }
        };
        Search s = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(2)).maximize(f1)
                .strategy(Strategy.random(3)).parallelism(2);
        assertThatThrownBy(() -> s.run(TRAIN, VALIDATION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the search's objective is metric 'f1_macro', which the trials do not record (epoch 1"
                        + " recorded [accuracy] and val_loss); add it to the trials' metrics(...) in the mapping, or"
                        + " optimise a metric they record");
    }

    @Test
    void parallelismBelowOneAndAMemoryBudgetTooSmallForOneTrialAreRefused() {
        Search s = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(1)).maximize(Fixtures.ACCURACY);
        assertThatThrownBy(() -> s.parallelism(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parallelism must be at least 1 trial at a time, got 0; 1 runs the trials one after another");
        assertThatThrownBy(() -> s.memoryBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the memory budget must be a positive number of bytes, got 0");

        long oneTrial = SearchFixtures.mapping(1).apply(SearchFixtures.space().pointOf(Map.of("lr", 1e-3, "batch", 8), 1))
                .build().estimatedMemoryBytes();
        // 467 parameters of 4 bytes: working copy, result copy, gradient and Adam's two state values.
        assertThat(oneTrial).isEqualTo(467L * 4 * 5);
        s.memoryBudget(oneTrial - 1).strategy(Strategy.random(2));
        assertThatThrownBy(() -> s.run(TRAIN, VALIDATION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("trial 0 {lr=")
                .hasMessageContaining("needs about 9340 bytes (FineTuner.estimatedMemoryBytes(): its model's parameters,"
                        + " gradients and optimizer state) but the memory budget is 9339 bytes; raise memoryBudget(...) to"
                        + " at least 9340 or search smaller models");
    }

    @Test
    void aBudgetForOneTrialRunsTheTrialsOneAtATime() {
        long oneTrial = 467L * 4 * 5;
        SearchResult r = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(1))
                .maximize(Fixtures.ACCURACY).strategy(Strategy.random(3)).parallelism(3).memoryBudget(oneTrial + 100)
                .run(TRAIN, VALIDATION);
        assertThat(r.trials()).hasSize(3);
    }

    @Test
    void aBuilderReturnedTwiceAMissingValidationSetAndAWrongHyperbandMaximumAreRefused() {
        FineTuner.Builder shared = FineTuner.builder(SearchFixtures.BASE).metrics(Fixtures.ACCURACY).epochs(1);
        Search s = Search.over(SearchSpace.of(Param.choice("x", 1, 2))).trials(p -> shared).maximize(Fixtures.ACCURACY);
        assertThatThrownBy(() -> s.run(TRAIN, VALIDATION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the trial mapping returned, for trial 1, a builder it returned for an earlier"
                        + " trial; make a new FineTuner.builder(...) inside the mapping for every point");
        assertThatThrownBy(() -> s.run(TRAIN, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a search needs a validation set");
        Search h = Search.over(SearchFixtures.space()).trials(SearchFixtures.mapping(5)).maximize(Fixtures.ACCURACY)
                .strategy(Strategy.hyperband(9, 3));
        assertThatThrownBy(() -> h.run(TRAIN, VALIDATION)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the strategy hyperband(9, 3) trains every trial up to 9 epochs but trial 0's fine-tuner"
                        + " trains up to 5; set epochs(9) in the mapping");
        assertThatThrownBy(() -> Strategy.random(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Strategy.grid().halving(1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eta 1");
        assertThatThrownBy(() -> Search.over(SearchFixtures.space()).run(TRAIN, VALIDATION))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no trials(...) mapping");
    }
}
