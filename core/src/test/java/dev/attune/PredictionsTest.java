package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PredictionsTest {
    private static final double[][] ROWS = {{0.7, 0.2, 0.1}, {0.1, 0.1, 0.8}, {0.3, 0.4, 0.3}};

    @Test
    void refusesBadProbabilities() {
        assertThatThrownBy(() -> Predictions.of(new int[] {0, 1}, new double[][] {{0.5, 0.5}, {0.3, 0.3}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probabilities of example 1 sum to 0.6, not 1")
                .hasMessageContaining("[0.3, 0.3]");
        assertThatThrownBy(() -> Predictions.of(new int[] {0}, new double[][] {{1.5, -0.5}}))
                .hasMessageContaining("probability of class 0 at example 0 is 1.5, outside [0, 1]");
        assertThatThrownBy(() -> Predictions.of(new int[] {0}, new double[][] {{0.5, Double.NaN}}))
                .hasMessageContaining("probability of class 1 at example 0 is NaN");
        assertThatThrownBy(() -> Predictions.of(new int[] {0}, new double[][] {{Double.POSITIVE_INFINITY, 0}}))
                .hasMessageContaining("is Infinity, outside [0, 1]");
        assertThatThrownBy(() -> Predictions.of(new int[0], new double[0][]))
                .hasMessageContaining("0 examples");
        assertThatThrownBy(() -> Predictions.of(new int[] {0, 1}, new double[][] {{1, 0}}))
                .hasMessageContaining("got 2 labels but 1 rows of probabilities");
        // float32 softmax rounding stays within the tolerance
        assertThat(Predictions.of(new int[] {0}, new double[][] {{0.3333333, 0.3333333, 0.3333333}}).size()).isEqualTo(1);
    }

    @Test
    void weightsDefaultToOneAndAreValidated() {
        Predictions p = Predictions.of(new int[] {0, 2, 1}, ROWS);
        assertThat(p.weighted()).isFalse();
        assertThat(p.weight(2)).isEqualTo(1.0);
        Predictions w = p.withWeights(new double[] {2, 0, 1});
        assertThat(w.weighted()).isTrue();
        assertThat(w.weight(0)).isEqualTo(2.0);
        assertThat(p.weighted()).isFalse();
        // weighted log loss: (2 * -ln 0.7 + 0 + 1 * -ln 0.4) / 3
        assertThat(w.logLoss()).isCloseTo((-2 * Math.log(0.7) - Math.log(0.4)) / 3, within(1e-12));
        assertThatThrownBy(() -> p.withWeights(new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2 weights for 3 examples");
        assertThatThrownBy(() -> p.withWeights(new double[] {1, -1, 1})).hasMessageContaining("weight of example 1 is -1.0");
        assertThatThrownBy(() -> p.withWeights(new double[] {1, Double.NaN, 1})).hasMessageContaining("is NaN");
        assertThatThrownBy(() -> p.withWeights(new double[] {0, 0, 0})).hasMessageContaining("every one of the 3 weights is 0");
    }

    @Test
    void selectKeepsRowsAndWeightsAndAllowsRepeats() {
        Predictions p = Predictions.of(new int[] {0, 2, 1}, ROWS).withWeights(new double[] {1, 2, 3});
        Predictions s = p.select(2, 2, 0);
        assertThat(s.actual()).containsExactly(1, 1, 0);
        assertThat(s.predicted()).containsExactly(1, 1, 0);
        assertThat(s.probability(0, 1)).isEqualTo(0.4);
        assertThat(s.weight(0)).isEqualTo(3.0);
        assertThat(s.weight(2)).isEqualTo(1.0);
        assertThat(s.numClasses()).isEqualTo(3);
        assertThatThrownBy(() -> p.select(0, 3)).hasMessageContaining("example index 3 at position 1 is outside [0, 3)");
        assertThatThrownBy(() -> p.select()).hasMessageContaining("0 examples selected");
    }
}
