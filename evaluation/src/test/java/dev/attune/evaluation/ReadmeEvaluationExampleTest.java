package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Predictions;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Compiles and runs the README's evaluation example, and checks that the README still shows this code. */
class ReadmeEvaluationExampleTest {
    @Test
    void theReadmeEvaluationExampleRuns() {
        // 90 examples of 3 classes; the model is right on 70 of them, the baseline on 60.
        int n = 90;
        int[] labels = new int[n];
        double[][] probabilities = new double[n][];
        double[][] baselineProbabilities = new double[n][];
        String[] region = new String[n];
        int[] ageBand = new int[n];
        int[] binaryLabels = new int[n];
        double[][] binaryProbabilities = new double[n][];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            probabilities[i] = row(i < 70 ? labels[i] : (labels[i] + 1) % 3, 0.5 + (i % 5) / 10.0);
            baselineProbabilities[i] = row(i < 60 ? labels[i] : (labels[i] + 2) % 3, 0.6);
            region[i] = i % 2 == 0 ? "north" : "south";
            ageBand[i] = i % 4 < 2 ? 1 : 2;
            binaryLabels[i] = i % 2;
            double p = i % 3 == 0 ? 0.8 : 0.3;
            binaryProbabilities[i] = new double[] {1 - p, p};
        }
        Predictions baselineTest = Predictions.of(labels, baselineProbabilities);
        Predictions binaryTest = Predictions.of(binaryLabels, binaryProbabilities);

        // README example: begin
        Predictions test = Predictions.of(labels, probabilities);      // or result.predict(testSet)
        double auc = test.score(Metrics.rocAucOvr());                   // scikit-learn's definitions, to 1e-9
        ConfidenceInterval f1 = Bootstrap.of(Metrics.f1Macro()).resamples(1000).seed(1).interval(test, 0.95);
        ReliabilityDiagram calibration = Metrics.reliability(test, 15); // per bin: count, mean confidence, accuracy
        PairedComparison gain = Bootstrap.of(Metrics.accuracy()).compare(test, baselineTest, 0.95);
        McNemar mcnemar = McNemar.exact(test, baselineTest);            // exact binomial p-value
        GroupTable perGroup = Groups.of(region).and(Groups.of(ageBand)).table(Metrics.recall(Average.MACRO), test);
        FairnessCheck parity = Fairness.of(binaryTest, Groups.of(region))
                .check(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.8); // PASS, WARN or FAIL
        // README example: end

        assertThat(auc).isBetween(0.5, 1.0);
        assertThat(f1.lower()).isLessThan(f1.estimate());
        assertThat(f1.upper()).isGreaterThan(f1.estimate());
        assertThat(calibration.bins()).hasSize(15);
        assertThat(gain.difference()).isCloseTo(10.0 / 90, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(mcnemar.firstOnlyRight() - mcnemar.secondOnlyRight()).isEqualTo(10);
        assertThat(perGroup.rows()).hasSize(4);
        assertThat(parity.verdict()).isNotNull();
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeEvaluationExampleTest.class);
    }

    private static double[] row(int predicted, double confidence) {
        double[] r = new double[3];
        java.util.Arrays.fill(r, (1 - confidence) / 2);
        r[predicted] = confidence;
        return r;
    }

}
