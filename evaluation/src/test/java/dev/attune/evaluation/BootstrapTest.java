package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
    /** 400 binary examples, the first 320 predicted right: accuracy 0.8. */
    private static Predictions eightyPercent() {
        int[] actual = new int[400];
        double[][] rows = new double[400][];
        for (int i = 0; i < 400; i++) {
            actual[i] = i % 2;
            int predicted = i < 320 ? actual[i] : 1 - actual[i];
            rows[i] = predicted == 1 ? new double[] {0.4, 0.6} : new double[] {0.6, 0.4};
        }
        return Predictions.of(actual, rows);
    }

    @Test
    void percentileInterpolatesAsNumpy() {
        // numpy.percentile(np.arange(1, 11) ** 2, q) from the script: 2.5 -> 1.675, 50 -> 30.5, 97.5 -> 95.725
        double[] squares = {1, 4, 9, 16, 25, 36, 49, 64, 81, 100};
        assertThat(Bootstrap.percentile(squares, 0.025)).isCloseTo(1.675, within(1e-12));
        assertThat(Bootstrap.percentile(squares, 0.5)).isCloseTo(30.5, within(1e-12));
        assertThat(Bootstrap.percentile(squares, 0.975)).isCloseTo(95.72500000000001, within(1e-12));
        assertThat(Bootstrap.percentile(squares, 0)).isEqualTo(1.0);
        assertThat(Bootstrap.percentile(squares, 1)).isEqualTo(100.0);
    }

    @Test
    void intervalIsThePercentilesOfTheDocumentedResamples() {
        Predictions p = Predictions.of(MetricsReferenceTest.Y4, MetricsReferenceTest.P4);
        Metric metric = Metrics.f1Macro();
        ConfidenceInterval ci = Bootstrap.of(metric).resamples(200).seed(7).interval(p, 0.9);
        // The resamples as the Javadoc states them: n draws of SplittableRandom(seed).nextInt(n) each.
        SplittableRandom random = new SplittableRandom(7);
        double[] values = new double[200];
        for (int b = 0; b < 200; b++) {
            int[] indices = new int[p.size()];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = random.nextInt(p.size());
            }
            values[b] = metric.compute(p.select(indices));
        }
        Arrays.sort(values);
        assertThat(ci.lower()).isEqualTo(Bootstrap.percentile(values, (1 - 0.9) / 2));
        assertThat(ci.upper()).isEqualTo(Bootstrap.percentile(values, (1 + 0.9) / 2));
        assertThat(ci.estimate()).isEqualTo(metric.compute(p));
        assertThat(ci.level()).isEqualTo(0.9);
        assertThat(ci.resamples()).isEqualTo(200);
        assertThat(ci.metric()).isEqualTo("f1_macro");
        assertThat(ci.lower()).isLessThan(ci.upper());
    }

    @Test
    void accuracyIntervalIsCloseToTheNormalApproximation() {
        // accuracy 0.8 on 400 examples: standard error sqrt(0.8 * 0.2 / 400) = 0.02, 95% half-width 1.96 * 0.02 = 0.0392.
        ConfidenceInterval ci = Bootstrap.of(Metrics.accuracy()).resamples(2000).seed(3).interval(eightyPercent(), 0.95);
        assertThat(ci.estimate()).isCloseTo(0.8, within(1e-12));
        assertThat(ci.upper() - ci.lower()).isCloseTo(2 * 0.0392, within(0.01));
        assertThat(ci.lower()).isBetween(0.75, 0.77);
        assertThat(ci.upper()).isBetween(0.83, 0.85);
        assertThat(ci.toString()).startsWith("accuracy 0.8000 (95% CI ").endsWith(", 2000 resamples)");
    }

    @Test
    void sameSeedSameIntervalOtherSeedOtherInterval() {
        Bootstrap b = Bootstrap.of(Metrics.rocAuc()).resamples(300);
        Predictions p = Predictions.of(MetricsReferenceTest.YB, MetricsReferenceTest.binaryRows(MetricsReferenceTest.PB1));
        assertThat(b.seed(5).interval(p, 0.95)).isEqualTo(b.seed(5).interval(p, 0.95));
        assertThat(b.seed(5).interval(p, 0.95)).isNotEqualTo(b.seed(6).interval(p, 0.95));
        // 10 examples: some resamples hold one class, on which ROC-AUC is undefined; they are drawn again
        ConfidenceInterval ci = b.seed(5).interval(p, 0.95);
        assertThat(ci.lower()).isBetween(0.0, 0.76);
        assertThat(ci.upper()).isBetween(0.76, 1.0);
    }

    @Test
    void pairedComparisonOfABetterModel() {
        Predictions better = eightyPercent();
        // the same examples, right on the first 280 only: accuracy 0.7
        int[] actual = better.actual();
        double[][] rows = new double[400][];
        for (int i = 0; i < 400; i++) {
            int predicted = i < 280 ? actual[i] : 1 - actual[i];
            rows[i] = predicted == 1 ? new double[] {0.4, 0.6} : new double[] {0.6, 0.4};
        }
        Predictions worse = Predictions.of(actual, rows);
        PairedComparison c = Bootstrap.of(Metrics.accuracy()).resamples(1000).seed(1).compare(better, worse, 0.95);
        assertThat(c.difference()).isCloseTo(0.1, within(1e-12));
        // paired: the 40 discordant examples all favour the first model, so every resample does too
        assertThat(c.probabilityFirstBetter()).isEqualTo(1.0);
        assertThat(c.lower()).isGreaterThan(0.05);
        assertThat(c.upper()).isLessThan(0.15);
        assertThat(c.significant()).isTrue();
        // a loss: lower is better, so the better model's lower log loss counts as better
        PairedComparison loss = Bootstrap.of(Metrics.logLoss()).resamples(100).compare(better, worse, 0.95);
        assertThat(loss.difference()).isNegative();
        assertThat(loss.probabilityFirstBetter()).isEqualTo(1.0);
    }

    @Test
    void aModelAgainstItselfDiffersByNothing() {
        Predictions p = eightyPercent();
        PairedComparison c = Bootstrap.of(Metrics.f1Macro()).resamples(50).compare(p, p, 0.95);
        assertThat(c.difference()).isEqualTo(0.0);
        assertThat(c.lower()).isEqualTo(0.0);
        assertThat(c.upper()).isEqualTo(0.0);
        assertThat(c.probabilityFirstBetter()).isEqualTo(0.5);
        assertThat(c.significant()).isFalse();
    }

    @Test
    void refusesBadOptionsAndOtherTestSets() {
        Bootstrap b = Bootstrap.of(Metrics.accuracy());
        Predictions p = eightyPercent();
        assertThatThrownBy(() -> b.resamples(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resamples must be in [10, 10000000], got 5");
        assertThatThrownBy(() -> b.interval(p, 1.0)).hasMessage("confidence level must be in (0, 1), got 1.0; for example 0.95");
        assertThatThrownBy(() -> b.interval(p, Double.NaN)).hasMessageContaining("got NaN");
        assertThatThrownBy(() -> b.compare(p, p.select(0, 1), 0.95)).hasMessageContaining("400 examples of 2 classes against 2 of 2");
        assertThatThrownBy(() -> b.compare(p, p.withWeights(weights(400, 2.0)), 0.95))
                .hasMessageContaining("different weights at example 0 (1.0 against 2.0)");
        assertThatThrownBy(() -> Bootstrap.of(null)).isInstanceOf(NullPointerException.class).hasMessage("metric");
        // a metric undefined on the whole set is refused before any resampling
        Predictions oneClass = Predictions.of(new int[] {0, 0}, new double[][] {{0.9, 0.1}, {0.2, 0.8}});
        assertThatThrownBy(() -> Bootstrap.of(Metrics.rocAuc()).interval(oneClass, 0.95)).hasMessageContaining("only class 0");
    }

    @Test
    void givesUpWhenTheMetricIsUndefinedOnAlmostEveryResample() {
        // a metric defined on the full set but on no resample: after 10 failed draws per resample
        // (100 for 10 resamples) the next failure ends the bootstrap
        Predictions p = eightyPercent();
        Metric fragile = new Metric() {
            @Override
            public String name() {
                return "fragile";
            }

            @Override
            public double compute(Predictions q) {
                if (q == p) {
                    return 1;
                }
                throw new IllegalArgumentException("undefined here");
            }
        };
        assertThatThrownBy(() -> Bootstrap.of(fragile).resamples(10).interval(p, 0.95))
                .hasMessageContaining("fragile was undefined on 101 resamples (the last: undefined here)");
    }

    private static double[] weights(int n, double w) {
        double[] a = new double[n];
        Arrays.fill(a, w);
        return a;
    }
}
