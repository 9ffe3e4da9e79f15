package dev.attune.evaluation;

import static dev.attune.evaluation.Fixtures.predictions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Predictions;
import org.junit.jupiter.api.Test;

/** Metrics asked of the wrong kind of task, or of predictions on which they are undefined. */
class MetricsBadInputTest {
    private final Predictions threeClasses = predictions(3, new int[] {0, 1, 2, 1}, new int[] {0, 1, 1, 2});
    private final Predictions twoClasses = predictions(2, new int[] {0, 1, 1, 0}, new int[] {0, 1, 0, 0});

    @Test
    void binaryMetricsRefuseMultiClassTasks() {
        assertThatThrownBy(() -> Metrics.rocAuc().compute(threeClasses)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("roc_auc is a binary metric and needs 2 classes, got 3; use Metrics.rocAucOvr() for a multi-class task");
        assertThatThrownBy(() -> Metrics.averagePrecision().compute(threeClasses))
                .hasMessageContaining("got 3; use Metrics.averagePrecisionOvr()");
        assertThatThrownBy(() -> Metrics.brierScore().compute(threeClasses))
                .hasMessageContaining("got 3; use Metrics.brierScoreMulticlass()");
    }

    @Test
    void multiClassMetricsRefuseBinaryTasks() {
        assertThatThrownBy(() -> Metrics.rocAucOvr().compute(twoClasses)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("roc_auc_ovr is a one-vs-rest metric for 3 or more classes, got 2; use Metrics.rocAuc() for a binary task");
        assertThatThrownBy(() -> Metrics.rocAucOvrWeighted().compute(twoClasses))
                .hasMessage("roc_auc_ovr_weighted is a one-vs-rest metric for 3 or more classes, got 2; use Metrics.rocAuc() for a binary task");
        assertThatThrownBy(() -> Metrics.averagePrecisionOvr().compute(twoClasses))
                .hasMessageContaining("use Metrics.averagePrecision() for a binary task");
        assertThatThrownBy(() -> Metrics.topKAccuracy(2).compute(twoClasses))
                .hasMessage("top_2_accuracy needs more than 2 classes, got 2: every class is among the top 2; "
                        + "use a smaller k or Metrics.accuracy()");
        assertThatThrownBy(() -> Metrics.topKAccuracy(3).compute(threeClasses)).hasMessageContaining("got 3");
        assertThatThrownBy(() -> Metrics.topKAccuracy(0)).hasMessageContaining("k >= 1, got 0");
    }

    @Test
    void rankingMetricsRefuseASingleClass() {
        // scikit-learn: "Only one class present in y_true. ROC AUC score is not defined in that case."
        Predictions onlyZeros = predictions(2, new int[] {0, 0, 0}, new int[] {0, 1, 0});
        assertThatThrownBy(() -> Metrics.rocAuc().compute(onlyZeros))
                .hasMessage("roc_auc is undefined: the labels hold only class 0 (3 examples); evaluate on a set with both classes");
        assertThatThrownBy(() -> Metrics.averagePrecision().compute(onlyZeros)).hasMessageContaining("only class 0");
        Predictions onlyOnes = predictions(2, new int[] {1, 1}, new int[] {0, 1});
        assertThatThrownBy(() -> Metrics.rocAuc().compute(onlyOnes)).hasMessageContaining("only class 1");
        // average precision is defined without negatives: every threshold has precision 1
        assertThat(Metrics.averagePrecision().compute(onlyOnes)).isEqualTo(1.0);
        Predictions onlyTwos = predictions(3, new int[] {2, 2}, new int[] {0, 2});
        assertThatThrownBy(() -> Metrics.rocAucOvr().compute(onlyTwos))
                .hasMessage("roc_auc_ovr is undefined: the labels hold only class 2 (2 examples); evaluate on a set with at least two classes");
        assertThatThrownBy(() -> Metrics.rocAucOvrWeighted().compute(onlyTwos))
                .hasMessage("roc_auc_ovr_weighted is undefined: the labels hold only class 2 (2 examples); evaluate on a set with at least two classes");
        assertThatThrownBy(() -> Metrics.averagePrecisionOvr().compute(onlyTwos)).hasMessageContaining("only class 2");
    }

    @Test
    void classesAndBinsOutOfRange() {
        assertThatThrownBy(() -> Metrics.f1OfClass(3).compute(threeClasses))
                .hasMessage("f1_class_3: class 3 is outside [0, 3) of this 3-class task");
        assertThatThrownBy(() -> Metrics.precisionOfClass(-1)).hasMessageContaining("0 or more, got -1");
        assertThatThrownBy(() -> Metrics.expectedCalibrationError(0))
                .hasMessage("the number of calibration bins must be in [1, 10000], got 0; 15 is the default");
        assertThatThrownBy(() -> Metrics.reliability(threeClasses, 10_001)).hasMessageContaining("got 10001");
        assertThatThrownBy(() -> Metrics.f1(null)).isInstanceOf(NullPointerException.class).hasMessage("average");
        assertThatThrownBy(() -> Metrics.rocAuc().compute(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void namesAndDirections() {
        assertThat(Metrics.f1(Average.WEIGHTED).name()).isEqualTo("f1_weighted");
        assertThat(Metrics.recallOfClass(2).name()).isEqualTo("recall_class_2");
        assertThat(Metrics.expectedCalibrationError().name()).isEqualTo("ece");
        assertThat(Metrics.maximumCalibrationError(10).name()).isEqualTo("mce_10");
        assertThat(Metrics.logLoss().higherIsBetter()).isFalse();
        assertThat(Metrics.rocAucOvr().higherIsBetter()).isTrue();
        assertThat(Metrics.rocAucOvrWeighted().name()).isEqualTo("roc_auc_ovr_weighted");
    }
}
