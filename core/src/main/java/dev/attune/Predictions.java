package dev.attune;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model's predictions on a labelled set: the true class of each example, the predicted class
 * probabilities and, optionally, a weight per example (scikit-learn's {@code sample_weight}; 1 for
 * every example unless {@link #withWeights} gives others). Immutable; what every {@link Metric} reads.
 */
public final class Predictions {
    /** How far a row of probabilities may sum from 1 (float32 softmax outputs land well within it). */
    static final double SUM_TOLERANCE = 1e-3;

    private final int[] actual;
    private final int[] predicted;
    private final double[][] probabilities;
    private final int numClasses;
    private final double[] weights; // null: every weight is 1

    private Predictions(int[] actual, int[] predicted, double[][] probabilities, int numClasses, double[] weights) {
        this.actual = actual;
        this.predicted = predicted;
        this.probabilities = probabilities;
        this.numClasses = numClasses;
        this.weights = weights;
    }

    /**
     * @param actual the true class of each example
     * @param probabilities an {@code [n, numClasses]} array of class probabilities
     * @throws IllegalArgumentException when there are no examples, lengths differ, a label is out of
     *     range, a probability is NaN or outside {@code [0, 1]}, or a row does not sum to 1 (within 1e-3)
     */
    public static Predictions of(int[] actual, INDArray probabilities) {
        requireNonNull(actual, "actual");
        requireNonNull(probabilities, "probabilities");
        if (probabilities.rank() != 2) {
            throw new IllegalArgumentException("probabilities must be [examples, classes], got shape "
                    + Arrays.toString(probabilities.shape()));
        }
        return of(actual, probabilities.castTo(DataType.DOUBLE).toDoubleMatrix());
    }

    /**
     * @param actual the true class of each example
     * @param probabilities one row of class probabilities per example, each summing to 1 (within 1e-3)
     * @throws IllegalArgumentException when there are no examples, lengths differ, a label is out of
     *     range, a probability is NaN or outside {@code [0, 1]}, or a row does not sum to 1 (within 1e-3)
     */
    public static Predictions of(int[] actual, double[][] probabilities) {
        requireNonNull(actual, "actual");
        requireNonNull(probabilities, "probabilities");
        if (actual.length == 0) {
            throw new IllegalArgumentException("no predictions (0 examples); evaluate on a non-empty set");
        }
        if (actual.length != probabilities.length) {
            throw new IllegalArgumentException("got " + actual.length + " labels but " + probabilities.length
                    + " rows of probabilities; give one row per label");
        }
        int k = probabilities[0].length;
        int[] predicted = new int[actual.length];
        double[][] copy = new double[actual.length][];
        for (int i = 0; i < actual.length; i++) {
            double[] row = probabilities[i];
            if (row.length != k) {
                throw new IllegalArgumentException("row " + i + " has " + row.length + " probabilities, row 0 has " + k);
            }
            if (actual[i] < 0 || actual[i] >= k) {
                throw new IllegalArgumentException("label " + actual[i] + " at example " + i + " is outside [0, " + k + ")");
            }
            int best = 0;
            double sum = 0;
            for (int c = 0; c < k; c++) {
                if (Double.isNaN(row[c])) {
                    throw new IllegalArgumentException("probability of class " + c + " at example " + i + " is NaN");
                }
                if (row[c] < 0 || row[c] > 1) {
                    throw new IllegalArgumentException("probability of class " + c + " at example " + i + " is "
                            + row[c] + ", outside [0, 1]; pass class probabilities (a softmax output), not scores");
                }
                sum += row[c];
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                throw new IllegalArgumentException("probabilities of example " + i + " sum to " + sum + ", not 1 (within "
                        + SUM_TOLERANCE + "): " + Arrays.toString(row) + "; normalise each row, for example with a softmax");
            }
            predicted[i] = best;
            copy[i] = row.clone();
        }
        return new Predictions(actual.clone(), predicted, copy, k, null);
    }

    /**
     * These predictions with a weight per example, as scikit-learn's {@code sample_weight}: every
     * built-in metric then counts example {@code i} {@code weights[i]} times.
     *
     * @param weights one finite, non-negative weight per example, not all zero
     * @return new predictions; this one is unchanged
     * @throws IllegalArgumentException when the length differs from the number of examples, a weight is
     *     negative, NaN or infinite, or every weight is zero
     */
    public Predictions withWeights(double[] weights) {
        requireNonNull(weights, "weights");
        if (weights.length != actual.length) {
            throw new IllegalArgumentException("got " + weights.length + " weights for " + actual.length
                    + " examples; give one weight per example");
        }
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weight of example " + i + " is " + weights[i]
                        + "; weights must be finite and non-negative");
            }
            total += weights[i];
        }
        if (total == 0) {
            throw new IllegalArgumentException("every one of the " + weights.length
                    + " weights is 0; give at least one example a positive weight");
        }
        return new Predictions(actual, predicted, probabilities, numClasses, weights.clone());
    }

    /**
     * The predictions of the given examples, in the given order; an example may be chosen more than
     * once (as a bootstrap resample does). Weights, if any, go with their examples.
     *
     * @param indices example indices in {@code [0, size())}, at least one
     * @throws IllegalArgumentException when no index is given or one is out of range
     */
    public Predictions select(int... indices) {
        requireNonNull(indices, "indices");
        if (indices.length == 0) {
            throw new IllegalArgumentException("no predictions (0 examples selected); select at least one example");
        }
        int[] a = new int[indices.length];
        int[] p = new int[indices.length];
        double[][] rows = new double[indices.length][];
        double[] w = weights == null ? null : new double[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= actual.length) {
                throw new IllegalArgumentException("example index " + i + " at position " + j + " is outside [0, "
                        + actual.length + ")");
            }
            a[j] = actual[i];
            p[j] = predicted[i];
            rows[j] = probabilities[i]; // rows are never written, so they may be shared
            if (w != null) {
                w[j] = weights[i];
            }
        }
        return new Predictions(a, p, rows, numClasses, w);
    }

    /** The number of examples. */
    public int size() {
        return actual.length;
    }

    /** The number of classes. */
    public int numClasses() {
        return numClasses;
    }

    /** The true class of example {@code i}. */
    public int actual(int i) {
        return actual[i];
    }

    /** The predicted class (the most probable; the lowest index among ties) of example {@code i}. */
    public int predicted(int i) {
        return predicted[i];
    }

    /** The predicted probability of class {@code c} for example {@code i}. */
    public double probability(int i, int c) {
        return probabilities[i][c];
    }

    /** The weight of example {@code i}: 1 unless {@link #withWeights} gave another. */
    public double weight(int i) {
        return weights == null ? 1.0 : weights[i];
    }

    /** Whether {@link #withWeights} gave weights (even if they are all 1). */
    public boolean weighted() {
        return weights != null;
    }

    /** Copies of the true classes. */
    public int[] actual() {
        return actual.clone();
    }

    /** Copies of the predicted classes. */
    public int[] predicted() {
        return predicted.clone();
    }

    /**
     * The mean negative log-likelihood of the true classes (natural log, probabilities clipped at
     * 1e-15 as scikit-learn's {@code log_loss} does), weighted by the example weights if any.
     */
    public double logLoss() {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < actual.length; i++) {
            double w = weight(i);
            sum -= w * Math.log(Math.max(probabilities[i][actual[i]], 1e-15));
            total += w;
        }
        return sum / total;
    }

    /** The value of a metric on these predictions. */
    public double score(Metric metric) {
        return requireNonNull(metric, "metric").compute(this);
    }
}
