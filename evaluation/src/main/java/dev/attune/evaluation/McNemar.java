package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Predictions;

/**
 * McNemar's exact test of two models on the same test set: of the examples exactly one of the two
 * models predicts right, does each get about half? Under the null hypothesis that both are equally
 * often right, the first model's share of those {@code b + c} discordant examples is binomial with
 * {@code p = 1/2}; the p-value is the two-sided binomial test of {@code min(b, c)}:
 * {@code min(1, 2 P(X <= min(b, c)))} with {@code X ~ Binomial(b + c, 1/2)}, and 1 when no example is
 * discordant. This is statsmodels' {@code mcnemar(table, exact=True)} and SciPy's
 * {@code binomtest(min(b, c), b + c, 0.5).pvalue}.
 *
 * @param firstOnlyRight {@code b}: examples the first model predicts right and the second wrong
 * @param secondOnlyRight {@code c}: examples the second model predicts right and the first wrong
 * @param pValue the exact two-sided p-value, in {@code [0, 1]} (0 only where it is below the smallest double)
 */
public record McNemar(int firstOnlyRight, int secondOnlyRight, double pValue) {
    /**
     * The exact test on two models' predictions of the same examples.
     *
     * @throws IllegalArgumentException when the predictions are not on the same examples (sizes,
     *     classes or labels differ) or carry weights: the test counts examples
     */
    public static McNemar exact(Predictions first, Predictions second) {
        Bootstrap.requireSameExamples(first, second);
        if (first.weighted() || second.weighted()) {
            throw new IllegalArgumentException("McNemar's exact test counts examples and takes no weights;"
                    + " test the predictions without withWeights(...)");
        }
        int b = 0;
        int c = 0;
        for (int i = 0; i < first.size(); i++) {
            boolean a = first.predicted(i) == first.actual(i);
            boolean s = second.predicted(i) == second.actual(i);
            b += a && !s ? 1 : 0;
            c += s && !a ? 1 : 0;
        }
        return of(b, c);
    }

    /**
     * The exact test from the two discordant counts.
     *
     * @throws IllegalArgumentException when a count is negative
     */
    public static McNemar of(int firstOnlyRight, int secondOnlyRight) {
        if (firstOnlyRight < 0 || secondOnlyRight < 0) {
            throw new IllegalArgumentException("discordant counts must be 0 or more, got " + firstOnlyRight + " and "
                    + secondOnlyRight);
        }
        return new McNemar(firstOnlyRight, secondOnlyRight, pValue(firstOnlyRight, secondOnlyRight));
    }

    /** Compact constructor: checks the counts and the p-value's range. */
    public McNemar {
        if (firstOnlyRight < 0 || secondOnlyRight < 0 || !(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("counts must be 0 or more and the p-value in [0, 1], got "
                    + firstOnlyRight + ", " + secondOnlyRight + ", " + pValue + "; use McNemar.of(b, c)");
        }
    }

    private static double pValue(int b, int c) {
        int n = b + c;
        int k = Math.min(b, c);
        if (2 * k >= n) {
            return 1.0; // b == c: the observed split is the most likely one
        }
        // P(X <= k) summed in log space from P(X = 0) = 2^-n, so that large n neither under- nor overflows
        double logTerm = -n * Math.log(2);
        double max = logTerm;
        double[] logs = new double[k + 1];
        for (int i = 0; i <= k; i++) {
            logs[i] = logTerm;
            max = Math.max(max, logTerm);
            logTerm += Math.log(n - i) - Math.log(i + 1);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - max);
        }
        return Math.min(1.0, 2 * Math.exp(max + Math.log(sum)));
    }
}
