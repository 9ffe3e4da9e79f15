package dev.attune.spi;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training rows whose features are held somewhere other than the machine that runs the trainer (the
 * executors of a Spark cluster, say), described by what the trainer needs of them: their size, class
 * count, example shape, data type and labels, their fingerprint, the results of the feature checks
 * computed where the rows are, and a search for exact copies of validation rows. The features never
 * come to the trainer: it trains through a {@link GradientExchange} whose model takes row numbers
 * ({@link BatchRows}), so its mini-batches carry labels, loss weights and row numbers only.
 *
 * <p>The rows have a fixed order, the order of their row numbers (0 to {@code size() - 1}); every
 * answer speaks of that order. An implementation answers from what it computed where the rows are; the
 * trainer calls each method a few times at most.
 */
public interface HeldRows {
    /** The number of rows, at least 1. */
    int size();

    /** The number of classes of the task, at least 2. */
    int numClasses();

    /** The shape of one example (the feature shape without the row dimension). */
    long[] exampleShape();

    /** The data type of the features as the rows are trained on (a floating-point type). */
    DataType dataType();

    /** The class index of every row, in row order. */
    int[] labels();

    /**
     * The SHA-256 fingerprint of the rows: equal to {@code LabeledData.fingerprint()} of a
     * {@code LabeledData} of the same rows in the same order, data type and class count (see
     * {@link RowsFingerprint}, which computes it from the features streamed in row order).
     */
    String fingerprint();

    /** The features of row 0, as {@code [1, exampleShape...]}: the trainer checks it fits the model's input. */
    INDArray firstExample();

    /** What the checks of the features found, computed where the rows are. */
    FeatureCheck featureCheck();

    /**
     * For every row of {@code validationFeatures}, the lowest row number of these rows whose features equal
     * it bit for bit, or -1 when none does. When the data types differ, both are compared widened to
     * {@code double} (exact for floats). A match must be confirmed on the bytes, never by a hash alone.
     *
     * @param validationFeatures the validation examples, {@code [rows, exampleShape...]}
     * @return one entry per validation row
     */
    int[] copiesOf(INDArray validationFeatures);

    /** Where the rows are, for messages (for example "the Dataset's rows on Spark's executors"). */
    String describe();

    /**
     * The result of the checks of the features.
     *
     * @param nonFiniteValues the number of NaN or infinite feature values
     * @param firstRow the lowest row number holding one, -1 when there is none
     * @param where where that row is, for the message (for example "row 3 of partition 1"); empty when none
     */
    record FeatureCheck(long nonFiniteValues, long firstRow, String where) {
        /** A check that found nothing. */
        public static FeatureCheck clean() {
            return new FeatureCheck(0, -1, "");
        }

        /** Whether every feature value is finite. */
        public boolean passed() {
            return nonFiniteValues == 0;
        }
    }
}
