package dev.attune.monitoring;

import static java.util.Objects.requireNonNull;

import dev.attune.evaluation.DriftLevel;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * When a served model is retrained, and what a challenger must show to replace it: the thresholds a
 * {@link Retrainer} acts on. Immutable; made by {@link #builder()}, every value checked at once.
 *
 * <pre>{@code
 * RetrainPolicy policy = RetrainPolicy.builder()
 *         .onDrift(DriftLevel.ALERT)               // a drift report at ALERT triggers
 *         .onAccuracyBelow(0.85, 200)              // or accuracy below 0.85 on the last 200 labelled examples
 *         .margin(0.02)                            // the challenger must be 2 points more accurate on held-out data
 *         .requireSignificance(0.05)               // and significantly so (McNemar and the paired bootstrap)
 *         .rollbackBelow(0.80, 200)                // roll back if the first 200 labelled examples after promotion score below 0.80
 *         .build();
 * }</pre>
 *
 * <p>Defaults: no trigger (at least one of {@link Builder#onDrift} and {@link Builder#onAccuracyBelow}
 * is required), margin 0, significance not required (reported at alpha 0.05), 1000 bootstrap
 * resamples with seed 1, training on the most recent 2000 labelled examples with at least 100 of them,
 * a held-out share of 0.3 of those examples when no fixed held-out set is given, a challenger's drift
 * reference built from the most recent 500 labelled examples (all kept ones when fewer are kept), a cool-down of 200
 * labelled examples after each retraining, no rollback watch, and changes recorded as made by
 * {@value #DEFAULT_ACTOR}.
 */
public final class RetrainPolicy {
    /** Who the registry's audit log names as making the retrainer's changes, unless {@link Builder#actor} says otherwise. */
    public static final String DEFAULT_ACTOR = "attune-retrain";

    /** The most recent labelled examples a challenger's drift reference is built from, unless {@link Builder#referenceOnRecent} says otherwise. */
    public static final int DEFAULT_REFERENCE_EXAMPLES = 500;

    private final DriftLevel driftLevel;
    private final double accuracyThreshold;
    private final int accuracyWindow;
    private final double margin;
    private final boolean significanceRequired;
    private final double alpha;
    private final int resamples;
    private final long seed;
    private final int recentExamples;
    private final int minTrainingExamples;
    private final double holdOutShare;
    private final int referenceExamples;
    private final int cooldown;
    private final double rollbackThreshold;
    private final int watchExamples;
    private final String actor;

    private RetrainPolicy(Builder b) {
        this.driftLevel = b.driftLevel;
        this.accuracyThreshold = b.accuracyThreshold;
        this.accuracyWindow = b.accuracyWindow;
        this.margin = b.margin;
        this.significanceRequired = b.significanceRequired;
        this.alpha = b.alpha;
        this.resamples = b.resamples;
        this.seed = b.seed;
        this.recentExamples = b.recentExamples;
        this.minTrainingExamples = b.minTrainingExamples;
        this.holdOutShare = b.holdOutShare;
        this.referenceExamples = b.referenceExamples == 0 ? Math.min(DEFAULT_REFERENCE_EXAMPLES, b.recentExamples)
                : b.referenceExamples;
        this.cooldown = b.cooldown;
        this.rollbackThreshold = b.rollbackThreshold;
        this.watchExamples = b.watchExamples;
        this.actor = b.actor;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The drift level at or beyond which a drift report triggers retraining, if drift triggers at all. */
    public Optional<DriftLevel> driftLevel() {
        return Optional.ofNullable(driftLevel);
    }

    /** The feedback accuracy below which retraining is triggered, if accuracy triggers at all. */
    public OptionalDouble accuracyThreshold() {
        return accuracyWindow == 0 ? OptionalDouble.empty() : OptionalDouble.of(accuracyThreshold);
    }

    /** The labelled live examples the feedback accuracy is measured on (the most recent ones); 0 without that trigger. */
    public int accuracyWindow() {
        return accuracyWindow;
    }

    /** How much more accurate on held-out data than the serving version a challenger must be to be promoted. */
    public double margin() {
        return margin;
    }

    /** Whether a challenger must also be significantly better (McNemar p below alpha, paired bootstrap interval above 0). */
    public boolean significanceRequired() {
        return significanceRequired;
    }

    /** The significance level of McNemar's test; the paired bootstrap's interval is at level {@code 1 - alpha}. */
    public double alpha() {
        return alpha;
    }

    /** The paired bootstrap's resamples. */
    public int resamples() {
        return resamples;
    }

    /** The seed of the paired bootstrap and of the held-out split of recent examples. */
    public long seed() {
        return seed;
    }

    /** The most recent labelled examples kept for fine-tuning a challenger. */
    public int recentExamples() {
        return recentExamples;
    }

    /** The fewest recent labelled examples a challenger is trained on; a trigger with fewer waits. */
    public int minTrainingExamples() {
        return minTrainingExamples;
    }

    /** The share of the recent examples held out for the comparison when no fixed held-out set is given. */
    public double holdOutShare() {
        return holdOutShare;
    }

    /**
     * The most recent labelled examples a challenger's drift reference is built from (the world it is
     * promoted for); at most {@link #recentExamples()}.
     */
    public int referenceExamples() {
        return referenceExamples;
    }

    /** The labelled examples that must come in after a retraining before the next trigger counts. */
    public int cooldown() {
        return cooldown;
    }

    /** The live accuracy after a promotion below which the promotion is rolled back, if it is watched at all. */
    public OptionalDouble rollbackThreshold() {
        return watchExamples == 0 ? OptionalDouble.empty() : OptionalDouble.of(rollbackThreshold);
    }

    /** The labelled examples after a promotion whose accuracy decides the rollback; 0 without a watch. */
    public int watchExamples() {
        return watchExamples;
    }

    /** Who the audit log names as making the changes. */
    public String actor() {
        return actor;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RetrainPolicy[");
        s.append(driftLevel().map(l -> "drift at " + l + ", ").orElse(""));
        if (accuracyWindow > 0) {
            s.append(String.format(Locale.ROOT, "accuracy below %.3f over %d, ", accuracyThreshold, accuracyWindow));
        }
        s.append(String.format(Locale.ROOT, "margin %.3f%s", margin,
                significanceRequired ? String.format(Locale.ROOT, ", significant at %.3f", alpha) : ""));
        if (watchExamples > 0) {
            s.append(String.format(Locale.ROOT, ", roll back below %.3f over %d", rollbackThreshold, watchExamples));
        }
        return s.append(']').toString();
    }

    /** Builds a {@link RetrainPolicy}; each option is checked when it is set. */
    public static final class Builder {
        private DriftLevel driftLevel;
        private double accuracyThreshold;
        private int accuracyWindow;
        private double margin;
        private boolean significanceRequired;
        private double alpha = 0.05;
        private int resamples = 1000;
        private long seed = 1;
        private int recentExamples = 2000;
        private int minTrainingExamples = 100;
        private double holdOutShare = 0.3;
        private int referenceExamples;
        private int cooldown = 200;
        private double rollbackThreshold;
        private int watchExamples;
        private String actor = DEFAULT_ACTOR;

        private Builder() {
        }

        /**
         * Retrain when a drift report's overall level is {@code level} or worse.
         *
         * @throws IllegalArgumentException for {@link DriftLevel#OK}, which every report reaches
         */
        public Builder onDrift(DriftLevel level) {
            requireNonNull(level, "level");
            if (level == DriftLevel.OK) {
                throw new IllegalArgumentException("a drift trigger at OK would fire on every report; use"
                        + " onDrift(DriftLevel.WARN) or onDrift(DriftLevel.ALERT)");
            }
            this.driftLevel = level;
            return this;
        }

        /**
         * Retrain when the serving model's accuracy on the last {@code window} labelled live examples
         * is below {@code threshold} (checked once {@code window} examples have come in).
         *
         * @throws IllegalArgumentException for a threshold outside {@code (0, 1]} or a window below 1
         */
        public Builder onAccuracyBelow(double threshold, int window) {
            this.accuracyThreshold = fraction("the accuracy trigger's threshold", threshold, "onAccuracyBelow(0.85, 200)");
            this.accuracyWindow = positive("the accuracy trigger's window", window, "onAccuracyBelow(0.85, 200)");
            return this;
        }

        /**
         * How much more accurate than the serving version on the held-out set a challenger must be
         * (a difference of accuracies, 0.02 = two points).
         *
         * @throws IllegalArgumentException for a negative, non-finite or 1 and above margin
         */
        public Builder margin(double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException("the margin is a difference of accuracies in [0, 1), got " + value
                        + "; use margin(0) to promote any better challenger, margin(0.02) for two points");
            }
            this.margin = value;
            return this;
        }

        /**
         * Promote only a significantly better challenger: McNemar's exact p-value below {@code alpha}
         * and the paired bootstrap's {@code 1 - alpha} interval of the accuracy difference above 0.
         *
         * @throws IllegalArgumentException for an alpha outside {@code (0, 0.5]}
         */
        public Builder requireSignificance(double alpha) {
            if (!(alpha > 0 && alpha <= 0.5)) {
                throw new IllegalArgumentException("the significance level alpha is in (0, 0.5], got " + alpha
                        + "; use requireSignificance(0.05)");
            }
            this.alpha = alpha;
            this.significanceRequired = true;
            return this;
        }

        /**
         * The paired bootstrap: its resamples (at least 100) and the seed (of the split of recent examples too).
         *
         * @throws IllegalArgumentException for fewer than 100 resamples
         */
        public Builder bootstrap(int resamples, long seed) {
            if (resamples < 100) {
                throw new IllegalArgumentException("the paired bootstrap needs at least 100 resamples, got " + resamples
                        + "; use bootstrap(1000, seed)");
            }
            this.resamples = resamples;
            this.seed = seed;
            return this;
        }

        /**
         * Keep the most recent {@code keep} labelled examples for fine-tuning, and train only once at
         * least {@code minimum} of them are there.
         *
         * @throws IllegalArgumentException for a minimum below 10 or above {@code keep}
         */
        public Builder trainOnRecent(int keep, int minimum) {
            if (minimum < 10 || keep < minimum) {
                throw new IllegalArgumentException("trainOnRecent(keep, minimum) needs 10 <= minimum <= keep, got keep "
                        + keep + " and minimum " + minimum + "; for example trainOnRecent(2000, 100)");
            }
            this.recentExamples = keep;
            this.minTrainingExamples = minimum;
            return this;
        }

        /**
         * The share of the recent examples held out (a seeded random choice) for the comparison, when
         * the retrainer has no fixed held-out set.
         *
         * @throws IllegalArgumentException for a share outside {@code [0.1, 0.5]}
         */
        public Builder holdOut(double share) {
            if (!(share >= 0.1 && share <= 0.5)) {
                throw new IllegalArgumentException("the held-out share of recent examples is in [0.1, 0.5], got " + share
                        + "; use holdOut(0.3)");
            }
            this.holdOutShare = share;
            return this;
        }

        /**
         * Build a challenger's drift reference (see {@code Retrainer.Builder.driftReference}) from the
         * most recent {@code examples} labelled examples: the world it is trained for now, not the older
         * examples it is also trained on. Without it, the most recent {@value #DEFAULT_REFERENCE_EXAMPLES}
         * (or all those kept, when {@link #trainOnRecent} keeps fewer).
         *
         * @throws IllegalArgumentException below 10 examples
         * @throws IllegalStateException    at {@link #build} when more than {@link #trainOnRecent} keeps
         */
        public Builder referenceOnRecent(int examples) {
            if (examples < 10) {
                throw new IllegalArgumentException("a drift reference is built from 10 or more recent labelled examples,"
                        + " got " + examples + "; for example referenceOnRecent(500), or the size of one labelled window");
            }
            this.referenceExamples = examples;
            return this;
        }

        /**
         * The labelled examples that must come in after a retraining (promoted or not) before a
         * trigger counts again.
         *
         * @throws IllegalArgumentException for a negative count
         */
        public Builder cooldown(int labelledExamples) {
            if (labelledExamples < 0) {
                throw new IllegalArgumentException("the cool-down is 0 or more labelled examples, got " + labelledExamples
                        + "; use cooldown(0) for none");
            }
            this.cooldown = labelledExamples;
            return this;
        }

        /**
         * Watch each promotion: once {@code watchExamples} labelled examples have come in after it,
         * roll production back to the version before when their accuracy is below {@code threshold}.
         *
         * @throws IllegalArgumentException for a threshold outside {@code (0, 1]} or a watch below 1 example
         */
        public Builder rollbackBelow(double threshold, int watchExamples) {
            this.rollbackThreshold = fraction("the rollback threshold", threshold, "rollbackBelow(0.80, 200)");
            this.watchExamples = positive("the rollback watch", watchExamples, "rollbackBelow(0.80, 200)");
            return this;
        }

        /**
         * Who the audit log names as making the changes.
         *
         * @throws IllegalArgumentException for a blank name
         */
        public Builder actor(String who) {
            requireNonNull(who, "who");
            if (who.isBlank()) {
                throw new IllegalArgumentException("the actor is the name the audit log records, got a blank one;"
                        + " for example actor(\"retrain-job\")");
            }
            this.actor = who;
            return this;
        }

        /**
         * The policy.
         *
         * @throws IllegalStateException when no trigger is set, or the drift reference is to be built from
         *     more examples than are kept
         */
        public RetrainPolicy build() {
            if (driftLevel == null && accuracyWindow == 0) {
                throw new IllegalStateException("a retrain policy needs a trigger; call onDrift(DriftLevel.ALERT),"
                        + " onAccuracyBelow(threshold, window) or both");
            }
            if (referenceExamples > recentExamples) {
                throw new IllegalStateException("referenceOnRecent(" + referenceExamples + ") asks for more examples"
                        + " than the " + recentExamples + " kept (trainOnRecent); give at most " + recentExamples
                        + " or keep more");
            }
            return new RetrainPolicy(this);
        }

        private static double fraction(String what, double value, String example) {
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException(what + " is an accuracy in (0, 1], got " + value + "; for example "
                        + example);
            }
            return value;
        }

        private static int positive(String what, int value, String example) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " is 1 or more labelled examples, got " + value
                        + "; for example " + example);
            }
            return value;
        }
    }
}
