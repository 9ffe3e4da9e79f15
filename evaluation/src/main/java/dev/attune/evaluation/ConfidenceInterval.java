package dev.attune.evaluation;

/**
 * A bootstrap percentile confidence interval of a metric. Made by {@link Bootstrap#interval}.
 *
 * @param metric the metric's name
 * @param estimate the metric on all the predictions (not a bootstrap mean)
 * @param lower the {@code (1 - level) / 2} quantile of the metric over the resamples
 * @param upper the {@code (1 + level) / 2} quantile of the metric over the resamples
 * @param level the confidence level, in {@code (0, 1)}, for example 0.95
 * @param resamples the number of resamples the quantiles were taken over
 */
public record ConfidenceInterval(String metric, double estimate, double lower, double upper, double level, int resamples) {
    /** For example {@code "accuracy 0.8125 (95% CI 0.7750 to 0.8500, 1000 resamples)"}. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s %.4f (%s%% CI %.4f to %.4f, %d resamples)",
                metric, estimate, Bootstrap.percent(level), lower, upper, resamples);
    }
}
