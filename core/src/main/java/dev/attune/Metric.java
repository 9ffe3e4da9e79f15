package dev.attune;

/**
 * A number computed from predictions: accuracy, F1, a calibration error. Implement it to plug a
 * metric of your own into training (validation history, early stopping) and evaluation; the
 * built-in ones come from {@code dev.attune.evaluation.Metrics}.
 */
public interface Metric {
    /** A short stable name, used as the key in histories and reports, for example {@code "f1_macro"}. */
    String name();

    /** The metric's value on the given predictions. */
    double compute(Predictions predictions);

    /** Whether a larger value is better (true by default); early stopping reads it. */
    default boolean higherIsBetter() {
        return true;
    }
}
