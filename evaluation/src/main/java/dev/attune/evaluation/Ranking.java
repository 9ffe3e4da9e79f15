package dev.attune.evaluation;

import dev.attune.Predictions;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Binary ranking scores (ROC-AUC, average precision) of one class against the rest, computed as
 * scikit-learn's {@code roc_auc_score} and {@code average_precision_score}: one point of the curve per
 * distinct score, so tied examples move together (a tie between a positive and a negative counts
 * half in the AUC); examples of weight 0 are left out.
 */
final class Ranking {
    private final double[] falsePositives;
    private final double[] truePositives;

    private Ranking(double[] falsePositives, double[] truePositives) {
        this.falsePositives = falsePositives;
        this.truePositives = truePositives;
    }

    /** The curve of class {@code positive} scored by its probability, against every other class. */
    static Ranking of(Predictions p, int positive) {
        Integer[] order = new Integer[p.size()];
        int n = 0;
        for (int i = 0; i < p.size(); i++) {
            if (p.weight(i) > 0) {
                order[n++] = i;
            }
        }
        Integer[] kept = Arrays.copyOf(order, n);
        Arrays.sort(kept, Comparator.comparingDouble((Integer i) -> p.probability(i, positive)).reversed());
        double[] fps = new double[n];
        double[] tps = new double[n];
        int points = 0;
        double fp = 0;
        double tp = 0;
        for (int j = 0; j < n; j++) {
            int i = kept[j];
            if (p.actual(i) == positive) {
                tp += p.weight(i);
            } else {
                fp += p.weight(i);
            }
            boolean lastOfTie = j == n - 1 || p.probability(kept[j + 1], positive) != p.probability(i, positive);
            if (lastOfTie) {
                fps[points] = fp;
                tps[points] = tp;
                points++;
            }
        }
        return new Ranking(Arrays.copyOf(fps, points), Arrays.copyOf(tps, points));
    }

    boolean hasPositives() {
        return truePositives.length > 0 && truePositives[truePositives.length - 1] > 0;
    }

    /** The summed weight of the positive examples: the class's prevalence, as scikit-learn weighs it. */
    double positiveWeight() {
        return truePositives.length == 0 ? 0 : truePositives[truePositives.length - 1];
    }

    boolean hasNegatives() {
        return falsePositives.length > 0 && falsePositives[falsePositives.length - 1] > 0;
    }

    /** The area under the ROC curve by the trapezoidal rule; needs positives and negatives. */
    double rocAuc() {
        double fpTotal = falsePositives[falsePositives.length - 1];
        double tpTotal = truePositives[truePositives.length - 1];
        double area = 0;
        double x = 0;
        double y = 0;
        for (int j = 0; j < falsePositives.length; j++) {
            double nextX = falsePositives[j] / fpTotal;
            double nextY = truePositives[j] / tpTotal;
            area += (nextX - x) * (nextY + y) / 2;
            x = nextX;
            y = nextY;
        }
        return area;
    }

    /** The sum over thresholds of the recall gained times the precision there; needs positives. */
    double averagePrecision() {
        double tpTotal = truePositives[truePositives.length - 1];
        double sum = 0;
        double recall = 0;
        for (int j = 0; j < truePositives.length; j++) {
            double nextRecall = truePositives[j] / tpTotal;
            double precision = truePositives[j] / (truePositives[j] + falsePositives[j]);
            sum += (nextRecall - recall) * precision;
            recall = nextRecall;
        }
        return sum;
    }
}
