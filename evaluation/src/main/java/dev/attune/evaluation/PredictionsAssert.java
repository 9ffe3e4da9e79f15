package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a model's predictions: pick what to check ({@link #metric}, {@link #calibrationError},
 * {@link #parityDifference}), then bound it with {@link MetricAssert}. A failure reports the value,
 * its percentile bootstrap interval (see {@link Bootstrap}; computed only on failure) and the
 * per-class precision, recall, F1 and support. Made by {@link EvaluationAssertions#assertThat}.
 *
 * <p>Defaults: a 95% interval from 1000 resamples, seed 1.
 */
public final class PredictionsAssert extends AbstractAssert<PredictionsAssert, Predictions> {
    private double level = 0.95;
    private int resamples = 1000;
    private long seed = 1;
    private final Map<String, Groups> columns;

    PredictionsAssert(Predictions actual, Map<String, Groups> columns) {
        super(actual, PredictionsAssert.class);
        this.columns = columns;
    }

    /**
     * The bootstrap of the interval in failure messages.
     *
     * @param level the confidence level, in {@code (0, 1)}
     * @param resamples the number of resamples, in {@code [10, 10000000]}
     * @param seed the seed of the resampling
     * @throws IllegalArgumentException when the level or the number of resamples is out of range
     */
    public PredictionsAssert withInterval(double level, int resamples, long seed) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level + "; for example 0.95");
        }
        Bootstrap.of(Metrics.accuracy()).resamples(resamples); // refuses a count out of range, with Bootstrap's message
        this.level = level;
        this.resamples = resamples;
        this.seed = seed;
        return myself;
    }

    /** The value of a metric on the predictions, to bound. */
    public MetricAssert metric(Metric metric) {
        requireNonNull(metric, "metric");
        isNotNull();
        Predictions p = actual;
        return bound(metric.name(), metric.compute(p), metric.higherIsBetter(),
                () -> bootstrap().interval(metric.name(), metric.compute(p), p.size(),
                        indices -> metric.compute(p.select(indices)), level));
    }

    /**
     * The expected calibration error ({@link Metrics#expectedCalibrationError()}: 15 equal-width bins
     * of the top-class confidence), to bound.
     */
    public MetricAssert calibrationError() {
        return metric(Metrics.expectedCalibrationError());
    }

    /**
     * The demographic parity difference across the groups ({@link Fairness#demographicParityDifference},
     * positive class 1), to bound. A bootstrap resample that misses a group is drawn again.
     *
     * @throws IllegalArgumentException when the task is not binary or the column's length differs from
     *     the predictions'
     */
    public MetricAssert parityDifference(Groups groups) {
        requireNonNull(groups, "groups");
        isNotNull();
        Predictions p = actual;
        String name = "demographic_parity_difference";
        double value = Fairness.of(p, groups).demographicParityDifference();
        int groupCount = groups.names().size();
        return bound(name, value, false, () -> bootstrap().interval(name, value, p.size(), indices -> {
            String[] labels = new String[indices.length];
            for (int j = 0; j < indices.length; j++) {
                labels[j] = groups.group(indices[j]);
            }
            Groups resampled = Groups.of(labels);
            if (resampled.names().size() != groupCount) {
                throw new IllegalArgumentException("a group has no example in this resample");
            }
            return Fairness.of(p.select(indices), resampled).demographicParityDifference();
        }, level));
    }

    /**
     * The demographic parity difference across the groups of a column that the evaluation report was
     * given ({@code EvaluationReport.Builder.groups(column, groups)}), as {@link #parityDifference(Groups)}.
     *
     * @throws IllegalArgumentException when the report has no such column (the message lists those it has)
     */
    public MetricAssert parityDifference(String column) {
        requireNonNull(column, "column");
        Groups groups = columns.get(column);
        if (groups == null) {
            throw new IllegalArgumentException(columns.isEmpty()
                    ? "no group column named '" + column + "': these predictions carry none; pass the groups,"
                            + " parityDifference(Groups.of(...)), or give the report the column with groups(\""
                            + column + "\", ...)"
                    : "no group column named '" + column + "'; the report has " + columns.keySet());
        }
        return parityDifference(groups);
    }

    private Bootstrap bootstrap() {
        return Bootstrap.of(Metrics.accuracy()).resamples(resamples).seed(seed);
    }

    /** Per class: precision, recall, F1 and support (weighted by the example weights, if any). */
    String perClassTable() {
        Predictions p = actual;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-6s %9s %9s %9s %9s", "class", "precision",
                "recall", "f1", "support"));
        for (int c = 0; c < p.numClasses(); c++) {
            double support = 0;
            for (int i = 0; i < p.size(); i++) {
                support += p.actual(i) == c ? p.weight(i) : 0;
            }
            b.append(String.format(Locale.ROOT, "%n%-6d %9.4f %9.4f %9.4f %9s", c, p.score(Metrics.precisionOfClass(c)),
                    p.score(Metrics.recallOfClass(c)), p.score(Metrics.f1OfClass(c)),
                    support == Math.rint(support) ? Long.toString((long) support) : String.format(Locale.ROOT, "%.2f", support)));
        }
        return b.toString();
    }

    /** The number of examples. */
    int size() {
        return actual.size();
    }

    /** A bound on {@code value}, described as this assertion is. */
    private MetricAssert bound(String name, double value, boolean higherIsBetter, Supplier<ConfidenceInterval> interval) {
        MetricAssert bound = new MetricAssert(this, name, value, higherIsBetter, interval);
        return info.hasDescription() ? bound.describedAs(info.description()) : bound;
    }
}
