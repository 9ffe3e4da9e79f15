package dev.attune.evaluation;

/**
 * How per-class precision, recall or F1 become one number, as scikit-learn's {@code average}
 * parameter. The classes averaged over are those that occur among the actual or the predicted
 * classes (scikit-learn's {@code labels=None}); a class of the task that occurs in neither is left out.
 */
public enum Average {
    /** The unweighted mean of the per-class values. */
    MACRO,
    /**
     * The value computed from the true positives, false positives and false negatives summed over the
     * classes; on single-label predictions micro precision, recall and F1 all equal the accuracy.
     */
    MICRO,
    /** The mean of the per-class values weighted by each class's support (its weight among the actual classes). */
    WEIGHTED;

    String suffix() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
