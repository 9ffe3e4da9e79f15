package dev.attune.search;

import static java.util.Objects.requireNonNull;

import dev.attune.EarlyStopping;
import dev.attune.EpochRecord;
import dev.attune.Metric;

/**
 * What a {@link Search} optimises: a validation metric that the trials record every epoch, to maximise
 * or minimise, or the validation loss, to minimise. Immutable.
 *
 * <pre>{@code Objective.maximize(Metrics.f1Macro())}   {@code Objective.validationLoss()}</pre>
 */
public final class Objective {
    private final String name;
    private final boolean higherIsBetter;

    private Objective(String name, boolean higherIsBetter) {
        this.name = name;
        this.higherIsBetter = higherIsBetter;
    }

    /** Maximises a validation metric; the trials' fine-tuners must record it ({@code metrics(...)}). */
    public static Objective maximize(Metric metric) {
        return new Objective(requireNonNull(metric, "metric").name(), true);
    }

    /** Minimises a validation metric; the trials' fine-tuners must record it ({@code metrics(...)}). */
    public static Objective minimize(Metric metric) {
        return new Objective(requireNonNull(metric, "metric").name(), false);
    }

    /** Optimises a validation metric the way the metric says is better ({@link Metric#higherIsBetter()}). */
    public static Objective of(Metric metric) {
        return new Objective(requireNonNull(metric, "metric").name(), metric.higherIsBetter());
    }

    /** Minimises the validation loss, which every fit with a validation set records. */
    public static Objective validationLoss() {
        return new Objective(EarlyStopping.VALIDATION_LOSS, false);
    }

    static Objective named(String name, boolean higherIsBetter) {
        return new Objective(name, higherIsBetter);
    }

    /** The metric's name ({@value EarlyStopping#VALIDATION_LOSS} for the validation loss). */
    public String name() {
        return name;
    }

    /** Whether larger values are better. */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * The objective's value in an epoch's record.
     *
     * @throws IllegalArgumentException when the record holds no such metric
     */
    double of(EpochRecord record) {
        if (!EarlyStopping.VALIDATION_LOSS.equals(name) && !record.metrics().containsKey(name)) {
            throw new IllegalArgumentException("the search's objective is metric '" + name + "', which the trials do"
                    + " not record (epoch " + record.epoch() + " recorded " + record.metrics().keySet() + " and "
                    + EarlyStopping.VALIDATION_LOSS + "); add it to the trials' metrics(...) in the mapping, or optimise a"
                    + " metric they record");
        }
        return record.metric(name);
    }

    /** Whether {@code a} is better than {@code b}; NaN is worse than any number. */
    boolean better(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        if (Double.isNaN(b)) {
            return true;
        }
        return higherIsBetter ? a > b : a < b;
    }

    /** The objective as text, for example {@code maximize f1_macro}. */
    @Override
    public String toString() {
        return (higherIsBetter ? "maximize " : "minimize ") + name;
    }
}
