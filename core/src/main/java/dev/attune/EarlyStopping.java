package dev.attune;

import static java.util.Objects.requireNonNull;

/**
 * Stops training when a validation measure has not improved for {@code patience} epochs, and
 * restores the weights of the best epoch. Immutable; needs a validation set.
 *
 * <pre>{@code EarlyStopping.on(Metrics.f1Macro()).patience(3)}</pre>
 *
 * Defaults: patience 5, minimum improvement 0.
 */
public final class EarlyStopping {
    /** The name under which the validation loss is recorded and monitored. */
    public static final String VALIDATION_LOSS = "val_loss";

    private final Metric metric;
    private final int patience;
    private final double minDelta;

    private EarlyStopping(Metric metric, int patience, double minDelta) {
        this.metric = metric;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Monitors a validation metric (higher or lower is better as the metric says). */
    public static EarlyStopping on(Metric metric) {
        return new EarlyStopping(requireNonNull(metric, "metric"), 5, 0);
    }

    /** Monitors the validation loss (lower is better). */
    public static EarlyStopping onValidationLoss() {
        return new EarlyStopping(null, 5, 0);
    }

    /**
     * Epochs without improvement before stopping.
     *
     * @throws IllegalArgumentException when below 1
     */
    public EarlyStopping patience(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("patience must be at least 1 epoch, got " + epochs);
        }
        return new EarlyStopping(metric, epochs, minDelta);
    }

    /**
     * The smallest change that counts as an improvement.
     *
     * @throws IllegalArgumentException when negative or not finite
     */
    public EarlyStopping minDelta(double delta) {
        if (!(delta >= 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("minDelta must be a finite number >= 0, got " + delta);
        }
        return new EarlyStopping(metric, patience, delta);
    }

    /** The monitored name: a metric's name or {@value #VALIDATION_LOSS}. */
    public String monitored() {
        return metric == null ? VALIDATION_LOSS : metric.name();
    }

    /** The monitored metric, or null for the validation loss. */
    Metric metric() {
        return metric;
    }

    /** Epochs without improvement before stopping. */
    public int patience() {
        return patience;
    }

    boolean higherIsBetter() {
        return metric != null && metric.higherIsBetter();
    }

    /** Whether {@code candidate} improves on {@code best} by more than the minimum change. */
    boolean improves(double candidate, double best) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        if (Double.isNaN(best)) {
            return true;
        }
        return higherIsBetter() ? candidate > best + minDelta : candidate < best - minDelta;
    }

    @Override
    public String toString() {
        return "EarlyStopping.on(" + monitored() + ").patience(" + patience + ").minDelta(" + minDelta + ")";
    }
}
