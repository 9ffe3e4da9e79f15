package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

/**
 * The predicted-class distribution of rows of class probabilities and their mean confidence: what
 * prediction drift compares. The predicted class of a row is its most probable (the lowest index
 * among ties, as {@link dev.attune.Predictions#predicted(int)}), its confidence that probability.
 */
final class ClassShares {
    private ClassShares() {
    }

    /** Checks one row of probabilities: {@code classes} values, finite, in [0, 1], summing to 1 within 1e-3. */
    static void check(double[] row, int i, int classes, String what) {
        if (row == null) {
            throw new NullPointerException(what + " probability row " + i + " is null");
        }
        if (row.length != classes) {
            throw new IllegalArgumentException(what + " probability row " + i + " has " + row.length
                    + " classes but " + (i == 0 ? "the reference's predictions have " : "row 0 has ") + classes
                    + "; give one probability per class, from the same model");
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            double p = row[c];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(what + " probability row " + i + " holds " + p + " for class " + c
                        + "; probabilities must be in [0, 1]: pass the model's softmax output");
            }
            sum += p;
        }
        if (Math.abs(sum - 1) > 1e-3) {
            throw new IllegalArgumentException(what + " probability row " + i + " sums to " + sum
                    + ", not 1; pass the model's softmax output");
        }
    }

    /** The most probable class of a row, the lowest index among ties. */
    static int predicted(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Each class's share of the rows' predicted classes. */
    static double[] shares(double[][] rows, int classes) {
        double[] shares = new double[classes];
        for (double[] row : rows) {
            shares[predicted(row)]++;
        }
        for (int c = 0; c < classes; c++) {
            shares[c] /= rows.length;
        }
        return shares;
    }

    /** The mean over rows of the largest probability. */
    static double meanConfidence(double[][] rows) {
        requireNonNull(rows, "rows");
        double sum = 0;
        for (double[] row : rows) {
            sum += row[predicted(row)];
        }
        return sum / rows.length;
    }
}
