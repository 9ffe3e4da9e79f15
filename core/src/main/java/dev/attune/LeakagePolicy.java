package dev.attune;

/**
 * What {@link FineTuner#fit(LabeledData, LabeledData)} does when validation examples are exact
 * copies of training examples: features equal bit for bit (so {@code 0.0} and {@code -0.0} differ),
 * labels not compared. A validation score measured on copies of training examples overstates how the
 * model does on new data, and early stopping on it picks the wrong epoch. Set with
 * {@link FineTuner.Builder#leakage}; the default is {@link #REFUSE}. Near-duplicates (rounded or
 * re-encoded copies) are not looked for here; {@code attune-data}'s {@code Leakage} finds those.
 */
public enum LeakagePolicy {
    /**
     * Refuse to train: {@code fit} throws an {@link IllegalArgumentException} that names how many
     * validation examples are copies and one pair of row indices (the default).
     */
    REFUSE,
    /**
     * Train anyway: tell every listener through {@link TrainingListener#onWarning} and keep the
     * finding in {@link Provenance#warnings()}.
     */
    WARN,
    /** Do not look for copies (no cost, nothing recorded). */
    IGNORE
}
