package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Predictions;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Relations between the metrics and the confusion matrix on random predictions. */
class MetricsPropertiesTest {

    @Property(tries = 300)
    void accuracyIsTheTraceOverTheTotal(@ForAll @IntRange(min = 2, max = 6) int k,
                                        @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 35) Integer> codes) {
        Predictions p = decode(k, codes);
        ConfusionMatrix m = Metrics.confusionMatrix(p);
        int trace = 0;
        for (int c = 0; c < k; c++) {
            trace += m.count(c, c);
        }
        assertThat(m.total()).isEqualTo(p.size());
        assertThat(m.correct()).isEqualTo(trace);
        assertThat(p.score(Metrics.accuracy())).isCloseTo((double) trace / p.size(), within(1e-12));
    }

    @Property(tries = 300)
    void rowsCountActualAndColumnsCountPredicted(@ForAll @IntRange(min = 2, max = 6) int k,
                                                 @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 35) Integer> codes) {
        Predictions p = decode(k, codes);
        int[][] m = Metrics.confusionMatrix(p).counts();
        for (int c = 0; c < k; c++) {
            int row = 0;
            int column = 0;
            int actual = 0;
            int predicted = 0;
            for (int j = 0; j < k; j++) {
                row += m[c][j];
                column += m[j][c];
            }
            for (int i = 0; i < p.size(); i++) {
                actual += p.actual(i) == c ? 1 : 0;
                predicted += p.predicted(i) == c ? 1 : 0;
            }
            assertThat(row).isEqualTo(actual);
            assertThat(column).isEqualTo(predicted);
        }
    }

    /** An integer weight on an example puts as much into its cell as that many copies of it. */
    @Property(tries = 300)
    void integerWeightsFillTheCellsAsCopies(@ForAll @IntRange(min = 2, max = 6) int k,
                                            @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 35) Integer> codes,
                                            @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 3) Integer> draws) {
        Predictions p = decode(k, codes);
        double[] weights = new double[p.size()];
        java.util.List<Integer> copies = new java.util.ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            weights[i] = draws.get(i % draws.size());
            for (int j = 0; j < weights[i]; j++) {
                copies.add(i);
            }
        }
        net.jqwik.api.Assume.that(!copies.isEmpty());
        ConfusionMatrix weighted = Metrics.confusionMatrix(p.withWeights(weights));
        int[][] copied = Metrics.confusionMatrix(p.select(copies.stream().mapToInt(Integer::intValue).toArray())).counts();
        for (int a = 0; a < k; a++) {
            for (int c = 0; c < k; c++) {
                assertThat(weighted.weight(a, c)).isEqualTo(copied[a][c]);
            }
        }
        assertThat(weighted.counts()).isEqualTo(Metrics.confusionMatrix(p).counts());
        assertThat(weighted.totalWeight()).isEqualTo(copies.size());
    }

    /** An independent, direct reading of scikit-learn's definition, from the raw label arrays. */
    @Property(tries = 300)
    void f1MacroMatchesTheDefinition(@ForAll @IntRange(min = 2, max = 6) int k,
                                     @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 35) Integer> codes) {
        Predictions p = decode(k, codes);
        int[] y = p.actual();
        int[] yHat = p.predicted();
        double sum = 0;
        int labels = 0;
        for (int c = 0; c < k; c++) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            boolean seen = false;
            for (int i = 0; i < y.length; i++) {
                seen |= y[i] == c || yHat[i] == c;
                tp += y[i] == c && yHat[i] == c ? 1 : 0;
                fp += y[i] != c && yHat[i] == c ? 1 : 0;
                fn += y[i] == c && yHat[i] != c ? 1 : 0;
            }
            if (seen) {
                labels++;
                double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
                double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
                sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            }
        }
        assertThat(p.score(Metrics.f1Macro())).isCloseTo(sum / labels, within(1e-12));
    }

    @Property(tries = 300)
    void f1MacroIsOneExactlyWhenEveryPredictionIsRight(@ForAll @IntRange(min = 2, max = 6) int k,
                                                       @ForAll @Size(min = 1, max = 50) List<@IntRange(min = 0, max = 35) Integer> codes) {
        Predictions p = decode(k, codes);
        boolean allRight = p.score(Metrics.accuracy()) == 1.0;
        assertThat(p.score(Metrics.f1Macro()) == 1.0).isEqualTo(allRight);
    }

    /**
     * ROC-AUC is the Mann-Whitney statistic: the probability that a random positive scores above a
     * random negative, ties counting half; computed here over all pairs, independently of the curve.
     */
    @Property(tries = 300)
    void rocAucIsTheShareOfCorrectlyOrderedPairs(@ForAll @Size(min = 2, max = 40) List<@IntRange(min = 0, max = 10) Integer> scores,
                                                  @ForAll @Size(min = 2, max = 40) List<Boolean> positive) {
        int n = Math.min(scores.size(), positive.size());
        int[] actual = new int[n];
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            actual[i] = positive.get(i) ? 1 : 0;
            double p = scores.get(i) / 10.0;
            rows[i] = new double[] {1 - p, p};
        }
        net.jqwik.api.Assume.that(java.util.Arrays.stream(actual).distinct().count() == 2);
        double pairs = 0;
        double wins = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (actual[i] == 1 && actual[j] == 0) {
                    pairs++;
                    wins += scores.get(i) > scores.get(j) ? 1 : scores.get(i).equals(scores.get(j)) ? 0.5 : 0;
                }
            }
        }
        assertThat(Predictions.of(actual, rows).score(Metrics.rocAuc())).isCloseTo(wins / pairs, within(1e-12));
    }

    /** Code {@code v} stands for the pair (actual {@code v / k mod k}, predicted {@code v mod k}). */
    private static Predictions decode(int k, List<Integer> codes) {
        int[] actual = new int[codes.size()];
        int[] predicted = new int[codes.size()];
        for (int i = 0; i < codes.size(); i++) {
            actual[i] = (codes.get(i) / k) % k;
            predicted[i] = codes.get(i) % k;
        }
        return Fixtures.predictions(k, actual, predicted);
    }
}
