package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

/**
 * A fairness measure held against two thresholds. For a difference, the verdict is
 * {@link Verdict#PASS} up to {@code warnAt}, {@link Verdict#WARN} up to {@code failAt} and
 * {@link Verdict#FAIL} above; for a ratio, {@code PASS} down to {@code warnAt}, {@code WARN} down to
 * {@code failAt} and {@code FAIL} below. Made by {@link Fairness#check}.
 *
 * @param measure the measure
 * @param value its value
 * @param warnAt the threshold past which the verdict is at least {@code WARN}
 * @param failAt the threshold past which the verdict is {@code FAIL}
 * @param verdict the verdict
 */
public record FairnessCheck(FairnessMeasure measure, double value, double warnAt, double failAt, Verdict verdict) {
    /** The outcome of a check. */
    public enum Verdict {
        /** Within the warning threshold. */
        PASS,
        /** Past the warning threshold, within the failure threshold. */
        WARN,
        /** Past the failure threshold. */
        FAIL
    }

    /** Compact constructor: checks the measure and verdict are given. */
    public FairnessCheck {
        requireNonNull(measure, "measure");
        requireNonNull(verdict, "verdict");
    }

    static FairnessCheck of(FairnessMeasure measure, double value, double warnAt, double failAt) {
        boolean ratio = measure.isRatio();
        boolean ordered = ratio ? 0 <= failAt && failAt <= warnAt && warnAt <= 1 : 0 <= warnAt && warnAt <= failAt && failAt <= 1;
        if (!ordered) {
            throw new IllegalArgumentException(measure + " thresholds must satisfy "
                    + (ratio ? "0 <= failAt <= warnAt <= 1" : "0 <= warnAt <= failAt <= 1") + ", got warnAt " + warnAt
                    + " and failAt " + failAt + (ratio ? "; for example warnAt 0.9, failAt 0.8" : "; for example warnAt 0.05, failAt 0.1"));
        }
        Verdict verdict = ratio
                ? value >= warnAt ? Verdict.PASS : value >= failAt ? Verdict.WARN : Verdict.FAIL
                : value <= warnAt ? Verdict.PASS : value <= failAt ? Verdict.WARN : Verdict.FAIL;
        return new FairnessCheck(measure, value, warnAt, failAt, verdict);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s %s %.4f (warn at %s, fail at %s)",
                verdict, measure.name().toLowerCase(java.util.Locale.ROOT), value, warnAt, failAt);
    }
}
