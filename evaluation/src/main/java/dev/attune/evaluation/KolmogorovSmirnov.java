package dev.attune.evaluation;

/**
 * The two-sample Kolmogorov-Smirnov test of whether two samples come from one distribution.
 *
 * <p>The statistic is {@code D = max_x |F_a(x) - F_b(x)|}, the largest distance between the two
 * empirical distribution functions ({@code F(x)} the share of the sample at or below {@code x}),
 * taken at every distinct value of the pooled samples: tied values, within or across the samples,
 * step both functions at once, as SciPy's {@code ks_2samp} does. The p-value is asymptotic:
 * {@code Q(sqrt(n m / (n + m)) D)} with Kolmogorov's limiting distribution
 * {@code Q(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)} (for {@code x < 1}, where that series
 * converges slowly, its equal {@code 1 - sqrt(2 pi) / x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2))});
 * this is SciPy's {@code kstwobign.sf}. It suits samples of some tens of values or more; for small
 * samples it is conservative, and SciPy's {@code ks_2samp} computes an exact p-value instead.
 *
 * @param statistic {@code D}, in [0, 1]
 * @param pValue the asymptotic two-sided p-value, in [0, 1]
 */
public record KolmogorovSmirnov(double statistic, double pValue) {
    /** Checks the ranges. */
    public KolmogorovSmirnov {
        if (!(statistic >= 0 && statistic <= 1) || !(pValue >= 0 && pValue <= 1)) {
            throw new IllegalArgumentException("the statistic and the p-value must be in [0, 1], got " + statistic
                    + " and " + pValue);
        }
    }

    /**
     * The test of two samples, in any order.
     *
     * @throws IllegalArgumentException when a sample is empty or holds a value that is not finite
     */
    public static KolmogorovSmirnov test(double[] a, double[] b) {
        return ofSorted(PopulationStability.sortedFinite(a, "first sample's"),
                PopulationStability.sortedFinite(b, "second sample's"));
    }

    static KolmogorovSmirnov ofSorted(double[] a, double[] b) {
        int n = a.length;
        int m = b.length;
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < n && j < m) {
            double x = Math.min(a[i], b[j]);
            while (i < n && a[i] == x) {
                i++;
            }
            while (j < m && b[j] == x) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / n - (double) j / m));
        }
        // Past the end of one sample the distance only shrinks to 0: the maximum is already taken.
        double en = (double) n * m / (n + m);
        return new KolmogorovSmirnov(d, survival(Math.sqrt(en) * d));
    }

    /**
     * Kolmogorov's limiting distribution's survival function {@code Q(x) = P(K > x)}.
     *
     * @param x the scaled statistic {@code sqrt(n m / (n + m)) D}
     * @return {@code Q(x)}, 1 for {@code x <= 0}
     */
    public static double survival(double x) {
        if (!(x > 0)) {
            return 1;
        }
        if (x < 1) {
            double w = Math.PI * Math.PI / (8 * x * x);
            double sum = 0;
            for (int k = 1; k < 100; k += 2) {
                double term = Math.exp(-k * k * w);
                sum += term;
                if (term <= 1e-18 * sum) {
                    break;
                }
            }
            return Math.min(1, Math.max(0, 1 - Math.sqrt(2 * Math.PI) / x * sum));
        }
        double sum = 0;
        for (int k = 1; k < 100; k++) {
            double term = Math.exp(-2.0 * k * k * x * x);
            sum += (k % 2 == 1 ? term : -term);
            if (term <= 1e-18 * Math.abs(sum)) {
                break;
            }
        }
        return Math.min(1, Math.max(0, 2 * sum));
    }
}
