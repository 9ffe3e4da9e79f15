package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The properties every built-in metric keeps. A test class implements this interface and names its
 * metric; the properties run against it. A metric's values lie between its {@link #worst()} and its
 * {@link #best()} value (by default 0 and 1: a score where higher is better), perfect predictions
 * (probability 1 on the actual class) score the best value, and nothing scores better. A metric that
 * is defined only for some predictions (a binary metric, a class that must occur) narrows
 * {@link #classCounts()} and {@link #accepts}.
 */
interface MetricContract {
    /** The metric under test. */
    Metric metric();

    /** The value of perfect predictions: 1 for a score, 0 for a loss. */
    default double best() {
        return 1.0;
    }

    /** The far end of the metric's range from {@link #best()}. */
    default double worst() {
        return 0.0;
    }

    /** The class counts of the tasks the metric serves. */
    default Arbitrary<Integer> classCounts() {
        return Arbitraries.integers().between(2, 6);
    }

    /** Whether the metric is defined on these predictions; generated predictions are filtered by it. */
    default boolean accepts(Predictions p) {
        return true;
    }

    /**
     * Random predictions, 1 to 40 examples: half with a clear argmax (0.7 on the predicted class), half
     * with probabilities from small integers normalised, so that ties within and across rows are common.
     */
    @Provide
    default Arbitrary<Predictions> predictions() {
        return classCounts().flatMap(k -> Arbitraries.oneOf(clear(k), coarse(k))).filter(this::accepts);
    }

    private static Arbitrary<Predictions> clear(int k) {
        return Arbitraries.integers().between(0, k * k - 1).list().ofMinSize(1).ofMaxSize(40).map(codes -> {
            // One code per example encodes the (actual, predicted) pair.
            int[] actual = new int[codes.size()];
            int[] predicted = new int[codes.size()];
            for (int i = 0; i < codes.size(); i++) {
                actual[i] = codes.get(i) / k;
                predicted[i] = codes.get(i) % k;
            }
            return Fixtures.predictions(k, actual, predicted);
        });
    }

    private static Arbitrary<Predictions> coarse(int k) {
        Arbitrary<List<Integer>> row = Arbitraries.integers().between(0, 4).list().ofSize(k);
        Arbitrary<Integer> label = Arbitraries.integers().between(0, k - 1);
        return Combinators.combine(label, row).as((a, r) -> new Object[] {a, r}).list().ofMinSize(1).ofMaxSize(40)
                .map(examples -> {
                    int[] actual = new int[examples.size()];
                    double[][] probabilities = new double[examples.size()][k];
                    for (int i = 0; i < examples.size(); i++) {
                        actual[i] = (Integer) examples.get(i)[0];
                        @SuppressWarnings("unchecked")
                        List<Integer> r = (List<Integer>) examples.get(i)[1];
                        int sum = r.stream().mapToInt(Integer::intValue).sum();
                        for (int c = 0; c < k; c++) {
                            probabilities[i][c] = sum == 0 ? 1.0 / k : r.get(c) / (double) sum;
                        }
                    }
                    return Predictions.of(actual, probabilities);
                });
    }

    @Property(tries = 200)
    default void valueIsInItsRange(@ForAll("predictions") Predictions p) {
        assertThat(metric().compute(p)).isBetween(Math.min(best(), worst()), Math.max(best(), worst()));
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

    /** A weight of w on an example counts as w copies of it (scikit-learn's {@code sample_weight}). */
    @Property(tries = 100)
    default void integerWeightsCountAsCopies(@ForAll("predictions") Predictions p,
                                             @ForAll("weights") List<Integer> draws) {
        double[] weights = new double[p.size()];
        List<Integer> copies = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            weights[i] = draws.get(i % draws.size());
            for (int j = 0; j < weights[i]; j++) {
                copies.add(i);
            }
        }
        double weighted = metric().compute(p.withWeights(weights));
        double copied = metric().compute(p.select(copies.stream().mapToInt(Integer::intValue).toArray()));
        assertThat(weighted).isCloseTo(copied, within(1e-12));
        double ones = metric().compute(p.withWeights(ones(p.size())));
        assertThat(ones).isCloseTo(metric().compute(p), within(1e-12));
    }

    @Provide
    default Arbitrary<List<Integer>> weights() {
        return Arbitraries.integers().between(1, 3).list().ofMinSize(1).ofMaxSize(40);
    }

    private static double[] ones(int n) {
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1.0);
        return w;
    }

    @Property(tries = 100)
    default void perfectPredictionsScoreTheBestValueAndNothingScoresBetter(@ForAll("predictions") Predictions p) {
        double[][] oneHot = new double[p.size()][p.numClasses()];
        for (int i = 0; i < p.size(); i++) {
            oneHot[i][p.actual(i)] = 1;
        }
        double perfect = metric().compute(Predictions.of(p.actual(), oneHot));
        assertThat(perfect).isCloseTo(best(), within(1e-12));
        if (metric().higherIsBetter()) {
            assertThat(metric().compute(p)).isLessThanOrEqualTo(perfect);
        } else {
            assertThat(metric().compute(p)).isGreaterThanOrEqualTo(perfect);
        }
    }

    @Example
    default void hasAStableSnakeCaseNameAndItsDirection() {
        assertThat(metric().name()).matches("[a-z][a-z0-9_]*").isEqualTo(metric().name());
        assertThat(metric().higherIsBetter()).isEqualTo(best() > worst());
        assertThat(metric()).hasToString(metric().name());
    }
}
