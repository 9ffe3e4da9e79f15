package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Seeded bootstrap confidence intervals for any metric, and the paired bootstrap of two models on the
 * same test set (percentile method, Efron and Tibshirani, 1993).
 *
 * <pre>{@code
 * ConfidenceInterval ci = Bootstrap.of(Metrics.f1Macro()).resamples(1000).seed(1).interval(predictions, 0.95);
 * PairedComparison c = Bootstrap.of(Metrics.accuracy()).compare(adapted, baseline, 0.95);
 * }</pre>
 *
 * <p>A resample draws {@code n} examples with replacement from the {@code n} given, as
 * {@code SplittableRandom(seed).nextInt(n)} calls in sequence (weights, if any, go with their
 * examples); the interval's ends are quantiles of the metric over the resamples, interpolated
 * linearly as numpy's {@code percentile} does by default. A resample on which the metric is
 * undefined (a single class for ROC-AUC) is drawn again; after ten times as many such draws as
 * resamples the bootstrap gives up with an exception. The same seed, predictions and options give
 * the same result.
 *
 * <p>Defaults: 1000 resamples, seed 1. Immutable; each option returns a new value, validated at once.
 */
public final class Bootstrap {
    private final Metric metric;
    private final int resamples;
    private final long seed;

    private Bootstrap(Metric metric, int resamples, long seed) {
        this.metric = metric;
        this.resamples = resamples;
        this.seed = seed;
    }

    /** A bootstrap of {@code metric} with the defaults: 1000 resamples, seed 1. */
    public static Bootstrap of(Metric metric) {
        return new Bootstrap(requireNonNull(metric, "metric"), 1000, 1);
    }

    /**
     * The number of resamples.
     *
     * @throws IllegalArgumentException when outside {@code [10, 10000000]}
     */
    public Bootstrap resamples(int value) {
        if (value < 10 || value > 10_000_000) {
            throw new IllegalArgumentException("bootstrap resamples must be in [10, 10000000], got " + value
                    + "; 1000 is the default, 10000 gives steadier interval ends");
        }
        return new Bootstrap(metric, value, seed);
    }

    /** The seed of the resampling. */
    public Bootstrap seed(long value) {
        return new Bootstrap(metric, resamples, value);
    }

    /**
     * The percentile interval of the metric at the given level.
     *
     * @param predictions the predictions to resample
     * @param level the confidence level, in {@code (0, 1)}, for example 0.95
     * @throws IllegalArgumentException when the level is outside {@code (0, 1)}, or the metric is
     *     undefined on the predictions or on too many resamples
     */
    public ConfidenceInterval interval(Predictions predictions, double level) {
        requireNonNull(predictions, "predictions");
        checkLevel(level);
        return interval(metric.name(), metric.compute(predictions), predictions.size(),
                indices -> metric.compute(predictions.select(indices)), level);
    }

    /**
     * The percentile interval of any statistic of {@code n} examples, resampled as
     * {@link #interval(Predictions, double)} resamples: {@code statistic} gets the indices of each
     * resample and throws {@link IllegalArgumentException} when it is undefined on them.
     */
    ConfidenceInterval interval(String name, double estimate, int n, ToDoubleFunction<int[]> statistic, double level) {
        checkLevel(level);
        double[] values = new double[resamples];
        SplittableRandom random = new SplittableRandom(seed);
        int[] indices = new int[n];
        int failures = 0;
        for (int b = 0; b < resamples; b++) {
            while (true) {
                draw(random, indices);
                try {
                    values[b] = statistic.applyAsDouble(indices);
                    break;
                } catch (IllegalArgumentException e) {
                    failures = fail(name, failures, e);
                }
            }
        }
        Arrays.sort(values);
        return new ConfidenceInterval(name, estimate, percentile(values, (1 - level) / 2),
                percentile(values, (1 + level) / 2), level, resamples);
    }

    /**
     * The paired bootstrap of the metric's difference between two models' predictions on the same
     * examples: every resample draws the same examples for both.
     *
     * @param first the first model's predictions
     * @param second the second model's predictions on the same examples, in the same order
     * @param level the confidence level, in {@code (0, 1)}
     * @throws IllegalArgumentException when the level is outside {@code (0, 1)}, the predictions are
     *     not on the same examples (sizes, classes, labels or weights differ), or the metric is
     *     undefined on them or on too many resamples
     */
    public PairedComparison compare(Predictions first, Predictions second, double level) {
        requireSameExamples(first, second);
        checkLevel(level);
        double difference = metric.compute(first) - metric.compute(second);
        double[] values = new double[resamples];
        double firstBetter = 0;
        SplittableRandom random = new SplittableRandom(seed);
        int[] indices = new int[first.size()];
        int failures = 0;
        for (int b = 0; b < resamples; b++) {
            while (true) {
                draw(random, indices);
                try {
                    double a = metric.compute(first.select(indices));
                    double c = metric.compute(second.select(indices));
                    values[b] = a - c;
                    firstBetter += a == c ? 0.5 : (a > c) == metric.higherIsBetter() ? 1 : 0;
                    break;
                } catch (IllegalArgumentException e) {
                    failures = fail(metric.name(), failures, e);
                }
            }
        }
        Arrays.sort(values);
        return new PairedComparison(metric.name(), difference, percentile(values, (1 - level) / 2),
                percentile(values, (1 + level) / 2), level, resamples, firstBetter / resamples);
    }

    private static void draw(SplittableRandom random, int[] indices) {
        for (int i = 0; i < indices.length; i++) {
            indices[i] = random.nextInt(indices.length);
        }
    }

    private int fail(String name, int failures, IllegalArgumentException e) {
        if (failures + 1 > 10L * resamples) {
            throw new IllegalArgumentException(name + " was undefined on " + (failures + 1)
                    + " resamples (the last: " + e.getMessage() + "); bootstrap a larger or more balanced test set", e);
        }
        return failures + 1;
    }

    private static void checkLevel(double level) {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("confidence level must be in (0, 1), got " + level + "; for example 0.95");
        }
    }

    /** Throws unless both predictions are on the same examples: sizes, classes, labels and weights agree. */
    static void requireSameExamples(Predictions first, Predictions second) {
        requireNonNull(first, "first");
        requireNonNull(second, "second");
        if (first.size() != second.size() || first.numClasses() != second.numClasses()) {
            throw new IllegalArgumentException("the two models' predictions differ in shape: " + first.size() + " examples of "
                    + first.numClasses() + " classes against " + second.size() + " of " + second.numClasses()
                    + "; compare predictions on the same test set");
        }
        for (int i = 0; i < first.size(); i++) {
            if (first.actual(i) != second.actual(i)) {
                throw new IllegalArgumentException("the two models' predictions have different labels at example " + i
                        + " (" + first.actual(i) + " against " + second.actual(i)
                        + "); compare predictions on the same test set, in the same order");
            }
            if (first.weight(i) != second.weight(i)) {
                throw new IllegalArgumentException("the two models' predictions have different weights at example " + i
                        + " (" + first.weight(i) + " against " + second.weight(i) + "); give both the same weights");
            }
        }
    }

    /** The {@code q} quantile of sorted values, interpolated linearly between order statistics (numpy's default). */
    static double percentile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        if (below >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        double t = position - below;
        return sorted[below] + (sorted[below + 1] - sorted[below]) * t;
    }

    static String percent(double level) {
        return new BigDecimal(Double.toString(level * 100)).stripTrailingZeros().toPlainString();
    }
}
