package dev.attune.data;

/** How a categorical column of a table becomes features. */
public enum Encoding {
    /**
     * One feature per category seen in the training data, 1 for the example's category and 0 for the
     * others; feature names are {@code column=category}.
     */
    ONE_HOT,
    /**
     * One feature holding the category's index among the training data's categories (0, 1, ...), as
     * a float and not standardised; for ordered categories or an embedding layer.
     */
    INDEX
}
