package dev.attune.monitoring;

import static java.util.Objects.requireNonNull;

import dev.attune.evaluation.DriftReference;
import dev.attune.evaluation.DriftReport;
import dev.attune.evaluation.McNemar;
import dev.attune.evaluation.PairedComparison;
import dev.attune.registry.ModelVersion;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One decision of a {@link Retrainer}, as it comes back to the caller (and to its listeners) in the
 * order it was taken. The decisions that change the registry are also in its audit log:
 * {@link Registered} (with the trigger, the training and the comparison in its reason),
 * {@link Promoted}, {@link Rejected} (the challenger is archived) and {@link RolledBack}.
 */
public sealed interface RetrainEvent {
    /** One line for people, with the figures. */
    String summary();

    /**
     * Retraining was triggered.
     *
     * @param reason           what crossed which threshold, with the figures
     * @param drift            the drift report, when drift triggered
     * @param feedbackAccuracy the serving model's accuracy on the feedback window, when it was measured
     */
    record Triggered(String reason, Optional<DriftReport> drift, OptionalDouble feedbackAccuracy) implements RetrainEvent {
        /** Checks that nothing is null. */
        public Triggered {
            requireNonNull(reason, "reason");
            requireNonNull(drift, "drift");
            requireNonNull(feedbackAccuracy, "feedbackAccuracy");
        }

        @Override
        public String summary() {
            return "triggered: " + reason;
        }
    }

    /**
     * A trigger came but too few labelled examples are there to train on: nothing was trained.
     *
     * @param reason    the trigger
     * @param available the recent labelled examples there are
     * @param needed    the fewest the policy trains on
     */
    record Deferred(String reason, int available, int needed) implements RetrainEvent {
        /** Checks that nothing is null. */
        public Deferred {
            requireNonNull(reason, "reason");
        }

        @Override
        public String summary() {
            return "deferred: " + reason + "; " + available + " labelled examples, " + needed + " needed to train";
        }
    }

    /**
     * A challenger was fine-tuned from the serving version's network.
     *
     * @param fromVersion the serving version it started from
     * @param examples    the labelled examples it was trained on
     * @param epochs      the epochs run
     * @param wallTime    how long the fine-tuning took
     */
    record Trained(int fromVersion, int examples, int epochs, Duration wallTime) implements RetrainEvent {
        /** Checks that nothing is null. */
        public Trained {
            requireNonNull(wallTime, "wallTime");
        }

        @Override
        public String summary() {
            return String.format(Locale.ROOT, "trained: %d epochs on %d recent labelled examples from v%d", epochs, examples,
                    fromVersion);
        }
    }

    /**
     * The challenger and the serving version on the same held-out examples.
     *
     * @param examples           the held-out examples
     * @param challengerAccuracy the challenger's accuracy
     * @param servingAccuracy    the serving version's accuracy
     * @param bootstrap          the paired bootstrap of the accuracy difference (challenger minus serving)
     * @param mcnemar            McNemar's exact test (first model: the challenger)
     */
    record Compared(int examples, double challengerAccuracy, double servingAccuracy, PairedComparison bootstrap,
                    McNemar mcnemar) implements RetrainEvent {
        /** Checks that nothing is null. */
        public Compared {
            requireNonNull(bootstrap, "bootstrap");
            requireNonNull(mcnemar, "mcnemar");
        }

        /** The challenger's accuracy minus the serving version's. */
        public double difference() {
            return challengerAccuracy - servingAccuracy;
        }

        @Override
        public String summary() {
            return String.format(Locale.ROOT, "compared on %d held-out examples: challenger accuracy %.4f, serving %.4f,"
                    + " difference %+.4f (%s%% CI %+.4f to %+.4f, %d paired resamples); McNemar challenger-only right %d,"
                    + " serving-only right %d, p = %.4g", examples, challengerAccuracy, servingAccuracy, difference(),
                    percent(bootstrap.level()), bootstrap.lower(), bootstrap.upper(), bootstrap.resamples(),
                    mcnemar.firstOnlyRight(), mcnemar.secondOnlyRight(), mcnemar.pValue());
        }
    }

    /**
     * The challenger was registered as a new version (not yet in any stage).
     *
     * @param version the new version
     */
    record Registered(ModelVersion version) implements RetrainEvent {
        /** Checks that nothing is null. */
        public Registered {
            requireNonNull(version, "version");
        }

        @Override
        public String summary() {
            return "registered: " + version.label();
        }
    }

    /**
     * The challenger was promoted to production.
     *
     * @param version  the challenger, now in production
     * @param replaced       the version it replaced (archived)
     * @param reason         why, with the figures
     * @param driftReference the drift reference its package carries (built from the most recent labelled
     *                       examples, {@link RetrainPolicy#referenceExamples()}), which the retrainer's monitor
     *                       now measures against; empty when the retrainer builds no reference
     */
    record Promoted(ModelVersion version, int replaced, String reason, Optional<DriftReference> driftReference)
            implements RetrainEvent {
        /** Checks that nothing is null. */
        public Promoted {
            requireNonNull(version, "version");
            requireNonNull(reason, "reason");
            requireNonNull(driftReference, "driftReference");
        }

        @Override
        public String summary() {
            return "promoted " + version.label() + " over v" + replaced + ": " + reason;
        }
    }

    /**
     * The challenger was not promoted; it was archived.
     *
     * @param version the challenger, archived
     * @param reason  why, with the figures
     */
    record Rejected(ModelVersion version, String reason) implements RetrainEvent {
        /** Checks that nothing is null. */
        public Rejected {
            requireNonNull(version, "version");
            requireNonNull(reason, "reason");
        }

        @Override
        public String summary() {
            return "rejected " + version.label() + ": " + reason;
        }
    }

    /**
     * A promotion's watch ended with live accuracy at or above the rollback threshold: it stays.
     *
     * @param version  the promoted version
     * @param accuracy its accuracy on the watched examples
     * @param examples the watched labelled examples
     */
    record WatchPassed(ModelVersion version, double accuracy, int examples) implements RetrainEvent {
        /** Checks that nothing is null. */
        public WatchPassed {
            requireNonNull(version, "version");
        }

        @Override
        public String summary() {
            return String.format(Locale.ROOT, "kept %s: live accuracy %.4f on %d labelled examples after its promotion",
                    version.label(), accuracy, examples);
        }
    }

    /**
     * Production was rolled back: the promoted version's live accuracy fell below the threshold.
     *
     * @param restored the version back in production
     * @param from     the version rolled back (archived)
     * @param accuracy its live accuracy on the watched examples
     * @param examples the watched labelled examples
     * @param reason   why, with the figures
     * @param driftReference the restored version's own drift reference (the one its package carries), which
     *                 the retrainer's monitor now measures against; empty when it has none
     */
    record RolledBack(ModelVersion restored, int from, double accuracy, int examples, String reason,
                      Optional<DriftReference> driftReference) implements RetrainEvent {
        /** Checks that nothing is null. */
        public RolledBack {
            requireNonNull(restored, "restored");
            requireNonNull(reason, "reason");
            requireNonNull(driftReference, "driftReference");
        }

        @Override
        public String summary() {
            return "rolled back v" + from + " to " + restored.label() + ": " + reason;
        }
    }

    private static String percent(double level) {
        double p = 100 * level;
        return p == Math.rint(p) ? Long.toString(Math.round(p)) : Double.toString(p);
    }
}
