package dev.attune;

/**
 * A check of the training data that runs before training ({@link FineTuner.Builder#audit}): when it
 * fails, the fit stops before any weight changes. The data module's {@code DataAudit} is one.
 */
@FunctionalInterface
public interface TrainingDataCheck {
    /**
     * Checks the training data as given to {@code fit}.
     *
     * @throws IllegalStateException when the data fails the check: the message says which check, the
     *     value and the fix
     */
    void check(LabeledData train);
}
