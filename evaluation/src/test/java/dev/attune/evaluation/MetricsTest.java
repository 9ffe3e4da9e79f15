package dev.attune.evaluation;

import static dev.attune.evaluation.Fixtures.predictions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Metric;
import dev.attune.Predictions;
import org.junit.jupiter.api.Test;

/**
 * Expected values are derived by hand from the confusion matrix; each test shows the derivation.
 * F1 of a class is 2TP / (2TP + FP + FN); macro-F1 is the mean over the classes that occur in the
 * actual or the predicted classes (scikit-learn's {@code f1_score(average="macro")}).
 */
class MetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void namesAndDirection() {
        assertThat(Metrics.accuracy().name()).isEqualTo("accuracy");
        assertThat(Metrics.f1Macro().name()).isEqualTo("f1_macro");
        assertThat(Metrics.accuracy().higherIsBetter()).isTrue();
        assertThat(Metrics.f1Macro().higherIsBetter()).isTrue();
        assertThat(Metrics.f1Macro()).hasToString("f1_macro");
    }

    @Test
    void mixedThreeClasses() {
        // actual    0 0 1 1 2 2
        // predicted 0 1 1 1 2 0
        // matrix rows actual: [1 1 0] [0 2 0] [1 0 1]; 4 of 6 correct -> accuracy 2/3.
        // class 0: TP 1, FP 1 (a 2 predicted as 0), FN 1 (a 0 predicted as 1) -> 2/4 = 1/2
        // class 1: TP 2, FP 1, FN 0 -> 4/5
        // class 2: TP 1, FP 0, FN 1 -> 2/3
        // macro = (1/2 + 4/5 + 2/3) / 3 = (15 + 24 + 20) / 30 / 3 = 59/90
        Predictions p = predictions(3, new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0});
        assertThat(p.score(Metrics.accuracy())).isCloseTo(2.0 / 3, within(EPS));
        assertThat(p.score(Metrics.f1Macro())).isCloseTo(59.0 / 90, within(EPS));
    }

    @Test
    void classNeverPredictedScoresZeroAndCounts() {
        // actual 0 1 2 2, predicted 0 1 1 1: class 2 occurs but is never predicted.
        // class 0: TP 1, FP 0, FN 0 -> 1
        // class 1: TP 1, FP 2, FN 0 -> 2/4 = 1/2
        // class 2: TP 0, FP 0, FN 2 -> 0/2 = 0 (scikit-learn warns and gives 0)
        // macro = (1 + 1/2 + 0) / 3 = 1/2; accuracy 2/4
        Predictions p = predictions(3, new int[] {0, 1, 2, 2}, new int[] {0, 1, 1, 1});
        assertThat(p.score(Metrics.f1Macro())).isCloseTo(0.5, within(EPS));
        assertThat(p.score(Metrics.accuracy())).isCloseTo(0.5, within(EPS));
    }

    @Test
    void classAbsentFromActualAndPredictedIsLeftOut() {
        // 4 classes, but only 0 and 1 occur: actual 0 0 1 1, predicted 0 1 1 1.
        // class 0: TP 1, FP 0, FN 1 -> 2/3;  class 1: TP 2, FP 1, FN 0 -> 4/5
        // classes 2 and 3 occur nowhere and are left out: macro = (2/3 + 4/5) / 2 = 11/15
        // (averaging over all 4 classes would give 11/30)
        Predictions p = predictions(4, new int[] {0, 0, 1, 1}, new int[] {0, 1, 1, 1});
        assertThat(p.score(Metrics.f1Macro())).isCloseTo(11.0 / 15, within(EPS));
    }

    @Test
    void classOnlyPredictedCounts() {
        // actual 0 0 0, predicted 0 1 2: classes 1 and 2 occur only as predictions.
        // class 0: TP 1, FP 0, FN 2 -> 2/4 = 1/2;  class 1: TP 0, FP 1, FN 0 -> 0;  class 2: likewise 0
        // macro = (1/2 + 0 + 0) / 3 = 1/6  (scikit-learn: f1_score([0,0,0], [0,1,2], average="macro"))
        Predictions p = predictions(3, new int[] {0, 0, 0}, new int[] {0, 1, 2});
        assertThat(p.score(Metrics.f1Macro())).isCloseTo(1.0 / 6, within(EPS));
        assertThat(p.score(Metrics.accuracy())).isCloseTo(1.0 / 3, within(EPS));
    }

    @Test
    void perfectPredictionsScoreOne() {
        // every example on the diagonal: each present class has FP = FN = 0 -> F1 1; accuracy 1
        Predictions p = predictions(3, new int[] {2, 0, 1, 1, 0}, new int[] {2, 0, 1, 1, 0});
        assertThat(p.score(Metrics.accuracy())).isEqualTo(1.0);
        assertThat(p.score(Metrics.f1Macro())).isEqualTo(1.0);
    }

    @Test
    void singlePresentClassPerfect() {
        // 3 classes, only class 1 occurs and is always right: the mean runs over {1} alone -> 1
        Predictions p = predictions(3, new int[] {1, 1}, new int[] {1, 1});
        assertThat(p.score(Metrics.f1Macro())).isEqualTo(1.0);
    }

    @Test
    void allWrongScoresZero() {
        // actual 0 1 0 1, predicted 1 0 1 0: TP 0 for both classes -> F1 0 each; accuracy 0
        Predictions p = predictions(2, new int[] {0, 1, 0, 1}, new int[] {1, 0, 1, 0});
        assertThat(p.score(Metrics.accuracy())).isEqualTo(0.0);
        assertThat(p.score(Metrics.f1Macro())).isEqualTo(0.0);
    }

    @Test
    void f1DiffersFromAccuracyOnImbalance() {
        // 9 of class 0, 1 of class 1, always predicting 0: accuracy 9/10.
        // class 0: TP 9, FP 1, FN 0 -> 18/19;  class 1: TP 0, FP 0, FN 1 -> 0;  macro = 9/19
        int[] actual = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        Predictions p = predictions(2, actual, new int[10]);
        assertThat(p.score(Metrics.accuracy())).isCloseTo(0.9, within(EPS));
        assertThat(p.score(Metrics.f1Macro())).isCloseTo(9.0 / 19, within(EPS));
    }

    @Test
    void tiesPredictTheLowestClass() {
        // Predictions takes the lowest index among equal probabilities: a uniform row predicts 0.
        Predictions p = Predictions.of(new int[] {0, 1}, new double[][] {{0.5, 0.5}, {0.5, 0.5}});
        assertThat(p.score(Metrics.accuracy())).isEqualTo(0.5);
    }

    @Test
    void refusesNull() {
        Metric accuracy = Metrics.accuracy();
        assertThatThrownBy(() -> accuracy.compute(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("predictions");
        assertThatThrownBy(() -> Metrics.f1Macro().compute(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("predictions");
        assertThatThrownBy(() -> Metrics.confusionMatrix(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("predictions");
    }
}
