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
 * @param learningRate the learning rate of the epoch's last optimizer step (of the top layer group, with
 *     discriminative rates); NaN when not recorded
 */
public record EpochRecord(int epoch, double trainLoss, double validationLoss, Map<String, Double> metrics, Duration time,
                          double learningRate) {
    /** Validates and copies. */
    public EpochRecord {
        metrics = Map.copyOf(requireNonNull(metrics, "metrics"));
        requireNonNull(time, "time");
    }

    /** A record without a learning rate (NaN). */
    public EpochRecord(int epoch, double trainLoss, double validationLoss, Map<String, Double> metrics, Duration time) {
        this(epoch, trainLoss, validationLoss, metrics, time, Double.NaN);
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
