package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

/**
 * An embedding drift score for text and images: how far the mean embedding has moved, in units of
 * the reference's spread.
 *
 * <p>For reference embeddings {@code x_1 .. x_n} with mean {@code mu} and current embeddings with
 * mean {@code mu'}, the score is {@code ||mu' - mu|| / s}, {@code ||.||} the Euclidean norm and
 * {@code s = sqrt((1/n) sum_i ||x_i - mu||^2)} the reference's spread (the root of the total variance,
 * the trace of its covariance, with divisor {@code n}). It is 0 when the means agree (identical sets),
 * does not depend on the order of the rows, grows linearly with a shift of every row by {@code v}
 * ({@code ||v|| / s}), and is unchanged by a rotation or a common scaling of the embedding space.
 * It sees a moved centre, not a change of shape around the same centre. Two samples of one
 * distribution score about {@code sqrt(1/n + 1/m)} (the sampling error of the means), 0.05 for
 * reference and current sets of 1000 and 500 rows; read scores against that floor.
 */
public final class EmbeddingShift {
    private EmbeddingShift() {
    }

    /**
     * The score of {@code current} against {@code reference}.
     *
     * @param reference the reference embeddings, one row each, all of one width
     * @param current the current embeddings, of the same width
     * @throws IllegalArgumentException when a set is empty, the widths differ, a value is not finite,
     *     or every reference row is the same (no spread to measure in)
     */
    public static double score(double[][] reference, double[][] current) {
        double[] mu = mean(reference, "reference");
        double s = spread(reference, mu);
        double[] now = mean(current, "current");
        if (now.length != mu.length) {
            throw new IllegalArgumentException("the current embeddings have " + now.length
                    + " dimensions but the reference's " + mu.length + "; embed both with one model");
        }
        return score(mu, s, now);
    }

    static double score(double[] referenceMean, double spread, double[] currentMean) {
        double sq = 0;
        for (int k = 0; k < referenceMean.length; k++) {
            double d = currentMean[k] - referenceMean[k];
            sq += d * d;
        }
        return Math.sqrt(sq) / spread;
    }

    /** The mean row; checks the rows are non-empty, of one width and finite. */
    static double[] mean(double[][] rows, String what) {
        requireNonNull(rows, what);
        if (rows.length == 0) {
            throw new IllegalArgumentException("the " + what + " embeddings are empty; give at least one row");
        }
        int d = width(rows[0], 0, what);
        double[] mean = new double[d];
        for (int i = 0; i < rows.length; i++) {
            if (width(rows[i], i, what) != d) {
                throw new IllegalArgumentException(what + " embedding " + i + " has " + rows[i].length
                        + " dimensions but embedding 0 has " + d + "; give rows of one width");
            }
            for (int k = 0; k < d; k++) {
                double v = rows[i][k];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(what + " embedding " + i + " holds " + v + " at dimension " + k
                            + "; embeddings must be finite: check the model that made them");
                }
                mean[k] += v;
            }
        }
        for (int k = 0; k < d; k++) {
            mean[k] /= rows.length;
        }
        return mean;
    }

    /** The reference's spread around its mean; refuses 0. */
    static double spread(double[][] rows, double[] mean) {
        double sq = 0;
        for (double[] row : rows) {
            for (int k = 0; k < mean.length; k++) {
                double d = row[k] - mean[k];
                sq += d * d;
            }
        }
        double s = Math.sqrt(sq / rows.length);
        if (!(s > 0)) {
            throw new IllegalArgumentException("the " + rows.length + " reference embeddings are all the same row:"
                    + " they have no spread to measure a shift in; give a reference of varied examples");
        }
        return s;
    }

    private static int width(double[] row, int i, String what) {
        if (row == null) {
            throw new NullPointerException(what + " embedding " + i + " is null");
        }
        if (row.length == 0) {
            throw new IllegalArgumentException(what + " embedding " + i + " has no dimension; give rows of at least one value");
        }
        return row.length;
    }
}
