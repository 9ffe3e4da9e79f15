package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Predictions;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The (actual, predicted) class pairs of some predictions, two ways: row {@code a}, column {@code p}
 * of {@link #counts()} holds how many examples of class {@code a} were predicted as class {@code p};
 * the same cell of {@link #weights()} holds the sum of those examples' weights, what scikit-learn's
 * {@code confusion_matrix(y, predicted, sample_weight=w)} gives. Without example weights (every weight
 * 1) the two hold the same numbers. The diagonal holds the correct predictions. Immutable; made by
 * {@link Metrics#confusionMatrix(Predictions)}.
 *
 * <pre>{@code
 * ConfusionMatrix m = Metrics.confusionMatrix(test.withWeights(weights));
 * int examples = m.count(1, 0);     // examples of class 1 predicted as class 0
 * double weight = m.weight(1, 0);   // their summed weight: what the weighted metrics count
 * }</pre>
 */
public final class ConfusionMatrix {
    private final int[][] counts;
    private final double[][] weights;
    private final boolean weighted;
    private final int total;

    private ConfusionMatrix(int[][] counts, double[][] weights, boolean weighted) {
        this.counts = counts;
        this.weights = weights;
        this.weighted = weighted;
        int sum = 0;
        for (int[] row : counts) {
            for (int v : row) {
                sum += v;
            }
        }
        this.total = sum;
    }

    static ConfusionMatrix of(Predictions predictions) {
        requireNonNull(predictions, "predictions");
        int k = predictions.numClasses();
        int[][] counts = new int[k][k];
        double[][] weights = new double[k][k];
        for (int i = 0; i < predictions.size(); i++) {
            counts[predictions.actual(i)][predictions.predicted(i)]++;
            weights[predictions.actual(i)][predictions.predicted(i)] += predictions.weight(i);
        }
        return new ConfusionMatrix(counts, weights, predictions.weighted());
    }

    /** The number of classes: the matrix is {@code numClasses x numClasses}. */
    public int numClasses() {
        return counts.length;
    }

    /**
     * Whether the predictions carried example weights ({@link Predictions#weighted()}, even if all are
     * 1): then {@link #weights()} is the matrix the metrics count, and reports show it.
     */
    public boolean weighted() {
        return weighted;
    }

    /**
     * How many examples of class {@code actual} were predicted as class {@code predicted}, whatever
     * their weights.
     *
     * @param actual the actual class: the row
     * @param predicted the predicted class: the column
     * @return the count of that cell
     * @throws IllegalArgumentException when a class is outside {@code [0, numClasses)}
     */
    public int count(int actual, int predicted) {
        checkClass(actual, "actual");
        checkClass(predicted, "predicted");
        return counts[actual][predicted];
    }

    /**
     * The summed weight of the examples of class {@code actual} predicted as class {@code predicted};
     * their number when the predictions carry no weights.
     *
     * @param actual the actual class: the row
     * @param predicted the predicted class: the column
     * @return the weight of that cell
     * @throws IllegalArgumentException when a class is outside {@code [0, numClasses)}
     */
    public double weight(int actual, int predicted) {
        checkClass(actual, "actual");
        checkClass(predicted, "predicted");
        return weights[actual][predicted];
    }

    /** The number of examples counted (the sum of all cells of {@link #counts()}). */
    public int total() {
        return total;
    }

    /** The summed weight of all examples (the sum of all cells of {@link #weights()}). */
    public double totalWeight() {
        double sum = 0;
        for (double[] row : weights) {
            for (double v : row) {
                sum += v;
            }
        }
        return sum;
    }

    /** The number of correct predictions (the sum of the diagonal of {@link #counts()}). */
    public int correct() {
        int sum = 0;
        for (int c = 0; c < counts.length; c++) {
            sum += counts[c][c];
        }
        return sum;
    }

    /** A copy of the counts of examples, {@code [actual][predicted]}; example weights are not applied. */
    public int[][] counts() {
        int[][] copy = new int[counts.length][];
        for (int a = 0; a < counts.length; a++) {
            copy[a] = counts[a].clone();
        }
        return copy;
    }

    /**
     * A copy of the summed example weights, {@code [actual][predicted]}: scikit-learn's
     * {@code confusion_matrix(y, predicted, labels=range(numClasses), sample_weight=w)}. Equal to
     * {@link #counts()} when the predictions carry no weights.
     */
    public double[][] weights() {
        double[][] copy = new double[weights.length][];
        for (int a = 0; a < weights.length; a++) {
            copy[a] = weights[a].clone();
        }
        return copy;
    }

    private void checkClass(int c, String what) {
        if (c < 0 || c >= counts.length) {
            throw new IllegalArgumentException(what + " class " + c + " is outside [0, " + counts.length
                    + "); use a class index 0.." + (counts.length - 1));
        }
    }

    /** Equal when the counts, the weights and whether the predictions were weighted are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix other && weighted == other.weighted
                && Arrays.deepEquals(counts, other.counts) && Arrays.deepEquals(weights, other.weights);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.deepHashCode(counts) + Arrays.deepHashCode(weights)) + Boolean.hashCode(weighted);
    }

    /**
     * The matrix as an aligned table, one line per actual class, for logs and reports: the counts
     * without example weights,
     * <pre>
     * actual\predicted  0  1  2
     *                0  5  0  1
     *                1  0  3  0
     *                2  1  0  4
     * </pre>
     * and with them the {@linkplain #weights() weights} (to 4 decimals), under the line
     * {@code sums of example weights}.
     */
    @Override
    public String toString() {
        int k = counts.length;
        String[][] cells = new String[k][k];
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                cells[a][p] = weighted ? number(weights[a][p]) : String.valueOf(counts[a][p]);
            }
        }
        String corner = "actual\\predicted";
        int cell = String.valueOf(k - 1).length();
        for (String[] row : cells) {
            for (String v : row) {
                cell = Math.max(cell, v.length());
            }
        }
        int first = Math.max(corner.length(), String.valueOf(k - 1).length());
        StringBuilder s = new StringBuilder();
        if (weighted) {
            s.append("sums of example weights\n");
        }
        s.append(pad(corner, first));
        for (int p = 0; p < k; p++) {
            s.append("  ").append(pad(String.valueOf(p), cell));
        }
        for (int a = 0; a < k; a++) {
            s.append('\n').append(pad(String.valueOf(a), first));
            for (int p = 0; p < k; p++) {
                s.append("  ").append(pad(cells[a][p], cell));
            }
        }
        return s.toString();
    }

    /** A cell's weight to at most 4 decimals, without trailing zeros: {@code 3}, {@code 0.5}, {@code 0.3333}. */
    static String number(double v) {
        return new BigDecimal(v).setScale(4, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static String pad(String text, int width) {
        return " ".repeat(Math.max(0, width - text.length())) + text;
    }
}
