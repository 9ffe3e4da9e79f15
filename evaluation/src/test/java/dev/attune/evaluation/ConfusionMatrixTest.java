package dev.attune.evaluation;

import static dev.attune.evaluation.Fixtures.predictions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Predictions;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    // actual 0 0 1 1 2 2, predicted 0 1 1 1 2 0 -> rows actual: [1 1 0] [0 2 0] [1 0 1]
    private final ConfusionMatrix m = Metrics.confusionMatrix(
            predictions(3, new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0}));

    @Test
    void rowsAreActualColumnsPredicted() {
        assertThat(m.numClasses()).isEqualTo(3);
        assertThat(m.counts()).isEqualTo(new int[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}});
        assertThat(m.count(2, 0)).isEqualTo(1);
        assertThat(m.count(0, 2)).isZero();
        assertThat(m.total()).isEqualTo(6);
        assertThat(m.correct()).isEqualTo(4);
    }

    @Test
    void countsIsACopy() {
        int[][] c = m.counts();
        c[0][0] = 99;
        assertThat(m.count(0, 0)).isEqualTo(1);
    }

    @Test
    void includesClassesThatNeverOccur() {
        ConfusionMatrix sparse = Metrics.confusionMatrix(predictions(4, new int[] {0, 1}, new int[] {0, 0}));
        assertThat(sparse.counts()).isEqualTo(new int[][] {{1, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}});
    }

    @Test
    void withoutExampleWeightsTheWeightsAreTheCounts() {
        assertThat(m.weighted()).isFalse();
        assertThat(m.weights()).isEqualTo(new double[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 1}});
        assertThat(m.weight(2, 0)).isEqualTo(1.0);
        assertThat(m.totalWeight()).isEqualTo(6.0);
    }

    @Test
    void weightsSumTheExampleWeightsAndCountsStillCountExamples() {
        // rows actual: [1 1 0] [0 2 0] [1 0 1]; the second example of class 1 weighs 0.
        ConfusionMatrix w = Metrics.confusionMatrix(
                predictions(3, new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0})
                        .withWeights(new double[] {2, 0.5, 1.5, 0, 3, 1}));
        assertThat(w.weighted()).isTrue();
        assertThat(w.weights()).isEqualTo(new double[][] {{2, 0.5, 0}, {0, 1.5, 0}, {1, 0, 3}});
        assertThat(w.weight(1, 1)).isEqualTo(1.5);
        assertThat(w.totalWeight()).isEqualTo(8.0);
        assertThat(w.counts()).isEqualTo(m.counts());
        assertThat(w.total()).isEqualTo(6);
        assertThat(w).isNotEqualTo(m);
        double[][] copy = w.weights();
        copy[0][0] = 99;
        assertThat(w.weight(0, 0)).isEqualTo(2.0);
        assertThatThrownBy(() -> w.weight(0, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("predicted class 3 is outside [0, 3); use a class index 0..2");
    }

    @Test
    void weightsOfOneAreWeightedButEqualTheCounts() {
        Predictions p = predictions(3, new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0});
        ConfusionMatrix ones = Metrics.confusionMatrix(p.withWeights(new double[] {1, 1, 1, 1, 1, 1}));
        assertThat(ones.weighted()).isTrue();
        assertThat(ones.weights()).isEqualTo(m.weights());
        assertThat(ones).isNotEqualTo(m);
    }

    @Test
    void refusesClassesOutOfRange() {
        assertThatThrownBy(() -> m.count(3, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("actual class 3 is outside [0, 3); use a class index 0..2");
        assertThatThrownBy(() -> m.count(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("predicted class -1 is outside [0, 3)");
    }

    @Test
    void equalByContent() {
        ConfusionMatrix same = Metrics.confusionMatrix(
                predictions(3, new int[] {2, 2, 1, 1, 0, 0}, new int[] {2, 0, 1, 1, 0, 1}));
        assertThat(same).isEqualTo(m).hasSameHashCodeAs(m);
        assertThat(Metrics.confusionMatrix(predictions(3, new int[] {0}, new int[] {0}))).isNotEqualTo(m);
    }

    @Test
    void printsAnAlignedTable() {
        assertThat(m).hasToString(String.join("\n",
                "actual\\predicted  0  1  2",
                "               0  1  1  0",
                "               1  0  2  0",
                "               2  1  0  1"));
    }

    @Test
    void printsTheWeightsOfAWeightedMatrixAndSaysSo() {
        ConfusionMatrix w = Metrics.confusionMatrix(
                predictions(3, new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0})
                        .withWeights(new double[] {2, 0.5, 1.5, 0, 3, 1.0 / 3}));
        assertThat(w).hasToString(String.join("\n",
                "sums of example weights",
                "actual\\predicted       0       1       2",
                "               0       2     0.5       0",
                "               1       0     1.5       0",
                "               2  0.3333       0       3"));
    }

    @Test
    void widensColumnsForLargeCounts() {
        int[] actual = new int[120];
        int[] predicted = new int[120];
        predicted[119] = 1;
        actual[118] = 1;
        ConfusionMatrix big = Metrics.confusionMatrix(predictions(2, actual, predicted));
        // [0][0] = 118, [0][1] = 1, [1][0] = 1, [1][1] = 0
        assertThat(big).hasToString(String.join("\n",
                "actual\\predicted    0    1",
                "               0  118    1",
                "               1    1    0"));
    }
}
