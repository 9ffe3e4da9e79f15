package dev.attune.evaluation;

import java.util.Locale;
import java.util.function.Supplier;
import org.assertj.core.api.AbstractAssert;

/**
 * A bound on one number computed from predictions: a metric, the calibration error, a fairness
 * measure. Made by {@link PredictionsAssert}; each method returns this assertion, so bounds chain:
 * {@code .isAtLeast(0.8).isAtMost(0.99)}. On failure the message gives the value, its bootstrap
 * interval and the per-class table.
 */
public final class MetricAssert extends AbstractAssert<MetricAssert, Double> {
    private final PredictionsAssert predictions;
    private final String name;
    private final boolean higherIsBetter;
    private final Supplier<ConfidenceInterval> interval;

    MetricAssert(PredictionsAssert predictions, String name, double value, boolean higherIsBetter,
                 Supplier<ConfidenceInterval> interval) {
        super(value, MetricAssert.class);
        this.predictions = predictions;
        this.name = name;
        this.higherIsBetter = higherIsBetter;
        this.interval = interval;
    }

    /**
     * Checks that the value is at least {@code bound}.
     *
     * @throws AssertionError when it is below
     */
    public MetricAssert isAtLeast(double bound) {
        return check(actual >= bound, "at least", bound);
    }

    /**
     * Checks that the value is above {@code bound}.
     *
     * @throws AssertionError when it is not
     */
    public MetricAssert isAbove(double bound) {
        return check(actual > bound, "above", bound);
    }

    /**
     * Checks that the value is at most {@code bound}.
     *
     * @throws AssertionError when it is above
     */
    public MetricAssert isAtMost(double bound) {
        return check(actual <= bound, "at most", bound);
    }

    /**
     * Checks that the value is below {@code bound}.
     *
     * @throws AssertionError when it is not
     */
    public MetricAssert isBelow(double bound) {
        return check(actual < bound, "below", bound);
    }

    /** The value checked. */
    public double value() {
        return actual;
    }

    private MetricAssert check(boolean holds, String relation, double bound) {
        if (holds) {
            return myself;
        }
        ConfidenceInterval ci;
        String intervalLine;
        try {
            ci = interval.get();
            intervalLine = String.format(Locale.ROOT, "%s%% bootstrap interval: %.4f to %.4f (%d resamples)",
                    Bootstrap.percent(ci.level()), ci.lower(), ci.upper(), ci.resamples());
        } catch (IllegalArgumentException e) {
            intervalLine = "bootstrap interval: undefined (" + e.getMessage() + ")";
        }
        String message = String.format(Locale.ROOT, "%nExpecting %s (%s is better) to be %s %s but was %.4f%n%s%n"
                        + "on %d examples; per class:%n%s",
                name, higherIsBetter ? "higher" : "lower", relation, bound, actual, intervalLine,
                predictions.size(), predictions.perClassTable());
        failWithMessage("%s", message);
        return myself;
    }
}
