package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;

/**
 * The built-in classification metrics and the confusion matrix. Each metric is stateless, immutable
 * and safe to share between threads.
 *
 * <pre>{@code
 * double f1 = predictions.score(Metrics.f1Macro());
 * System.out.println(Metrics.confusionMatrix(predictions));
 * }</pre>
 */
public final class Metrics {
    private static final Metric ACCURACY = new Accuracy();
    private static final Metric F1_MACRO = new F1Macro();

    private Metrics() {
    }

    /**
     * The share of examples whose predicted class (the most probable) is the actual class, in
     * {@code [0, 1]}. Named {@code "accuracy"}; higher is better.
     */
    public static Metric accuracy() {
        return ACCURACY;
    }

    /**
     * The unweighted mean of the per-class F1 scores, in {@code [0, 1]}, exactly as scikit-learn's
     * {@code f1_score(y_true, y_pred, average="macro")} with its defaults. Named {@code "f1_macro"};
     * higher is better.
     *
     * <p>The mean runs over the classes that occur among the actual or the predicted classes; a class
     * of the task that occurs in neither does not count. The F1 of class {@code c} is
     * {@code 2TP / (2TP + FP + FN)}; a class that is never predicted therefore scores 0 (scikit-learn
     * warns and gives 0 in that case too).
     */
    public static Metric f1Macro() {
        return F1_MACRO;
    }

    /**
     * The counts of (actual, predicted) class pairs of the predictions.
     *
     * @param predictions the predictions to count
     * @return an immutable {@code numClasses x numClasses} matrix, rows actual, columns predicted
     */
    public static ConfusionMatrix confusionMatrix(Predictions predictions) {
        return ConfusionMatrix.of(predictions);
    }

    private static final class Accuracy implements Metric {
        @Override
        public String name() {
            return "accuracy";
        }

        @Override
        public double compute(Predictions predictions) {
            requireNonNull(predictions, "predictions");
            int correct = 0;
            for (int i = 0; i < predictions.size(); i++) {
                if (predictions.actual(i) == predictions.predicted(i)) {
                    correct++;
                }
            }
            return (double) correct / predictions.size();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class F1Macro implements Metric {
        @Override
        public String name() {
            return "f1_macro";
        }

        @Override
        public double compute(Predictions predictions) {
            int[][] m = ConfusionMatrix.of(predictions).counts();
            int k = m.length;
            int[] actualTotals = new int[k];
            int[] predictedTotals = new int[k];
            for (int a = 0; a < k; a++) {
                for (int p = 0; p < k; p++) {
                    actualTotals[a] += m[a][p];
                    predictedTotals[p] += m[a][p];
                }
            }
            double sum = 0;
            int present = 0;
            for (int c = 0; c < k; c++) {
                // scikit-learn's labels=None: only classes seen in y_true or y_pred take part.
                if (actualTotals[c] == 0 && predictedTotals[c] == 0) {
                    continue;
                }
                present++;
                int tp = m[c][c];
                int fp = predictedTotals[c] - tp;
                int fn = actualTotals[c] - tp;
                int denominator = 2 * tp + fp + fn;
                sum += denominator == 0 ? 0 : 2.0 * tp / denominator;
            }
            // Predictions are never empty, so at least one class is present.
            return sum / present;
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
