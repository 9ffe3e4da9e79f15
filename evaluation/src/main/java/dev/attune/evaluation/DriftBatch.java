package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Rows observed in production, for {@link DriftMonitor#observe(DriftBatch)}: named numeric features,
 * embeddings, class probabilities, or any of them together, one row per example in every part. Start
 * with one part ({@link #features}, {@link #embeddings}, {@link #probabilities}) and add the others
 * ({@code withEmbeddings}, {@code withProbabilities}, {@code withFeatures}); the monitor takes exactly
 * the parts its reference has. The arrays are copied.
 */
public final class DriftBatch {
    private final List<String> featureNames;
    private final double[][] features;
    private final double[][] embeddings;
    private final double[][] probabilities;

    private DriftBatch(List<String> featureNames, double[][] features, double[][] embeddings, double[][] probabilities) {
        this.featureNames = featureNames;
        this.features = features;
        this.embeddings = embeddings;
        this.probabilities = probabilities;
        int rows = -1;
        for (double[][] part : new double[][][] {features, embeddings, probabilities}) {
            if (part != null) {
                if (rows >= 0 && part.length != rows) {
                    throw new IllegalArgumentException("the batch's parts hold " + describeRows()
                            + "; give one row per example in every part");
                }
                rows = part.length;
            }
        }
        if (rows == 0) {
            throw new IllegalArgumentException("the batch holds no row; observe at least one row");
        }
    }

    /**
     * A batch of named feature rows, in the reference's column order.
     *
     * @throws IllegalArgumentException when a row's width differs from the names' count, or a value is
     *     NaN or infinite (the message names the feature and the row)
     */
    public static DriftBatch features(List<String> featureNames, double[][] rows) {
        return new DriftBatch(null, null, null, null).withFeatures(featureNames, rows);
    }

    /** A batch of embeddings, one row per example. */
    public static DriftBatch embeddings(double[][] rows) {
        return new DriftBatch(null, null, copy(rows, "embeddings"), null);
    }

    /** A batch of the model's class probabilities, one row per example. */
    public static DriftBatch probabilities(double[][] rows) {
        return new DriftBatch(null, null, null, copy(rows, "probabilities"));
    }

    /** This batch with named feature rows added; see {@link #features(List, double[][])}. */
    public DriftBatch withFeatures(List<String> featureNames, double[][] rows) {
        requireNonNull(featureNames, "featureNames");
        DriftReference.Builder.checkNames(featureNames);
        double[][] copy = copy(rows, "features");
        for (int i = 0; i < copy.length; i++) {
            if (copy[i].length != featureNames.size()) {
                throw new IllegalArgumentException("observed row " + i + " has " + copy[i].length + " values but "
                        + featureNames.size() + " feature names are given " + featureNames + "; give one name per column");
            }
            for (int f = 0; f < copy[i].length; f++) {
                if (!Double.isFinite(copy[i][f])) {
                    throw new IllegalArgumentException("observed feature '" + featureNames.get(f) + "' is " + copy[i][f]
                            + " in row " + i + " of the batch; drift is measured on finite values: impute the value"
                            + " (as the model's input pipeline does) or drop the row before observing it");
                }
            }
        }
        return new DriftBatch(List.copyOf(featureNames), copy, embeddings, probabilities);
    }

    /** This batch with embeddings added, one row per example. */
    public DriftBatch withEmbeddings(double[][] rows) {
        return new DriftBatch(featureNames, features, copy(rows, "embeddings"), probabilities);
    }

    /** This batch with the model's class probabilities added, one row per example. */
    public DriftBatch withProbabilities(double[][] rows) {
        return new DriftBatch(featureNames, features, embeddings, copy(rows, "probabilities"));
    }

    /** The number of rows. */
    public int size() {
        return features != null ? features.length : embeddings != null ? embeddings.length
                : probabilities != null ? probabilities.length : 0;
    }

    /** The feature names, or null without features. */
    List<String> featureNames() {
        return featureNames;
    }

    double[][] featureRows() {
        return features;
    }

    double[][] embeddingRows() {
        return embeddings;
    }

    double[][] probabilityRows() {
        return probabilities;
    }

    private String describeRows() {
        return (features == null ? "no features" : features.length + " feature rows") + ", "
                + (embeddings == null ? "no embeddings" : embeddings.length + " embedding rows") + " and "
                + (probabilities == null ? "no probabilities" : probabilities.length + " probability rows");
    }

    private static double[][] copy(double[][] rows, String what) {
        requireNonNull(rows, what);
        double[][] copy = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null) {
                throw new NullPointerException(what + " row " + i + " is null");
            }
            copy[i] = rows[i].clone();
        }
        return copy;
    }
}
