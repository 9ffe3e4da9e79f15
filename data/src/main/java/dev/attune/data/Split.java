package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;

/**
 * Two disjoint parts of one data set, as made by {@link Splits}. Each part keeps the examples in
 * their original order.
 *
 * @param train the examples to train on
 * @param validation the examples held out
 */
public record Split(LabeledData train, LabeledData validation) {
    /** Checks that both parts are given. */
    public Split {
        requireNonNull(train, "train");
        requireNonNull(validation, "validation");
    }
}
