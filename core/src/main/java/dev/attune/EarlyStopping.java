package dev.attune;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Stops training when a validation measure has not improved for {@code patience} epochs, and
 * restores the weights of the best epoch. Immutable; needs a validation set.
 *
 * <pre>{@code EarlyStopping.on(Metrics.f1Macro()).patience(3)}</pre>
 *
 * <p>With {@linkplain #subjectTo constraints} the best epoch is the best among the epochs whose
 * validation values meet every constraint, for example the best F1 among the epochs whose
 * demographic parity difference stays at or under 0.1:
 *
 * <pre>{@code EarlyStopping.on(Metrics.f1Macro()).patience(3)
 *         .subjectTo(Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, groups), 0.1)}</pre>
 *
 * An epoch that misses a constraint is no improvement, whatever its monitored value. When no epoch
 * meets them all, the model keeps the last epoch's weights and the run's provenance and listeners
 * get a warning that says so.
 *
 * Defaults: patience 5, minimum improvement 0, no constraints.
 */
public final class EarlyStopping {
    /** The name under which the validation loss is recorded and monitored. */
    public static final String VALIDATION_LOSS = "val_loss";

    /**
     * A bound on a validation metric that an epoch must meet to be chosen.
     *
     * @param metric the constrained metric
     * @param limit at most this when lower values of the metric are better, at least this when higher are
     */
    record Constraint(Metric metric, double limit) {
        boolean admits(double value) {
            return metric.higherIsBetter() ? value >= limit : value <= limit;
        }

        @Override
        public String toString() {
            return metric.name() + (metric.higherIsBetter() ? " >= " : " <= ") + limit;
        }
    }

    private final Metric metric;
    private final int patience;
    private final double minDelta;
    private final List<Constraint> constraints;

    private EarlyStopping(Metric metric, int patience, double minDelta, List<Constraint> constraints) {
        this.metric = metric;
        this.patience = patience;
        this.minDelta = minDelta;
        this.constraints = List.copyOf(constraints);
    }

    /** Monitors a validation metric (higher or lower is better as the metric says). */
    public static EarlyStopping on(Metric metric) {
        return new EarlyStopping(requireNonNull(metric, "metric"), 5, 0, List.of());
    }

    /** Monitors the validation loss (lower is better). */
    public static EarlyStopping onValidationLoss() {
        return new EarlyStopping(null, 5, 0, List.of());
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
        return new EarlyStopping(metric, epochs, minDelta, constraints);
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
        return new EarlyStopping(metric, patience, delta, constraints);
    }

    /**
     * Chooses the best epoch only among the epochs whose value of {@code constraint} on the validation
     * set is at most {@code limit} (when lower values of that metric are better, as for a fairness
     * gap) or at least {@code limit} (when higher are better). The metric is recorded every epoch.
     * Several constraints all apply.
     *
     * @throws IllegalArgumentException when the limit is not finite, or the metric is the monitored one
     *     or already constrained
     */
    public EarlyStopping subjectTo(Metric constraint, double limit) {
        requireNonNull(constraint, "constraint");
        if (!Double.isFinite(limit)) {
            throw new IllegalArgumentException("the limit of " + constraint.name() + " must be a finite number, got "
                    + limit);
        }
        if (constraint.name().equals(monitored())) {
            throw new IllegalArgumentException(constraint.name() + " is the monitored metric; constrain another one,"
                    + " or monitor another metric");
        }
        if (constraints.stream().anyMatch(c -> c.metric().name().equals(constraint.name()))) {
            throw new IllegalArgumentException(constraint.name() + " is already constrained; give each metric one"
                    + " limit");
        }
        List<Constraint> more = new ArrayList<>(constraints);
        more.add(new Constraint(constraint, limit));
        return new EarlyStopping(metric, patience, minDelta, more);
    }

    /** The constraints an epoch must meet to be chosen, in the order given. */
    List<Constraint> constraints() {
        return constraints;
    }

    /** The metrics it reads each epoch: the monitored one (none for the validation loss), then the constrained ones. */
    List<Metric> metrics() {
        List<Metric> all = new ArrayList<>();
        if (metric != null) {
            all.add(metric);
        }
        constraints.forEach(c -> all.add(c.metric()));
        return all;
    }

    /** The constraints that an epoch's record misses (a value that is NaN misses), empty when it meets them all. */
    List<Constraint> missed(EpochRecord record) {
        return constraints.stream().filter(c -> !c.admits(record.metric(c.metric().name()))).toList();
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
        StringBuilder b = new StringBuilder("EarlyStopping.on(" + monitored() + ").patience(" + patience
                + ").minDelta(" + minDelta + ")");
        constraints.forEach(c -> b.append(".subjectTo(").append(c).append(')'));
        return b.toString();
    }
}
