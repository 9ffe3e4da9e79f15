package dev.attune.monitoring;

import dev.attune.Predictions;
import dev.attune.evaluation.Bootstrap;
import dev.attune.evaluation.McNemar;
import dev.attune.evaluation.Metrics;
import dev.attune.evaluation.PairedComparison;
import java.util.Locale;
import java.util.Optional;

/**
 * Compares a retrained challenger with the serving version on held-out data and decides, by the policy, whether it
 * is promoted.
 */
final class ChallengerComparison {

    private ChallengerComparison() {
    }

    /**
     * The challenger's and serving version's accuracy on the same {@code examples} held-out examples, with their
     * paired bootstrap and McNemar test.
     */
    static RetrainEvent.Compared compare(int examples, Predictions challenger, Predictions current,
            RetrainPolicy policy) {
        PairedComparison paired = Bootstrap.of(Metrics.accuracy()).resamples(policy.resamples()).seed(policy.seed())
                .compare(challenger, current, 1 - policy.alpha());
        return new RetrainEvent.Compared(examples, challenger.score(Metrics.accuracy()),
                current.score(Metrics.accuracy()), paired, McNemar.exact(challenger, current));
    }

    /** Why the challenger is not promoted, or empty when it is. */
    static Optional<String> refusal(RetrainEvent.Compared c, RetrainPolicy policy) {
        double d = c.difference();
        if (!(d > 0) || d < policy.margin()) {
            return Optional.of(String.format(Locale.ROOT, "held-out accuracy %.4f against the serving version's %.4f:"
                    + " difference %+.4f is %s the margin %.4f", c.challengerAccuracy(), c.servingAccuracy(), d,
                    d > 0 ? "below" : "not above 0, nor", policy.margin()));
        }
        if (policy.significanceRequired()) {
            boolean mcnemar = c.mcnemar().pValue() < policy.alpha();
            boolean interval = c.bootstrap().lower() > 0;
            if (!mcnemar || !interval) {
                return Optional.of(String.format(Locale.ROOT, "held-out accuracy %.4f against %.4f (difference %+.4f,"
                        + " margin %.4f met) is not significant at alpha %.4f: McNemar p = %.4g%s, paired bootstrap"
                        + " interval %+.4f to %+.4f%s", c.challengerAccuracy(), c.servingAccuracy(), d, policy.margin(),
                        policy.alpha(), c.mcnemar().pValue(), mcnemar ? "" : " (not below alpha)", c.bootstrap().lower(),
                        c.bootstrap().upper(), interval ? "" : " (includes 0)"));
            }
        }
        return Optional.empty();
    }

    /** Why the challenger is promoted. */
    static String acceptance(RetrainEvent.Compared c, RetrainPolicy policy) {
        return String.format(Locale.ROOT, "held-out accuracy %.4f against %.4f, difference %+.4f at or above the margin"
                + " %.4f; McNemar p = %.4g, paired bootstrap interval %+.4f to %+.4f%s", c.challengerAccuracy(),
                c.servingAccuracy(), c.difference(), policy.margin(), c.mcnemar().pValue(), c.bootstrap().lower(),
                c.bootstrap().upper(), policy.significanceRequired()
                        ? String.format(Locale.ROOT, " (significant at alpha %.4f)", policy.alpha()) : "");
    }
}
