package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.Predictions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a deployed model's inputs and outputs looked like when it was validated, for a
 * {@link DriftMonitor} to compare live traffic with: named numeric features (kept whole, for the
 * Kolmogorov-Smirnov test, with their PSI bins), optionally the mean and spread of embeddings (text,
 * images; see {@link EmbeddingShift}) and the predicted-class shares and mean confidence of the
 * reference predictions. At least one of the three is needed.
 *
 * <pre>{@code
 * DriftReference reference = DriftReference.builder()
 *         .features(List.of("age", "income"), validationRows)   // double[n][2]
 *         .predictions(validationProbabilities)                 // double[n][classes]
 *         .build();
 * reference.write(Path.of("drift-reference.json"));             // JSON of schema attune-drift-reference/1
 * }</pre>
 *
 * <p>Immutable and safe to share between threads.
 */
public final class DriftReference {
    /** The JSON schema a reference is written in, the value of its {@code "schema"} field. */
    public static final String SCHEMA = "attune-drift-reference/1";

    private final List<String> featureNames;
    private final double[][] sortedColumns;
    private final int bins;
    private final double[][] edges;
    private final double[][] shares;
    private final double[] embeddingMean;
    private final double embeddingSpread;
    private final int embeddingRows;
    private final double[] classShares;
    private final double meanConfidence;
    private final int predictionRows;

    DriftReference(List<String> featureNames, double[][] columns, int bins, double[] embeddingMean,
            double embeddingSpread, int embeddingRows, double[] classShares, double meanConfidence, int predictionRows) {
        this.featureNames = List.copyOf(featureNames);
        this.bins = bins;
        this.sortedColumns = new double[columns.length][];
        this.edges = new double[columns.length][];
        this.shares = new double[columns.length][];
        for (int f = 0; f < columns.length; f++) {
            sortedColumns[f] = PopulationStability.sortedFinite(columns[f], "reference feature '" + featureNames.get(f) + "'");
            edges[f] = PopulationStability.edgesOfSorted(sortedColumns[f], bins);
            shares[f] = PopulationStability.sharesOfSorted(sortedColumns[f], edges[f]);
        }
        this.embeddingMean = embeddingMean;
        this.embeddingSpread = embeddingSpread;
        this.embeddingRows = embeddingRows;
        this.classShares = classShares;
        this.meanConfidence = meanConfidence;
        this.predictionRows = predictionRows;
    }

    /** A builder of a reference. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a reference written by {@link #write}.
     *
     * @throws AttuneException when the file is missing, unreadable, not JSON, of another or a newer
     *     schema, or holds a field that is missing or out of range (the message names it)
     */
    public static DriftReference read(Path file) {
        return DriftReferenceJson.read(file);
    }

    /**
     * Reads a reference from the JSON {@link #toJson()} gives, such as one kept inside a deployment
     * package.
     *
     * @param json the JSON text
     * @param source where it came from, named in every message (a file, or a package and its entry)
     * @throws AttuneException when it is not JSON, of another or a newer schema than {@value #SCHEMA}, or
     *     holds a field that is missing or out of range (the message names the source and the field)
     */
    public static DriftReference fromJson(String json, String source) {
        return DriftReferenceJson.fromJson(requireNonNull(json, "json"), "drift reference " + requireNonNull(source,
                "source"));
    }

    /**
     * Writes the reference as JSON of schema {@value #SCHEMA} (UTF-8), atomically: to a temporary name
     * beside {@code file}, then moved into place.
     *
     * @throws AttuneException when the file cannot be written (the message says why)
     */
    public void write(Path file) {
        DriftReferenceJson.write(this, requireNonNull(file, "file"));
    }

    /** The reference as JSON of schema {@value #SCHEMA}, the text {@link #write} writes. */
    public String toJson() {
        return DriftReferenceJson.toJson(this);
    }

    /** The feature names, in column order; empty without features. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** The reference rows of the features (0 without features). */
    public int featureRows() {
        return sortedColumns.length == 0 ? 0 : sortedColumns[0].length;
    }

    /** The number of quantile bins asked for each feature's PSI (a feature with ties gets fewer). */
    public int bins() {
        return bins;
    }

    /** The PSI bin edges of feature {@code f}, as {@link PopulationStability} defines them. */
    public double[] edges(int f) {
        return edges[f].clone();
    }

    /** The reference's share of each PSI bin of feature {@code f}. */
    public double[] shares(int f) {
        return shares[f].clone();
    }

    /** The reference values of feature {@code f}, sorted. */
    public double[] values(int f) {
        return sortedColumns[f].clone();
    }

    /** Whether the reference has embeddings. */
    public boolean hasEmbeddings() {
        return embeddingMean != null;
    }

    /** The embeddings' dimension, 0 without embeddings. */
    public int embeddingDimension() {
        return embeddingMean == null ? 0 : embeddingMean.length;
    }

    /** Whether the reference has predictions. */
    public boolean hasPredictions() {
        return classShares != null;
    }

    /** The classes of the reference predictions, 0 without predictions. */
    public int classes() {
        return classShares == null ? 0 : classShares.length;
    }

    /** The reference predictions' share of each predicted class, empty without predictions. */
    public Optional<double[]> classShares() {
        return Optional.ofNullable(classShares).map(double[]::clone);
    }

    /** The reference predictions' mean confidence (the mean largest probability), empty without predictions. */
    public Optional<Double> meanConfidence() {
        return classShares == null ? Optional.empty() : Optional.of(meanConfidence);
    }

    double[] sortedColumn(int f) {
        return sortedColumns[f];
    }

    double[] edgesOf(int f) {
        return edges[f];
    }

    double[] sharesOf(int f) {
        return shares[f];
    }

    double[] embeddingMean() {
        return embeddingMean;
    }

    double embeddingSpread() {
        return embeddingSpread;
    }

    int embeddingRows() {
        return embeddingRows;
    }

    double[] classSharesRaw() {
        return classShares;
    }

    double meanConfidenceRaw() {
        return meanConfidence;
    }

    int predictionRows() {
        return predictionRows;
    }

    /**
     * Whether {@code other} takes the same rows as this reference: the same feature names in the same
     * order, embeddings of the same dimension or none, predictions over as many classes or none. A
     * {@link DriftMonitor} can be {@linkplain DriftMonitor#rebase rebased} only onto a reference of its own schema.
     */
    public boolean sameSchema(DriftReference other) {
        requireNonNull(other, "other");
        return featureNames.equals(other.featureNames)
                && hasEmbeddings() == other.hasEmbeddings()
                && (!hasEmbeddings() || embeddingDimension() == other.embeddingDimension())
                && hasPredictions() == other.hasPredictions()
                && (!hasPredictions() || classes() == other.classes());
    }

    @Override
    public String toString() {
        return "DriftReference[" + featureNames.size() + " features of " + featureRows() + " rows"
                + (hasEmbeddings() ? ", embeddings of " + embeddingDimension() + " dimensions" : "")
                + (hasPredictions() ? ", predictions of " + classes() + " classes" : "") + "]";
    }

    /** Builds a {@link DriftReference}; each part once, at least one. */
    public static final class Builder {
        private List<String> names;
        private double[][] columns;
        private double[] embeddingMean;
        private double embeddingSpread;
        private int embeddingRows;
        private double[] classShares;
        private double meanConfidence;
        private int predictionRows;
        private int bins = PopulationStability.DEFAULT_BINS;

        private Builder() {
        }

        /**
         * The reference's numeric features, one row per example, one column per name.
         *
         * @throws IllegalArgumentException when the names are blank or repeated, there is no row, a row's
         *     width differs from the names' count, or a value is not finite
         * @throws IllegalStateException when features were already given
         */
        public Builder features(List<String> featureNames, double[][] rows) {
            requireNonNull(featureNames, "featureNames");
            requireNonNull(rows, "rows");
            if (names != null) {
                throw new IllegalStateException("features(...) was already given; give the features once");
            }
            checkNames(featureNames);
            if (rows.length == 0) {
                throw new IllegalArgumentException("the reference features have no row; give the rows the model was"
                        + " validated on");
            }
            int d = featureNames.size();
            double[][] cols = new double[d][rows.length];
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] == null) {
                    throw new NullPointerException("reference row " + i + " is null");
                }
                if (rows[i].length != d) {
                    throw new IllegalArgumentException("reference row " + i + " has " + rows[i].length
                            + " values but " + d + " feature names are given " + featureNames
                            + "; give one name per column");
                }
                for (int f = 0; f < d; f++) {
                    if (!Double.isFinite(rows[i][f])) {
                        throw new IllegalArgumentException("reference feature '" + featureNames.get(f) + "' is "
                                + rows[i][f] + " in row " + i + "; drift is measured on finite values: impute or drop"
                                + " the row first");
                    }
                    cols[f][i] = rows[i][f];
                }
            }
            this.names = List.copyOf(featureNames);
            this.columns = cols;
            return this;
        }

        /**
         * The reference's features as a matrix {@code [rows, features]}, such as {@code LabeledData.features()} of a table.
         *
         * @throws IllegalArgumentException when the matrix is not 2-dimensional, or as {@link #features(List, double[][])}
         */
        public Builder features(List<String> featureNames, INDArray rows) {
            requireNonNull(rows, "rows");
            if (rows.rank() != 2) {
                throw new IllegalArgumentException("reference features must be a matrix [rows, features], got shape "
                        + Arrays.toString(rows.shape()) + "; flatten images into embeddings(...) instead");
            }
            return features(featureNames, rows.toDoubleMatrix());
        }

        /**
         * The reference's embeddings (of texts, images), one row per example; only their mean and
         * spread are kept.
         *
         * @throws IllegalArgumentException when they are empty, of mixed widths, not finite, or all the same row
         * @throws IllegalStateException when embeddings were already given
         */
        public Builder embeddings(double[][] rows) {
            if (embeddingMean != null) {
                throw new IllegalStateException("embeddings(...) was already given; give the embeddings once");
            }
            double[] mean = EmbeddingShift.mean(rows, "reference");
            this.embeddingSpread = EmbeddingShift.spread(rows, mean);
            this.embeddingMean = mean;
            this.embeddingRows = rows.length;
            return this;
        }

        /**
         * The model's class probabilities on the reference rows; only the predicted-class shares and
         * the mean confidence are kept.
         *
         * @throws IllegalArgumentException when there is no row, fewer than 2 classes, or a row that is
         *     not probabilities (outside [0, 1], not summing to 1 within 1e-3)
         * @throws IllegalStateException when predictions were already given
         */
        public Builder predictions(double[][] probabilities) {
            requireNonNull(probabilities, "probabilities");
            if (classShares != null) {
                throw new IllegalStateException("predictions(...) was already given; give the predictions once");
            }
            if (probabilities.length == 0) {
                throw new IllegalArgumentException("the reference predictions have no row; give the model's"
                        + " probabilities on the reference rows");
            }
            int classes = requireNonNull(probabilities[0], "reference probability row 0 is null").length;
            if (classes < 2) {
                throw new IllegalArgumentException("reference probability rows have " + classes
                        + " classes; a classifier's rows have 2 or more");
            }
            for (int i = 0; i < probabilities.length; i++) {
                ClassShares.check(probabilities[i], i, classes, "reference");
            }
            this.classShares = ClassShares.shares(probabilities, classes);
            this.meanConfidence = ClassShares.meanConfidence(probabilities);
            this.predictionRows = probabilities.length;
            return this;
        }

        /** The model's predictions on the reference rows (their probabilities; the labels are not used). */
        public Builder predictions(Predictions predictions) {
            requireNonNull(predictions, "predictions");
            double[][] p = new double[predictions.size()][predictions.numClasses()];
            for (int i = 0; i < p.length; i++) {
                for (int c = 0; c < p[i].length; c++) {
                    p[i][c] = predictions.probability(i, c);
                }
            }
            return predictions(p);
        }

        /**
         * The number of quantile bins of each feature's PSI; {@value PopulationStability#DEFAULT_BINS} by default.
         *
         * @throws IllegalArgumentException outside [2, 1000]
         */
        public Builder bins(int bins) {
            if (bins < 2 || bins > 1000) {
                throw new IllegalArgumentException("the number of PSI bins must be in [2, 1000], got " + bins + "; "
                        + PopulationStability.DEFAULT_BINS + " is the default");
            }
            this.bins = bins;
            return this;
        }

        /**
         * The reference.
         *
         * @throws IllegalStateException when neither features, embeddings nor predictions were given
         */
        public DriftReference build() {
            if (names == null && embeddingMean == null && classShares == null) {
                throw new IllegalStateException("a drift reference needs something to compare: give features(names,"
                        + " rows), embeddings(rows) or predictions(probabilities)");
            }
            return new DriftReference(names == null ? List.of() : names, columns == null ? new double[0][] : columns,
                    bins, embeddingMean, embeddingSpread, embeddingRows, classShares, meanConfidence, predictionRows);
        }

        static void checkNames(List<String> names) {
            if (names.isEmpty()) {
                throw new IllegalArgumentException("no feature name given; name each feature column");
            }
            Set<String> seen = new HashSet<>();
            List<String> repeated = new ArrayList<>();
            for (int f = 0; f < names.size(); f++) {
                String n = names.get(f);
                if (n == null || n.isBlank()) {
                    throw new IllegalArgumentException("feature name " + f + " is " + (n == null ? "null" : "blank")
                            + "; name each feature column");
                }
                if (!seen.add(n)) {
                    repeated.add(n);
                }
            }
            if (!repeated.isEmpty()) {
                throw new IllegalArgumentException("feature names must be distinct, got " + repeated + " twice in "
                        + names);
            }
        }
    }
}
