package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.math.Rows;
import dev.attune.spi.HeldRows;
import dev.attune.spi.RowsFingerprint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable, validated set of labelled examples for classification: a feature array whose
 * first dimension indexes examples and one class index per example.
 *
 * <p>Construction refuses what would silently spoil a run: NaN or infinite features, labels
 * outside {@code [0, numClasses)}, a feature count that differs from the label count, and an
 * empty set. The features are copied, so later changes to the caller's array do not leak in.
 * It is {@link java.io.Serializable}, so that Spark can hold shards of it in an RDD.
 *
 * <p>Inside a run on rows held elsewhere ({@link FineTuner#fit(HeldRows, LabeledData,
 * dev.attune.spi.GradientExchange)}), the training data a {@link Balancer} or a {@link TrainingDataCheck}
 * is given holds the labels only: its size, labels, class counts, shape and fingerprint are those of the
 * rows, and whatever reads the features ({@link #features()}, {@link #select}) is refused, naming the fix.
 */
public final class LabeledData implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final INDArray features;
    private final int[] labels;
    private final int numClasses;
    private volatile String fingerprint;
    /** The rows whose features are held elsewhere, when {@code features} is {@code null}. */
    private final transient HeldRows held;

    private LabeledData(INDArray features, int[] labels, int numClasses) {
        this.features = features;
        this.labels = labels;
        this.numClasses = numClasses;
        this.held = null;
    }

    private LabeledData(HeldRows held, int[] labels, int numClasses) {
        this.features = null;
        this.labels = labels;
        this.numClasses = numClasses;
        this.held = held;
    }

    /**
     * The labels of rows held elsewhere, checked by the caller ({@link HeldData}), without their features;
     * its fingerprint is the holder's, asked for when first needed.
     */
    static LabeledData labelsOf(HeldRows held, int[] labels, int numClasses) {
        return new LabeledData(held, labels, numClasses);
    }

    /**
     * Creates a data set from features and class indices.
     *
     * @param features examples along dimension 0 (for example {@code [n, 784]} or {@code [n, 1, 28, 28]})
     * @param labels one class index per example, each in {@code [0, numClasses)}
     * @param numClasses the number of classes of the task, at least 2
     * @throws IllegalArgumentException for an empty set, mismatched lengths, NaN/Inf features or a
     *     label outside the class range
     */
    public static LabeledData of(INDArray features, int[] labels, int numClasses) {
        requireNonNull(features, "features");
        requireNonNull(labels, "labels");
        if (numClasses < 2) {
            throw new IllegalArgumentException(
                    "numClasses must be at least 2, got " + numClasses + "; a classifier needs two or more classes");
        }
        if (features.rank() < 2) {
            throw new IllegalArgumentException("features must have rank >= 2 with examples along dimension 0, got shape "
                    + Arrays.toString(features.shape()) + "; reshape a single example to [1, ...]");
        }
        long n = features.size(0);
        if (n == 0 || labels.length == 0) {
            throw new IllegalArgumentException("the data set is empty (0 examples); give at least one example per class");
        }
        if (n != labels.length) {
            throw new IllegalArgumentException("features hold " + n + " examples but labels hold " + labels.length
                    + "; give one label per row of features");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " at example " + i + " is outside [0, "
                        + numClasses + "); use class indices 0.." + (numClasses - 1) + " or raise numClasses");
            }
        }
        INDArray copy = features.castTo(features.dataType().isFPType() ? features.dataType() : DataType.FLOAT).dup('c');
        if (copy.dataType() == DataType.HALF || copy.dataType() == DataType.BFLOAT16) {
            copy = copy.castTo(DataType.FLOAT);
        }
        double bad = copy.isInfinite().castTo(DataType.INT32).sumNumber().doubleValue()
                + copy.isNaN().castTo(DataType.INT32).sumNumber().doubleValue();
        if (bad > 0) {
            long first = firstNonFiniteRow(copy);
            throw new IllegalArgumentException("features hold " + (long) bad + " NaN or infinite values (first in example "
                    + first + "); clean or impute them before training");
        }
        return new LabeledData(copy, labels.clone(), numClasses);
    }

    private static long firstNonFiniteRow(INDArray x) {
        INDArray flat = x.reshape(x.size(0), x.length() / x.size(0));
        INDArray badPerRow = flat.isNaN().castTo(DataType.INT32).sum(1)
                .addi(flat.isInfinite().castTo(DataType.INT32).sum(1));
        for (long i = 0; i < badPerRow.length(); i++) {
            if (badPerRow.getDouble(i) > 0) {
                return i;
            }
        }
        return -1;
    }

    /** The number of examples. */
    public int size() {
        return labels.length;
    }

    /** The number of classes of the task. */
    public int numClasses() {
        return numClasses;
    }

    /** The shape of one example (the feature shape without dimension 0). */
    public long[] exampleShape() {
        if (features == null) {
            return held.exampleShape().clone();
        }
        long[] s = features.shape();
        return Arrays.copyOfRange(s, 1, s.length);
    }

    /** A copy of the features. */
    public INDArray features() {
        return featuresView().dup();
    }

    /** A copy of the class indices. */
    public int[] labels() {
        return labels.clone();
    }

    /** The label of example {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** Examples per class, indexed by class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int y : labels) {
            counts[y]++;
        }
        return counts;
    }

    /**
     * The examples at the given indices, in that order, as a new data set.
     *
     * @throws IllegalArgumentException for an empty selection or an index out of range
     */
    public LabeledData select(int[] indices) {
        requireNonNull(indices, "indices");
        if (features == null) {
            throw heldElsewhere("selecting examples (a balancer that resamples rows)");
        }
        if (indices.length == 0) {
            throw new IllegalArgumentException("cannot select 0 examples; pass at least one index");
        }
        for (int i : indices) {
            if (i < 0 || i >= labels.length) {
                throw new IllegalArgumentException("index " + i + " is outside [0, " + labels.length + ")");
            }
        }
        int[] y = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            y[i] = labels[indices[i]];
        }
        return new LabeledData(rows(features, indices), y, numClasses);
    }

    /** The features of the given rows: shared by batching and selection. */
    static INDArray rows(INDArray x, int[] indices) {
        long[] shape = x.shape();
        INDArray flat = x.reshape('c', shape[0], x.length() / shape[0]);
        INDArray picked = Nd4j.pullRows(flat, 1, indices);
        long[] outShape = shape.clone();
        outShape[0] = indices.length;
        return picked.reshape('c', outShape);
    }

    /** The internal feature array; callers inside the library must not modify it. */
    INDArray featuresView() {
        if (features == null) {
            throw heldElsewhere("reading the features");
        }
        return features;
    }

    /** The rows held elsewhere whose labels this holds, or {@code null} when it holds the features. */
    HeldRows held() {
        return held;
    }

    /** The features of example 0, as {@code [1, exampleShape...]}. */
    INDArray firstExample() {
        return features == null ? held.firstExample() : features.get(Rows.range(features.rank(), 0, 1));
    }

    private IllegalStateException heldElsewhere(String what) {
        return new IllegalStateException(what + " needs the features of the training data, but these " + size()
                + " examples are " + held.describe() + " and only their labels are here; balance with weights"
                + " (Balancing.classWeights() or reweigh(...)), resample the rows where they are before the run, or"
                + " give the data as LabeledData to train on data this machine holds");
    }

    private Object writeReplace() throws java.io.ObjectStreamException {
        if (features == null) {
            throw new java.io.NotSerializableException("the labels of " + held.describe()
                    + " cannot be sent elsewhere; send the rows' LabeledData");
        }
        return this;
    }

    /**
     * A SHA-256 fingerprint of the exact content (shape, feature values, labels, class count),
     * recorded in provenance so that a run names the data it saw.
     */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null && features == null) {
            f = requireNonNull(held.fingerprint(), "the holder's fingerprint");
            fingerprint = f;
        } else if (f == null) {
            ByteBuffer bytes = features.data().asNio().order(ByteOrder.nativeOrder());
            f = new RowsFingerprint(numClasses, features.size(0), exampleShape(), features.dataType())
                    .features(bytes).labels(labels);
            fingerprint = f;
        }
        return f;
    }

    @Override
    public String toString() {
        return "LabeledData[" + size() + " examples of shape " + Arrays.toString(exampleShape()) + ", "
                + numClasses + " classes]";
    }
}
