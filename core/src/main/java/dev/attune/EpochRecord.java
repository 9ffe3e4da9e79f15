package dev.attune;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * What one epoch of training measured.
 *
 * @param epoch the epoch number, from 1
 * @param trainLoss the mean cross-entropy over the epoch's mini-batches (the data loss, without the
 *     weight-decay term)
 * @param validationLoss the mean cross-entropy on the validation set, NaN without one
 * @param metrics the validation metrics by name, empty without a validation set
 * @param time the epoch's wall time, validation included
 */
public record EpochRecord(int epoch, double trainLoss, double validationLoss, Map<String, Double> metrics, Duration time) {
    /** Validates and copies. */
    public EpochRecord {
        metrics = Map.copyOf(requireNonNull(metrics, "metrics"));
        requireNonNull(time, "time");
    }

    /**
     * The value of a validation metric, or the validation loss for {@code "val_loss"}.
     *
     * @throws IllegalArgumentException when the metric was not recorded
     */
    public double metric(String name) {
        if (EarlyStopping.VALIDATION_LOSS.equals(name)) {
            return validationLoss;
        }
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("metric '" + name + "' was not recorded; recorded: " + metrics.keySet()
                    + " and " + EarlyStopping.VALIDATION_LOSS);
        }
        return v;
    }
}
