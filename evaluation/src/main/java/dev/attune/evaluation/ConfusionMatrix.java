package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Predictions;
import java.util.Arrays;

/**
 * Counts of (actual, predicted) class pairs: row {@code a}, column {@code p} holds how many examples
 * of class {@code a} were predicted as class {@code p}. The diagonal holds the correct predictions.
 * Immutable; made by {@link Metrics#confusionMatrix(Predictions)}.
 */
public final class ConfusionMatrix {
    private final int[][] counts;
    private final int total;

    private ConfusionMatrix(int[][] counts) {
        this.counts = counts;
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
        for (int i = 0; i < predictions.size(); i++) {
            counts[predictions.actual(i)][predictions.predicted(i)]++;
        }
        return new ConfusionMatrix(counts);
    }

    /** The number of classes: the matrix is {@code numClasses x numClasses}. */
    public int numClasses() {
        return counts.length;
    }

    /**
     * How many examples of class {@code actual} were predicted as class {@code predicted}.
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

    /** The number of examples counted (the sum of all cells). */
    public int total() {
        return total;
    }

    /** The number of correct predictions (the sum of the diagonal). */
    public int correct() {
        int sum = 0;
        for (int c = 0; c < counts.length; c++) {
            sum += counts[c][c];
        }
        return sum;
    }

    /** A copy of the counts, {@code [actual][predicted]}. */
    public int[][] counts() {
        int[][] copy = new int[counts.length][];
        for (int a = 0; a < counts.length; a++) {
            copy[a] = counts[a].clone();
        }
        return copy;
    }

    private void checkClass(int c, String what) {
        if (c < 0 || c >= counts.length) {
            throw new IllegalArgumentException(what + " class " + c + " is outside [0, " + counts.length
                    + "); use a class index 0.." + (counts.length - 1));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix other && Arrays.deepEquals(counts, other.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }

    /**
     * The matrix as an aligned table, one line per actual class, for logs and reports:
     * <pre>
     * actual\predicted  0  1  2
     *                0  5  0  1
     *                1  0  3  0
     *                2  1  0  4
     * </pre>
     */
    @Override
    public String toString() {
        String corner = "actual\\predicted";
        int cell = String.valueOf(counts.length - 1).length();
        for (int[] row : counts) {
            for (int v : row) {
                cell = Math.max(cell, String.valueOf(v).length());
            }
        }
        int first = Math.max(corner.length(), String.valueOf(counts.length - 1).length());
        StringBuilder s = new StringBuilder();
        s.append(pad(corner, first));
        for (int p = 0; p < counts.length; p++) {
            s.append("  ").append(pad(String.valueOf(p), cell));
        }
        for (int a = 0; a < counts.length; a++) {
            s.append('\n').append(pad(String.valueOf(a), first));
            for (int p = 0; p < counts.length; p++) {
                s.append("  ").append(pad(String.valueOf(counts[a][p]), cell));
            }
        }
        return s.toString();
    }

    private static String pad(String text, int width) {
        return " ".repeat(Math.max(0, width - text.length())) + text;
    }
}
