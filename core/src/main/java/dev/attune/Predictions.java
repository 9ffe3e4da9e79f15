package dev.attune;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model's predictions on a labelled set: the true class of each example and the predicted class
 * probabilities. Immutable; what every {@link Metric} reads.
 */
public final class Predictions {
    private final int[] actual;
    private final int[] predicted;
    private final double[][] probabilities;
    private final int numClasses;

    private Predictions(int[] actual, int[] predicted, double[][] probabilities, int numClasses) {
        this.actual = actual;
        this.predicted = predicted;
        this.probabilities = probabilities;
        this.numClasses = numClasses;
    }

    /**
     * @param actual the true class of each example
     * @param probabilities an {@code [n, numClasses]} array of class probabilities
     * @throws IllegalArgumentException when lengths differ, a label is out of range, or a
     *     probability is NaN
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
     * @param probabilities one row of class probabilities per example
     * @throws IllegalArgumentException when lengths differ, a label is out of range, or a
     *     probability is NaN
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
            for (int c = 0; c < k; c++) {
                if (Double.isNaN(row[c])) {
                    throw new IllegalArgumentException("probability of class " + c + " at example " + i + " is NaN");
                }
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            copy[i] = row.clone();
        }
        return new Predictions(actual.clone(), predicted, copy, k);
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
     * 1e-15 as scikit-learn's {@code log_loss} does).
     */
    public double logLoss() {
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            sum -= Math.log(Math.max(probabilities[i][actual[i]], 1e-15));
        }
        return sum / actual.length;
    }

    /** The value of a metric on these predictions. */
    public double score(Metric metric) {
        return requireNonNull(metric, "metric").compute(this);
    }
}
