package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Group fairness of a binary classifier's predictions, as Fairlearn defines it. With the positive
 * class {@code 1} unless {@link #positiveClass} says otherwise, and the predicted class the most
 * probable one:
 * <ul>
 *   <li>a group's <b>selection rate</b> is the share of its examples predicted positive;</li>
 *   <li>its <b>true positive rate</b> the share of its positive examples predicted positive, its
 *       <b>false positive rate</b> the share of its negative examples predicted positive;</li>
 *   <li>the measures of {@link FairnessMeasure} compare these rates across groups (largest minus
 *       smallest, or smallest over largest).</li>
 * </ul>
 * Shares are weighted by the example weights, if any (Fairlearn's {@code sample_weight}).
 *
 * <p>A rate with no example to count is not defined: a group without positive examples has no true
 * positive rate, one without negative examples no false positive rate. Fairlearn reports 0 for such a
 * rate, which shows as a gap that the data do not support; here the measures that need it throw
 * {@link IllegalArgumentException} naming the group. When every group's selection rate is 0 the
 * demographic parity ratio is 1 (Fairlearn gives NaN).
 *
 * <pre>{@code
 * Fairness fairness = Fairness.of(predictions, Groups.of(region));
 * FairnessCheck check = fairness.check(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.8);
 * if (check.verdict() == FairnessCheck.Verdict.FAIL) { ... }
 * }</pre>
 *
 * Immutable.
 */
public final class Fairness {
    private final Predictions predictions;
    private final Map<String, int[]> members;
    private final int positive;

    private Fairness(Predictions predictions, Map<String, int[]> members, int positive) {
        this.predictions = predictions;
        this.members = members;
        this.positive = positive;
    }

    /**
     * The fairness of binary predictions across the groups of a column, positive class 1.
     *
     * @throws IllegalArgumentException when the task is not binary or the column's length differs from
     *     the predictions'
     */
    public static Fairness of(Predictions predictions, Groups groups) {
        requireNonNull(predictions, "predictions");
        requireNonNull(groups, "groups");
        if (predictions.numClasses() != 2) {
            throw new IllegalArgumentException("fairness measures need a binary task (2 classes), got "
                    + predictions.numClasses() + "; for a multi-class task compare any metric across groups with Groups.table");
        }
        return new Fairness(predictions, groups.membersOf(predictions), 1);
    }

    /**
     * The same with another positive class.
     *
     * @throws IllegalArgumentException when the class is not 0 or 1
     */
    public Fairness positiveClass(int c) {
        if (c != 0 && c != 1) {
            throw new IllegalArgumentException("the positive class of a binary task is 0 or 1, got " + c);
        }
        return new Fairness(predictions, members, c);
    }

    /** Each group's selection rate, in the groups' order. */
    public Map<String, Double> selectionRates() {
        return rates(null, "selection rate");
    }

    /**
     * Each group's true positive rate.
     *
     * @throws IllegalArgumentException when a group has no positive example
     */
    public Map<String, Double> truePositiveRates() {
        return rates(true, "true positive rate");
    }

    /**
     * Each group's false positive rate.
     *
     * @throws IllegalArgumentException when a group has no negative example
     */
    public Map<String, Double> falsePositiveRates() {
        return rates(false, "false positive rate");
    }

    /** {@link FairnessMeasure#DEMOGRAPHIC_PARITY_DIFFERENCE}, in {@code [0, 1]}. */
    public double demographicParityDifference() {
        return spread(selectionRates());
    }

    /** {@link FairnessMeasure#DEMOGRAPHIC_PARITY_RATIO}, in {@code [0, 1]}. */
    public double demographicParityRatio() {
        Map<String, Double> rates = selectionRates();
        double max = Collections.max(rates.values());
        return max == 0 ? 1.0 : Collections.min(rates.values()) / max;
    }

    /**
     * {@link FairnessMeasure#EQUALIZED_ODDS_DIFFERENCE}, in {@code [0, 1]}.
     *
     * @throws IllegalArgumentException when a group has no positive or no negative example
     */
    public double equalizedOddsDifference() {
        return Math.max(spread(truePositiveRates()), spread(falsePositiveRates()));
    }

    /**
     * {@link FairnessMeasure#EQUAL_OPPORTUNITY_DIFFERENCE}, in {@code [0, 1]}.
     *
     * @throws IllegalArgumentException when a group has no positive example
     */
    public double equalOpportunityDifference() {
        return spread(truePositiveRates());
    }

    /** The value of a measure. */
    public double value(FairnessMeasure measure) {
        return switch (requireNonNull(measure, "measure")) {
            case DEMOGRAPHIC_PARITY_DIFFERENCE -> demographicParityDifference();
            case DEMOGRAPHIC_PARITY_RATIO -> demographicParityRatio();
            case EQUALIZED_ODDS_DIFFERENCE -> equalizedOddsDifference();
            case EQUAL_OPPORTUNITY_DIFFERENCE -> equalOpportunityDifference();
        };
    }

    /**
     * A measure across the groups of one column as a {@link Metric} of the predictions it is given, so
     * that it is recorded every epoch and can constrain the choice of the best epoch:
     *
     * <pre>{@code
     * Metric parity = Fairness.metric(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, "sex", Groups.of(validationSex));
     * FineTuner.builder(base).earlyStopping(EarlyStopping.on(Metrics.f1Macro()).subjectTo(parity, 0.1)) ...
     * }</pre>
     *
     * Its name is the measure's in lower case, a colon and the column, for example
     * {@code "demographic_parity_difference:sex"}; a ratio is better when higher, a difference when lower.
     * The groups are those of the examples the predictions are made on, in the same order (for early
     * stopping: the validation set); positive class 1.
     *
     * @param column the group column's name, for the metric's name
     * @throws IllegalArgumentException when the column name is blank; when computed, as {@link #of} and
     *     {@link #value} throw
     */
    public static Metric metric(FairnessMeasure measure, String column, Groups groups) {
        requireNonNull(measure, "measure");
        requireNonNull(groups, "groups");
        if (requireNonNull(column, "column").isBlank()) {
            throw new IllegalArgumentException("the column name is blank; name the group column, for example \"sex\"");
        }
        String name = measure.name().toLowerCase(java.util.Locale.ROOT) + ":" + column;
        return new NamedMetric(name, measure.isRatio(), p -> of(p, groups).value(measure));
    }

    /**
     * A measure held against two thresholds; see {@link FairnessCheck} for the verdicts.
     *
     * @param warnAt for a difference the largest value that passes, for a ratio the smallest
     * @param failAt for a difference the largest value that only warns, for a ratio the smallest
     * @throws IllegalArgumentException when the thresholds are out of order or outside {@code [0, 1]}
     *     (a difference needs {@code warnAt <= failAt}, a ratio {@code failAt <= warnAt}), or the
     *     measure is undefined on these groups
     */
    public FairnessCheck check(FairnessMeasure measure, double warnAt, double failAt) {
        requireNonNull(measure, "measure");
        FairnessCheck.of(measure, 0.0, warnAt, failAt); // thresholds first, so a bad call fails fast
        return FairnessCheck.of(measure, value(measure), warnAt, failAt);
    }

    /** {@code among}: null for all examples, true for the positive ones, false for the negative ones. */
    private Map<String, Double> rates(Boolean among, String what) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : members.entrySet()) {
            double selected = 0;
            double total = 0;
            for (int i : e.getValue()) {
                if (among != null && (predictions.actual(i) == positive) != among) {
                    continue;
                }
                double w = predictions.weight(i);
                total += w;
                selected += predictions.predicted(i) == positive ? w : 0;
            }
            if (total == 0) {
                throw new IllegalArgumentException("the " + what + " of group '" + e.getKey() + "' is undefined: it has no "
                        + (among == null ? "example of positive weight" : among ? "positive example (class " + positive + ")"
                        : "negative example (class " + (1 - positive) + ")")
                        + "; merge it with another group or evaluate on more data");
            }
            rates.put(e.getKey(), selected / total);
        }
        return Collections.unmodifiableMap(rates);
    }

    private static double spread(Map<String, Double> rates) {
        return Collections.max(rates.values()) - Collections.min(rates.values());
    }
}
