package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every metric against scikit-learn 1.2.1 on fixed inputs, to 1e-9. The inputs are copied from
 * {@code src/test/python/expected_metrics.py}, which prints each expected value; the comment beside a
 * value names the function that computed it ({@code sklearn.metrics} unless it says numpy, where
 * scikit-learn has no such metric and the script computes the definition stated in
 * {@link Metrics} and {@link ReliabilityDiagram}). Predicted classes are the argmax, lowest index
 * among ties, in both.
 */
class MetricsReferenceTest {
    private static final double TOLERANCE = 1e-9;

    /** Y4, P4 and W4 of the script: 4 classes, 12 examples, tied scores within and across rows. */
    static final int[] Y4 = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 2};
    static final double[][] P4 = {
            {0.4, 0.3, 0.2, 0.1},
            {0.1, 0.6, 0.2, 0.1},
            {0.2, 0.2, 0.5, 0.1},
            {0.1, 0.2, 0.3, 0.4},
            {0.3, 0.3, 0.2, 0.2},
            {0.5, 0.2, 0.2, 0.1},
            {0.1, 0.1, 0.7, 0.1},
            {0.25, 0.25, 0.25, 0.25},
            {0.6, 0.1, 0.1, 0.2},
            {0.2, 0.4, 0.3, 0.1},
            {0.1, 0.3, 0.3, 0.3},
            {0.2, 0.2, 0.2, 0.4},
    };
    static final double[] W4 = {1, 2, 0.5, 1, 3, 1, 1, 0.5, 2, 1, 1.5, 1};

    /** YB, PB1 and WB of the script: binary, class 1 positive, 0.4 three times across both classes. */
    static final int[] YB = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0};
    static final double[] PB1 = {0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.6, 0.9, 0.5, 0.2};
    static final double[] WB = {1, 1, 2, 1, 0.5, 1, 3, 1, 1, 2};

    /** YE and PE of the script: class 3 never among the labels but predicted, class 2 never predicted. */
    static final int[] YE = {0, 0, 1, 1, 2, 2, 0, 1};
    static final double[][] PE = {
            {0.6, 0.2, 0.1, 0.1},
            {0.2, 0.2, 0.1, 0.5},
            {0.1, 0.7, 0.1, 0.1},
            {0.3, 0.4, 0.2, 0.1},
            {0.4, 0.1, 0.3, 0.2},
            {0.1, 0.3, 0.2, 0.4},
            {0.5, 0.1, 0.3, 0.1},
            {0.2, 0.2, 0.2, 0.4},
    };

    /** Rows {@code [1 - p, p]}, as the script's {@code rows(p1)}. */
    static double[][] binaryRows(double[] p1) {
        double[][] rows = new double[p1.length][];
        for (int i = 0; i < p1.length; i++) {
            rows[i] = new double[] {1 - p1[i], p1[i]};
        }
        return rows;
    }

    @Test
    void multiClass() {
        check(Predictions.of(Y4, P4), M4_EXPECTED);
    }

    @Test
    void multiClassWeighted() {
        check(Predictions.of(Y4, P4).withWeights(W4), M4W_EXPECTED);
    }

    @Test
    void binary() {
        check(Predictions.of(YB, binaryRows(PB1)), B_EXPECTED);
    }

    @Test
    void binaryWeighted() {
        check(Predictions.of(YB, binaryRows(PB1)).withWeights(WB), BW_EXPECTED);
    }

    /**
     * Class 3 never occurs among the labels but is predicted; class 2 occurs but is never predicted.
     * Precision, recall and F1 count both (zero division gives 0); balanced accuracy averages the
     * recall of classes 0 to 2; the one-vs-rest scores leave class 3 out, where scikit-learn's
     * {@code roc_auc_score(multi_class="ovr")} refuses the input.
     */
    @Test
    void classAbsentFromTheLabelsAndClassNeverPredicted() {
        check(Predictions.of(YE, PE), E_EXPECTED);
    }

    @Test
    void reliabilityBins() {
        // From the script's "M4 reliability bins, 4 bins":
        //   bin 0: count 1, mean confidence 0.25, accuracy 0.0
        //   bin 1: count 8, mean confidence 0.4, accuracy 0.625
        //   bin 2: count 3, mean confidence 0.6333333333333333, accuracy 1.0
        ReliabilityDiagram d = Metrics.reliability(Predictions.of(Y4, P4), 4);
        List<ReliabilityDiagram.Bin> bins = d.bins();
        assertThat(bins).hasSize(4);
        assertThat(bins).extracting(ReliabilityDiagram.Bin::count).containsExactly(1, 8, 3, 0);
        assertThat(bins).extracting(ReliabilityDiagram.Bin::upper).containsExactly(0.25, 0.5, 0.75, 1.0);
        assertThat(bins.get(0).meanConfidence()).isCloseTo(0.25, within(TOLERANCE));
        assertThat(bins.get(0).accuracy()).isEqualTo(0.0);
        assertThat(bins.get(1).meanConfidence()).isCloseTo(0.4, within(TOLERANCE));
        assertThat(bins.get(1).accuracy()).isCloseTo(0.625, within(TOLERANCE));
        assertThat(bins.get(2).meanConfidence()).isCloseTo(0.6333333333333333, within(TOLERANCE));
        assertThat(bins.get(2).accuracy()).isEqualTo(1.0);
        assertThat(bins.get(3).meanConfidence()).isNaN();
        assertThat(bins.get(3).weight()).isEqualTo(0.0);
        // ece_4 and mce_4 of M4
        assertThat(d.expectedCalibrationError()).isCloseTo(0.26249999999999996, within(TOLERANCE));
        assertThat(d.maximumCalibrationError()).isCloseTo(0.3666666666666667, within(TOLERANCE));
        // the confidence 0.25 of the uniform row sits on the edge 1/4 and belongs to bin 0, (0, 1/4]
        assertThat(bins.get(0).lower()).isEqualTo(0.0);
        assertThat(d.toString()).contains("(0.250, 0.500]").contains("8");
    }

    /**
     * {@code confusion_matrix(y, argmax(p), labels=range(k), sample_weight=w)}: its integer counts without
     * weights, its sums of weights with them, where the counts stay the examples'.
     */
    @Test
    void confusionMatrices() {
        ConfusionMatrix m4 = Metrics.confusionMatrix(Predictions.of(Y4, P4));
        // M4 confusion_matrix = [[3, 0, 0, 0], [1, 2, 0, 0], [0, 1, 2, 1], [1, 0, 0, 1]]
        int[][] m4Counts = {{3, 0, 0, 0}, {1, 2, 0, 0}, {0, 1, 2, 1}, {1, 0, 0, 1}};
        assertThat(m4.counts()).isEqualTo(m4Counts);
        assertThat(m4.weighted()).isFalse();
        ConfusionMatrix m4w = Metrics.confusionMatrix(Predictions.of(Y4, P4).withWeights(W4));
        // M4W confusion_matrix = [[6.0, 0.0, 0.0, 0.0], [1.0, 3.0, 0.0, 0.0], [0.0, 1.5, 1.5, 1.0], [0.5, 0.0, 0.0, 1.0]]
        assertThat(m4w.weights()).isEqualTo(new double[][] {{6, 0, 0, 0}, {1, 3, 0, 0}, {0, 1.5, 1.5, 1}, {0.5, 0, 0, 1}});
        assertThat(m4w.counts()).isEqualTo(m4Counts);
        assertThat(m4w.weighted()).isTrue();
        // BW confusion_matrix = [[4.5, 3.0], [4.0, 2.0]]
        assertThat(Metrics.confusionMatrix(Predictions.of(YB, binaryRows(PB1)).withWeights(WB)).weights())
                .isEqualTo(new double[][] {{4.5, 3}, {4, 2}});
        // E confusion_matrix = [[2, 0, 0, 1], [0, 2, 0, 1], [1, 0, 0, 1], [0, 0, 0, 0]]
        assertThat(Metrics.confusionMatrix(Predictions.of(YE, PE)).counts())
                .isEqualTo(new int[][] {{2, 0, 0, 1}, {0, 2, 0, 1}, {1, 0, 0, 1}, {0, 0, 0, 0}});
    }

    private static void check(Predictions p, Object[][] expected) {
        for (Object[] row : expected) {
            Metric metric = (Metric) row[0];
            assertThat(metric.compute(p)).as(metric.name()).isCloseTo((Double) row[1], within(TOLERANCE));
        }
    }

    private static final Object[][] M4_EXPECTED = {
            {Metrics.accuracy(), 0.6666666666666666}, // accuracy_score
            {Metrics.balancedAccuracy(), 0.6666666666666666}, // balanced_accuracy_score
            {Metrics.precision(Average.MACRO), 0.6916666666666667}, // precision_score(average="macro", zero_division=0)
            {Metrics.recall(Average.MACRO), 0.6666666666666666}, // recall_score(average="macro", zero_division=0)
            {Metrics.f1(Average.MACRO), 0.6458333333333333}, // f1_score(average="macro", zero_division=0)
            {Metrics.precision(Average.MICRO), 0.6666666666666666}, // precision_score(average="micro", zero_division=0)
            {Metrics.recall(Average.MICRO), 0.6666666666666666}, // recall_score(average="micro", zero_division=0)
            {Metrics.f1(Average.MICRO), 0.6666666666666666}, // f1_score(average="micro", zero_division=0)
            {Metrics.precision(Average.WEIGHTED), 0.7333333333333334}, // precision_score(average="weighted", zero_division=0)
            {Metrics.recall(Average.WEIGHTED), 0.6666666666666666}, // recall_score(average="weighted", zero_division=0)
            {Metrics.f1(Average.WEIGHTED), 0.6597222222222222}, // f1_score(average="weighted", zero_division=0)
            {Metrics.precisionOfClass(0), 0.6}, // precision_score(labels=[0], average=None, zero_division=0)
            {Metrics.recallOfClass(0), 1.0}, // recall_score(labels=[0], average=None, zero_division=0)
            {Metrics.f1OfClass(0), 0.7499999999999999}, // f1_score(labels=[0], average=None, zero_division=0)
            {Metrics.precisionOfClass(1), 0.6666666666666666}, // precision_score(labels=[1], average=None, zero_division=0)
            {Metrics.recallOfClass(1), 0.6666666666666666}, // recall_score(labels=[1], average=None, zero_division=0)
            {Metrics.f1OfClass(1), 0.6666666666666666}, // f1_score(labels=[1], average=None, zero_division=0)
            {Metrics.precisionOfClass(2), 1.0}, // precision_score(labels=[2], average=None, zero_division=0)
            {Metrics.recallOfClass(2), 0.5}, // recall_score(labels=[2], average=None, zero_division=0)
            {Metrics.f1OfClass(2), 0.6666666666666666}, // f1_score(labels=[2], average=None, zero_division=0)
            {Metrics.precisionOfClass(3), 0.5}, // precision_score(labels=[3], average=None, zero_division=0)
            {Metrics.recallOfClass(3), 0.5}, // recall_score(labels=[3], average=None, zero_division=0)
            {Metrics.f1OfClass(3), 0.5}, // f1_score(labels=[3], average=None, zero_division=0)
            {Metrics.logLoss(), 0.9861217801910906}, // log_loss(labels=range(k))
            {Metrics.brierScoreMulticlass(), 0.5258333333333333}, // numpy, Brier 1950
            {Metrics.expectedCalibrationError(), 0.2625}, // numpy, 15 bins
            {Metrics.maximumCalibrationError(), 0.4}, // numpy, 15 bins
            {Metrics.expectedCalibrationError(4), 0.26249999999999996}, // numpy, 4 bins
            {Metrics.maximumCalibrationError(4), 0.3666666666666667}, // numpy, 4 bins
            {Metrics.topKAccuracy(2), 0.9166666666666666}, // top_k_accuracy_score(k=2, labels=range(4))
            {Metrics.topKAccuracy(3), 1.0}, // top_k_accuracy_score(k=3, labels=range(4))
            {Metrics.rocAucOvr(), 0.8524305555555556}, // roc_auc_score(multi_class="ovr")
            {Metrics.rocAucOvr(), 0.8524305555555556}, // mean of roc_auc_score(y == c, p[:, c]) over classes in y
            {Metrics.rocAucOvrWeighted(), 0.8472222222222222}, // roc_auc_score(multi_class="ovr", average="weighted")
            {Metrics.averagePrecisionOvr(), 0.7032828282828283}, // mean of average_precision_score(y == c, p[:, c]) over classes in y
            {Metrics.averagePrecisionOvr(), 0.7032828282828283}, // average_precision_score(one-hot y, average="macro")
    };
    private static final Object[][] M4W_EXPECTED = {
            {Metrics.accuracy(), 0.7419354838709677}, // accuracy_score
            {Metrics.balancedAccuracy(), 0.6979166666666666}, // balanced_accuracy_score
            {Metrics.precision(Average.MACRO), 0.7416666666666667}, // precision_score(average="macro", zero_division=0)
            {Metrics.recall(Average.MACRO), 0.6979166666666666}, // recall_score(average="macro", zero_division=0)
            {Metrics.f1(Average.MACRO), 0.6779135896782956}, // f1_score(average="macro", zero_division=0)
            {Metrics.precision(Average.MICRO), 0.7419354838709677}, // precision_score(average="micro", zero_division=0)
            {Metrics.recall(Average.MICRO), 0.7419354838709677}, // recall_score(average="micro", zero_division=0)
            {Metrics.f1(Average.MICRO), 0.7419354838709677}, // f1_score(average="micro", zero_division=0)
            {Metrics.precision(Average.WEIGHTED), 0.7881720430107527}, // precision_score(average="weighted", zero_division=0)
            {Metrics.recall(Average.WEIGHTED), 0.7419354838709677}, // recall_score(average="weighted", zero_division=0)
            {Metrics.f1(Average.WEIGHTED), 0.7223112118747793}, // f1_score(average="weighted", zero_division=0)
            {Metrics.precisionOfClass(0), 0.8}, // precision_score(labels=[0], average=None, zero_division=0)
            {Metrics.recallOfClass(0), 1.0}, // recall_score(labels=[0], average=None, zero_division=0)
            {Metrics.f1OfClass(0), 0.888888888888889}, // f1_score(labels=[0], average=None, zero_division=0)
            {Metrics.precisionOfClass(1), 0.6666666666666666}, // precision_score(labels=[1], average=None, zero_division=0)
            {Metrics.recallOfClass(1), 0.75}, // recall_score(labels=[1], average=None, zero_division=0)
            {Metrics.f1OfClass(1), 0.7058823529411765}, // f1_score(labels=[1], average=None, zero_division=0)
            {Metrics.precisionOfClass(2), 1.0}, // precision_score(labels=[2], average=None, zero_division=0)
            {Metrics.recallOfClass(2), 0.375}, // recall_score(labels=[2], average=None, zero_division=0)
            {Metrics.f1OfClass(2), 0.5454545454545454}, // f1_score(labels=[2], average=None, zero_division=0)
            {Metrics.precisionOfClass(3), 0.5}, // precision_score(labels=[3], average=None, zero_division=0)
            {Metrics.recallOfClass(3), 0.6666666666666666}, // recall_score(labels=[3], average=None, zero_division=0)
            {Metrics.f1OfClass(3), 0.5714285714285715}, // f1_score(labels=[3], average=None, zero_division=0)
            {Metrics.logLoss(), 0.9564725064387091}, // log_loss(labels=range(k))
            {Metrics.brierScoreMulticlass(), 0.5074193548387097}, // numpy, Brier 1950
            {Metrics.expectedCalibrationError(), 0.3435483870967742}, // numpy, 15 bins
            {Metrics.maximumCalibrationError(), 0.4}, // numpy, 15 bins
            {Metrics.expectedCalibrationError(4), 0.3112903225806452}, // numpy, 4 bins
            {Metrics.maximumCalibrationError(4), 0.3800000000000001}, // numpy, 4 bins
            {Metrics.topKAccuracy(2), 0.9354838709677419}, // top_k_accuracy_score(k=2, labels=range(4))
            {Metrics.topKAccuracy(3), 1.0}, // top_k_accuracy_score(k=3, labels=range(4))
            {Metrics.rocAucOvr(), 0.881459763539283}, // roc_auc_score(multi_class="ovr")
            {Metrics.rocAucOvr(), 0.881459763539283}, // mean of roc_auc_score(y == c, p[:, c]) over classes in y
            {Metrics.rocAucOvrWeighted(), 0.8820218498560567}, // roc_auc_score(multi_class="ovr", average="weighted")
            {Metrics.averagePrecisionOvr(), 0.7123280423280424}, // mean of average_precision_score(y == c, p[:, c]) over classes in y
            {Metrics.averagePrecisionOvr(), 0.7123280423280424}, // average_precision_score(one-hot y, average="macro")
    };
    private static final Object[][] B_EXPECTED = {
            {Metrics.accuracy(), 0.6}, // accuracy_score
            {Metrics.balancedAccuracy(), 0.6000000000000001}, // balanced_accuracy_score
            {Metrics.precision(Average.MACRO), 0.6190476190476191}, // precision_score(average="macro", zero_division=0)
            {Metrics.recall(Average.MACRO), 0.6000000000000001}, // recall_score(average="macro", zero_division=0)
            {Metrics.f1(Average.MACRO), 0.5833333333333333}, // f1_score(average="macro", zero_division=0)
            {Metrics.precision(Average.MICRO), 0.6}, // precision_score(average="micro", zero_division=0)
            {Metrics.recall(Average.MICRO), 0.6}, // recall_score(average="micro", zero_division=0)
            {Metrics.f1(Average.MICRO), 0.6}, // f1_score(average="micro", zero_division=0)
            {Metrics.precision(Average.WEIGHTED), 0.619047619047619}, // precision_score(average="weighted", zero_division=0)
            {Metrics.recall(Average.WEIGHTED), 0.6}, // recall_score(average="weighted", zero_division=0)
            {Metrics.f1(Average.WEIGHTED), 0.5833333333333333}, // f1_score(average="weighted", zero_division=0)
            {Metrics.precisionOfClass(0), 0.5714285714285714}, // precision_score(labels=[0], average=None, zero_division=0)
            {Metrics.recallOfClass(0), 0.8}, // recall_score(labels=[0], average=None, zero_division=0)
            {Metrics.f1OfClass(0), 0.6666666666666666}, // f1_score(labels=[0], average=None, zero_division=0)
            {Metrics.precisionOfClass(1), 0.6666666666666666}, // precision_score(labels=[1], average=None, zero_division=0)
            {Metrics.recallOfClass(1), 0.4}, // recall_score(labels=[1], average=None, zero_division=0)
            {Metrics.f1OfClass(1), 0.5}, // f1_score(labels=[1], average=None, zero_division=0)
            {Metrics.logLoss(), 0.5254210150282986}, // log_loss(labels=range(k))
            {Metrics.brierScoreMulticlass(), 0.3625}, // numpy, Brier 1950
            {Metrics.expectedCalibrationError(), 0.215}, // numpy, 15 bins
            {Metrics.maximumCalibrationError(), 0.65}, // numpy, 15 bins
            {Metrics.expectedCalibrationError(4), 0.215}, // numpy, 4 bins
            {Metrics.maximumCalibrationError(4), 0.5}, // numpy, 4 bins
            {Metrics.rocAuc(), 0.76}, // roc_auc_score(y, p[:, 1])
            {Metrics.averagePrecision(), 0.7892857142857144}, // average_precision_score(y, p[:, 1])
            {Metrics.brierScore(), 0.18125}, // brier_score_loss(y, p[:, 1])
    };
    private static final Object[][] BW_EXPECTED = {
            {Metrics.accuracy(), 0.48148148148148145}, // accuracy_score
            {Metrics.balancedAccuracy(), 0.4666666666666667}, // balanced_accuracy_score
            {Metrics.precision(Average.MACRO), 0.4647058823529412}, // precision_score(average="macro", zero_division=0)
            {Metrics.recall(Average.MACRO), 0.4666666666666667}, // recall_score(average="macro", zero_division=0)
            {Metrics.f1(Average.MACRO), 0.46306818181818177}, // f1_score(average="macro", zero_division=0)
            {Metrics.precision(Average.MICRO), 0.48148148148148145}, // precision_score(average="micro", zero_division=0)
            {Metrics.recall(Average.MICRO), 0.48148148148148145}, // recall_score(average="micro", zero_division=0)
            {Metrics.f1(Average.MICRO), 0.48148148148148145}, // f1_score(average="micro", zero_division=0)
            {Metrics.precision(Average.WEIGHTED), 0.47189542483660135}, // precision_score(average="weighted", zero_division=0)
            {Metrics.recall(Average.WEIGHTED), 0.48148148148148145}, // recall_score(average="weighted", zero_division=0)
            {Metrics.f1(Average.WEIGHTED), 0.4741161616161616}, // f1_score(average="weighted", zero_division=0)
            {Metrics.precisionOfClass(0), 0.5294117647058824}, // precision_score(labels=[0], average=None, zero_division=0)
            {Metrics.recallOfClass(0), 0.6}, // recall_score(labels=[0], average=None, zero_division=0)
            {Metrics.f1OfClass(0), 0.5625}, // f1_score(labels=[0], average=None, zero_division=0)
            {Metrics.precisionOfClass(1), 0.4}, // precision_score(labels=[1], average=None, zero_division=0)
            {Metrics.recallOfClass(1), 0.3333333333333333}, // recall_score(labels=[1], average=None, zero_division=0)
            {Metrics.f1OfClass(1), 0.3636363636363636}, // f1_score(labels=[1], average=None, zero_division=0)
            {Metrics.logLoss(), 0.6003218131823103}, // log_loss(labels=range(k))
            {Metrics.brierScoreMulticlass(), 0.4318518518518519}, // numpy, Brier 1950
            {Metrics.expectedCalibrationError(), 0.3259259259259259}, // numpy, 15 bins
            {Metrics.maximumCalibrationError(), 0.65}, // numpy, 15 bins
            {Metrics.expectedCalibrationError(4), 0.32592592592592584}, // numpy, 4 bins
            {Metrics.maximumCalibrationError(4), 0.5}, // numpy, 4 bins
            {Metrics.rocAuc(), 0.6499999999999999}, // roc_auc_score(y, p[:, 1])
            {Metrics.averagePrecision(), 0.6855742296918768}, // average_precision_score(y, p[:, 1])
            {Metrics.brierScore(), 0.21592592592592594}, // brier_score_loss(y, p[:, 1])
    };
    private static final Object[][] E_EXPECTED = {
            {Metrics.accuracy(), 0.5}, // accuracy_score
            {Metrics.balancedAccuracy(), 0.4444444444444444}, // balanced_accuracy_score
            {Metrics.precision(Average.MACRO), 0.41666666666666663}, // precision_score(average="macro", zero_division=0)
            {Metrics.recall(Average.MACRO), 0.3333333333333333}, // recall_score(average="macro", zero_division=0)
            {Metrics.f1(Average.MACRO), 0.3666666666666667}, // f1_score(average="macro", zero_division=0)
            {Metrics.precision(Average.MICRO), 0.5}, // precision_score(average="micro", zero_division=0)
            {Metrics.recall(Average.MICRO), 0.5}, // recall_score(average="micro", zero_division=0)
            {Metrics.f1(Average.MICRO), 0.5}, // f1_score(average="micro", zero_division=0)
            {Metrics.precision(Average.WEIGHTED), 0.625}, // precision_score(average="weighted", zero_division=0)
            {Metrics.recall(Average.WEIGHTED), 0.5}, // recall_score(average="weighted", zero_division=0)
            {Metrics.f1(Average.WEIGHTED), 0.55}, // f1_score(average="weighted", zero_division=0)
            {Metrics.precisionOfClass(0), 0.6666666666666666}, // precision_score(labels=[0], average=None, zero_division=0)
            {Metrics.recallOfClass(0), 0.6666666666666666}, // recall_score(labels=[0], average=None, zero_division=0)
            {Metrics.f1OfClass(0), 0.6666666666666666}, // f1_score(labels=[0], average=None, zero_division=0)
            {Metrics.precisionOfClass(1), 1.0}, // precision_score(labels=[1], average=None, zero_division=0)
            {Metrics.recallOfClass(1), 0.6666666666666666}, // recall_score(labels=[1], average=None, zero_division=0)
            {Metrics.f1OfClass(1), 0.8}, // f1_score(labels=[1], average=None, zero_division=0)
            {Metrics.precisionOfClass(2), 0.0}, // precision_score(labels=[2], average=None, zero_division=0)
            {Metrics.recallOfClass(2), 0.0}, // recall_score(labels=[2], average=None, zero_division=0)
            {Metrics.f1OfClass(2), 0.0}, // f1_score(labels=[2], average=None, zero_division=0)
            {Metrics.precisionOfClass(3), 0.0}, // precision_score(labels=[3], average=None, zero_division=0)
            {Metrics.recallOfClass(3), 0.0}, // recall_score(labels=[3], average=None, zero_division=0)
            {Metrics.f1OfClass(3), 0.0}, // f1_score(labels=[3], average=None, zero_division=0)
            {Metrics.logLoss(), 1.0636531277208825}, // log_loss(labels=range(k))
            {Metrics.brierScoreMulticlass(), 0.5775000000000001}, // numpy, Brier 1950
            {Metrics.expectedCalibrationError(), 0.1625}, // numpy, 15 bins
            {Metrics.maximumCalibrationError(), 0.4}, // numpy, 15 bins
            {Metrics.expectedCalibrationError(4), 0.16250000000000003}, // numpy, 4 bins
            {Metrics.maximumCalibrationError(4), 0.3500000000000001}, // numpy, 4 bins
            {Metrics.topKAccuracy(2), 0.625}, // top_k_accuracy_score(k=2, labels=range(4))
            {Metrics.topKAccuracy(3), 1.0}, // top_k_accuracy_score(k=3, labels=range(4))
            {Metrics.rocAucOvr(), 0.8305555555555554}, // mean of roc_auc_score(y == c, p[:, c]) over classes in y
            // numpy average of roc_auc_score(y == c, p[:, c]) over classes in y, weighted by their share of y
            // (scikit-learn's average="weighted" gives an absent class weight 0, but refuses the input)
            {Metrics.rocAucOvrWeighted(), 0.8354166666666667},
            {Metrics.averagePrecisionOvr(), 0.7055555555555556}, // mean of average_precision_score(y == c, p[:, c]) over classes in y
    };
}
