package dev.attune;

import dev.attune.spi.BatchRows;
import dev.attune.spi.HeldRows;
import dev.attune.spi.TrainableModel;
import java.util.Arrays;
import java.util.Objects;

/**
 * The training data of a run on rows held elsewhere ({@link HeldRows}), as the trainer sees it: a
 * {@link LabeledData} of their labels, shape and fingerprint, after the checks that
 * {@link LabeledData#of} makes of data held here, answered from what the holder computed where the
 * rows are.
 */
final class HeldData {
    private HeldData() {
    }

    /**
     * The labels of {@code rows}, checked.
     *
     * @throws IllegalArgumentException for no rows, labels that are not one per row or are outside the class
     *     range, features that are not floating point, or NaN or infinite feature values (naming where)
     */
    static LabeledData of(HeldRows rows) {
        String where = Objects.requireNonNull(rows.describe(), "describe()");
        int n = rows.size();
        int classes = rows.numClasses();
        if (n < 1) {
            throw new IllegalArgumentException(where + " hold no rows; give at least one example per class");
        }
        if (classes < 2) {
            throw new IllegalArgumentException("numClasses must be at least 2, got " + classes + " for " + where
                    + "; a classifier needs two or more classes");
        }
        int[] labels = Objects.requireNonNull(rows.labels(), "labels()");
        if (labels.length != n) {
            throw new IllegalArgumentException(where + " hold " + n + " rows but " + labels.length
                    + " labels; give one label per row");
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at example " + i + " of " + where
                        + " is outside [0, " + classes + "); use class indices 0.." + (classes - 1)
                        + " or raise numClasses");
            }
        }
        if (!rows.dataType().isFPType()) {
            throw new IllegalArgumentException(where + " hold features of type " + rows.dataType()
                    + "; give floating-point features");
        }
        HeldRows.FeatureCheck check = Objects.requireNonNull(rows.featureCheck(), "featureCheck()");
        if (!check.passed()) {
            throw new IllegalArgumentException("features hold " + check.nonFiniteValues() + " NaN or infinite values"
                    + " (first in example " + check.firstRow() + ", " + check.where() + " of " + where
                    + "); clean or impute them before training");
        }
        long[] first = rows.firstExample().shape();
        if (!Arrays.equals(Arrays.copyOfRange(first, 1, first.length), rows.exampleShape()) || first[0] != 1) {
            throw new IllegalArgumentException("the first example of " + where + " has shape " + Arrays.toString(first)
                    + " but the rows' examples " + Arrays.toString(rows.exampleShape())
                    + "; give it as [1, exampleShape...]");
        }
        return LabeledData.labelsOf(rows, labels.clone(), classes);
    }

    /**
     * The features the trainer gathers the mini-batches of {@code train}, rows held elsewhere, from: none
     * ({@code null}), as {@code model} takes the mini-batches' row numbers instead.
     *
     * @throws IllegalArgumentException when {@code model} does not take row numbers
     */
    static org.nd4j.linalg.api.ndarray.INDArray takesRowNumbers(TrainableModel model, LabeledData train) {
        if (!(model instanceof BatchRows) || model.hasFrozenBottom()) {
            throw new IllegalArgumentException("the training rows are " + train.held().describe() + " but the"
                    + " exchange's model (" + model.getClass().getSimpleName() + ") does not take row numbers"
                    + " (dev.attune.spi.BatchRows) or encodes here (a frozen bottom), so it cannot compute their gradients; give an exchange whose model"
                    + " reads its rows where they are held");
        }
        return null;
    }
}
