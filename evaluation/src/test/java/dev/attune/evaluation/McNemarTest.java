package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Predictions;
import org.junit.jupiter.api.Test;

/**
 * Expected p-values from SciPy 1.10.1, {@code binomtest(min(b, c), b + c, 0.5).pvalue}, printed by
 * {@code src/test/python/expected_metrics.py} ("McNemar's exact test").
 */
class McNemarTest {
    @Test
    void pValuesMatchTheBinomialTest() {
        assertThat(McNemar.of(3, 11).pValue()).isCloseTo(0.057373046875, within(1e-12));
        assertThat(McNemar.of(0, 5).pValue()).isCloseTo(0.0625, within(1e-12));
        assertThat(McNemar.of(7, 7).pValue()).isEqualTo(1.0);
        assertThat(McNemar.of(1, 0).pValue()).isEqualTo(1.0);
        assertThat(McNemar.of(40, 62).pValue()).isCloseTo(0.03706676743856045, within(1e-12));
        assertThat(McNemar.of(0, 0).pValue()).isEqualTo(1.0);
        // symmetric in the two counts
        assertThat(McNemar.of(62, 40).pValue()).isEqualTo(McNemar.of(40, 62).pValue());
        // large counts stay finite: 2 P(X <= 4900), X ~ Binomial(10000, 1/2), about 0.046 by the normal approximation
        assertThat(McNemar.of(4900, 5100).pValue()).isBetween(0.04, 0.052);
    }

    @Test
    void countsTheDiscordantExamplesOfTwoModels() {
        // 20 examples, class = i % 2. First model right on 0..13, second right on 0..2 and 14..19:
        // both right 0..2, first only 3..13 (b = 11), second only 14..19 (c = 6).
        int[] actual = new int[20];
        double[][] first = new double[20][];
        double[][] second = new double[20][];
        for (int i = 0; i < 20; i++) {
            actual[i] = i % 2;
            first[i] = row(i < 14 ? actual[i] : 1 - actual[i]);
            second[i] = row(i < 3 || i >= 14 ? actual[i] : 1 - actual[i]);
        }
        McNemar t = McNemar.exact(Predictions.of(actual, first), Predictions.of(actual, second));
        assertThat(t.firstOnlyRight()).isEqualTo(11);
        assertThat(t.secondOnlyRight()).isEqualTo(6);
        assertThat(t.pValue()).isEqualTo(McNemar.of(11, 6).pValue());
        // 2 P(X <= 6), X ~ Binomial(17, 1/2) = 2 (1 + 17 + 136 + 680 + 2380 + 6188 + 12376) / 2^17 = 43556 / 131072
        assertThat(t.pValue()).isCloseTo(43556.0 / 131072, within(1e-12));
    }

    @Test
    void refusesOtherTestSetsAndWeights() {
        Predictions a = Predictions.of(new int[] {0, 1}, new double[][] {{0.9, 0.1}, {0.2, 0.8}});
        Predictions b = Predictions.of(new int[] {0, 0}, new double[][] {{0.9, 0.1}, {0.2, 0.8}});
        Predictions c = Predictions.of(new int[] {0}, new double[][] {{0.9, 0.1}});
        assertThatThrownBy(() -> McNemar.exact(a, b)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("different labels at example 1 (1 against 0)");
        assertThatThrownBy(() -> McNemar.exact(a, c)).hasMessageContaining("2 examples of 2 classes against 1 of 2");
        assertThatThrownBy(() -> McNemar.exact(a.withWeights(new double[] {1, 2}), a.withWeights(new double[] {1, 2})))
                .hasMessageContaining("takes no weights");
        assertThatThrownBy(() -> McNemar.of(-1, 2)).hasMessageContaining("got -1 and 2");
    }

    private static double[] row(int predicted) {
        return predicted == 1 ? new double[] {0.3, 0.7} : new double[] {0.7, 0.3};
    }
}
