package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Metric;
import dev.attune.Predictions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The properties every built-in metric keeps. A test class implements this interface and names its
 * metric; the properties run against it. The built-in metrics are all scores in {@code [0, 1]} where
 * higher is better and perfect predictions score 1; a future loss-like metric gets a contract of its own.
 */
interface MetricContract {
    /** The metric under test. */
    Metric metric();

    /** Random predictions: 2 to 6 classes, 1 to 40 examples, any mix of right and wrong. */
    @Provide
    default Arbitrary<Predictions> predictions() {
        return Arbitraries.integers().between(2, 6).flatMap(k -> Arbitraries.integers().between(0, k * k - 1)
                .list().ofMinSize(1).ofMaxSize(40)
                .map(codes -> {
                    // One code per example encodes the (actual, predicted) pair.
                    int[] actual = new int[codes.size()];
                    int[] predicted = new int[codes.size()];
                    for (int i = 0; i < codes.size(); i++) {
                        actual[i] = codes.get(i) / k;
                        predicted[i] = codes.get(i) % k;
                    }
                    return Fixtures.predictions(k, actual, predicted);
                }));
    }

    @Property(tries = 200)
    default void valueIsInTheUnitInterval(@ForAll("predictions") Predictions p) {
        assertThat(metric().compute(p)).isBetween(0.0, 1.0);
    }

    @Property(tries = 100)
    default void sameInputSameValue(@ForAll("predictions") Predictions p) {
        assertThat(metric().compute(p)).isEqualTo(metric().compute(p));
    }

    @Property(tries = 100)
    default void orderOfExamplesDoesNotMatter(@ForAll("predictions") Predictions p) {
        int n = p.size();
        int[] actual = new int[n];
        double[][] probabilities = new double[n][p.numClasses()];
        for (int i = 0; i < n; i++) {
            actual[i] = p.actual(n - 1 - i);
            for (int c = 0; c < p.numClasses(); c++) {
                probabilities[i][c] = p.probability(n - 1 - i, c);
            }
        }
        assertThat(metric().compute(Predictions.of(actual, probabilities)))
                .isCloseTo(metric().compute(p), within(1e-12));
    }

    @Property(tries = 100)
    default void perfectPredictionsScoreOneAndNothingScoresHigher(@ForAll("predictions") Predictions p) {
        int[] actual = p.actual();
        double best = metric().compute(Fixtures.predictions(p.numClasses(), actual, actual));
        assertThat(best).isEqualTo(1.0);
        assertThat(metric().compute(p)).isLessThanOrEqualTo(best);
    }

    @Example
    default void hasAStableSnakeCaseName() {
        assertThat(metric().name()).matches("[a-z][a-z0-9_]*").isEqualTo(metric().name());
        assertThat(metric().higherIsBetter()).isTrue();
    }
}
