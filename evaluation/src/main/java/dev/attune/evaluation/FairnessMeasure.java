package dev.attune.evaluation;

/**
 * The group fairness measures of {@link Fairness}, as Fairlearn defines them, on a binary task.
 * A difference is 0 at parity and worse when larger; a ratio is 1 at parity and worse when smaller.
 */
public enum FairnessMeasure {
    /** The largest minus the smallest selection rate of the groups: Fairlearn's {@code demographic_parity_difference}. */
    DEMOGRAPHIC_PARITY_DIFFERENCE(false),
    /** The smallest over the largest selection rate: Fairlearn's {@code demographic_parity_ratio}. */
    DEMOGRAPHIC_PARITY_RATIO(true),
    /**
     * The larger of the spread (largest minus smallest) of the groups' true positive rates and that of
     * their false positive rates: Fairlearn's {@code equalized_odds_difference}.
     */
    EQUALIZED_ODDS_DIFFERENCE(false),
    /** The spread of the groups' true positive rates: Fairlearn's {@code equal_opportunity_difference}. */
    EQUAL_OPPORTUNITY_DIFFERENCE(false);

    private final boolean ratio;

    FairnessMeasure(boolean ratio) {
        this.ratio = ratio;
    }

    /** Whether the measure is a ratio (1 at parity, higher is better) rather than a difference (0 at parity). */
    public boolean isRatio() {
        return ratio;
    }
}
