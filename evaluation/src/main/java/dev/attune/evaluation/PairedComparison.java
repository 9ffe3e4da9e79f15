package dev.attune.evaluation;

/**
 * Two models compared on the same test set by a paired bootstrap of a metric's difference: each
 * resample draws the same examples for both. Made by {@link Bootstrap#compare}.
 *
 * @param metric the metric's name
 * @param difference the metric of the first model minus that of the second, on all the predictions
 * @param lower the {@code (1 - level) / 2} quantile of the difference over the resamples
 * @param upper the {@code (1 + level) / 2} quantile of the difference over the resamples
 * @param level the confidence level, in {@code (0, 1)}
 * @param resamples the number of resamples
 * @param probabilityFirstBetter the share of resamples in which the first model scores better than
 *     the second (higher, or lower for a metric where lower is better), ties counting half
 */
public record PairedComparison(String metric, double difference, double lower, double upper, double level, int resamples,
                               double probabilityFirstBetter) {
    /** Whether the interval of the difference excludes 0. */
    public boolean significant() {
        return lower > 0 || upper < 0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "%s difference %.4f (%s%% CI %.4f to %.4f, %d paired resamples), first better in %.1f%%",
                metric, difference, Bootstrap.percent(level), lower, upper, resamples, 100 * probabilityFirstBetter);
    }
}
