package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The Population Stability Index of one numeric feature: how far the current values' distribution
 * over bins has moved from the reference's.
 *
 * <p><b>Bins.</b> For {@code B} bins, the edges are the reference's quantiles at {@code k / B},
 * {@code k = 1 .. B-1}, by linear interpolation between order statistics (NumPy's default
 * {@code np.quantile}, Hyndman and Fan's type 7: for sorted values {@code x_0 <= .. <= x_{n-1}},
 * {@code h = (n - 1) k / B}, edge {@code x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h))}).
 * Repeated edges (a feature with ties, a discrete feature) are kept once, so such a feature has fewer
 * bins. The bins are {@code (-inf, e_1], (e_1, e_2], .., (e_last, +inf)}: a value equal to an edge
 * falls in the bin below it, and values outside the reference's range fall in the first or last bin.
 *
 * <p><b>Index.</b> With {@code r_i} and {@code c_i} the reference's and current values' shares of bin
 * {@code i}, each raised to {@value #EPSILON} when smaller (an empty bin would make the logarithm
 * infinite; the shares are not renormalised),
 * {@code PSI = sum_i (c_i - r_i) ln(c_i / r_i)}. It is 0 for equal shares and never negative. The
 * common rule of thumb reads below 0.1 as no shift, 0.1 to 0.25 as a moderate shift and above 0.25
 * as a major one. The same formula over classes instead of bins gives the predicted-class PSI
 * ({@link #ofShares}).
 */
public final class PopulationStability {
    /** The smallest share a bin counts with: {@value}. */
    public static final double EPSILON = 1e-4;
    /** The default number of bins: {@value}. */
    public static final int DEFAULT_BINS = 10;

    private PopulationStability() {
    }

    /**
     * The PSI of {@code current} against {@code reference} over {@value #DEFAULT_BINS} quantile bins of the reference.
     *
     * @throws IllegalArgumentException when either is empty or holds a value that is not finite
     */
    public static double of(double[] reference, double[] current) {
        return of(reference, current, DEFAULT_BINS);
    }

    /**
     * The PSI of {@code current} against {@code reference} over {@code bins} quantile bins of the reference.
     *
     * @throws IllegalArgumentException when either is empty or holds a value that is not finite, or
     *     {@code bins} is outside [2, 1000]
     */
    public static double of(double[] reference, double[] current, int bins) {
        double[] sorted = sortedFinite(reference, "reference");
        double[] edges = edgesOfSorted(sorted, bins);
        return ofShares(sharesOfSorted(sorted, edges), sharesOfSorted(sortedFinite(current, "current"), edges));
    }

    /**
     * The bin edges of a reference, as the class description defines them.
     *
     * @param reference the reference values, in any order
     * @param bins the number of quantile bins before repeated edges are merged, in [2, 1000]
     * @return the distinct edges, increasing; at most {@code bins - 1}
     * @throws IllegalArgumentException for an empty reference, a value that is not finite, or bins out of range
     */
    public static double[] edges(double[] reference, int bins) {
        return edgesOfSorted(sortedFinite(reference, "reference"), bins);
    }

    /**
     * Each bin's share of the values: {@code edges.length + 1} shares summing to 1.
     *
     * @param values the values, in any order
     * @param edges increasing edges, as {@link #edges} gives them
     * @throws IllegalArgumentException when there is no value or a value is not finite
     */
    public static double[] shares(double[] values, double[] edges) {
        return sharesOfSorted(sortedFinite(values, "values"), edges);
    }

    /**
     * {@code sum_i (c_i - r_i) ln(c_i / r_i)}, each share first raised to {@value #EPSILON}.
     *
     * @param reference the reference's shares of each bin or class
     * @param current the current shares, as many
     * @throws IllegalArgumentException when the counts differ or a share is outside [0, 1]
     */
    public static double ofShares(double[] reference, double[] current) {
        requireNonNull(reference, "reference");
        requireNonNull(current, "current");
        if (reference.length != current.length) {
            throw new IllegalArgumentException("got " + reference.length + " reference shares but " + current.length
                    + " current shares; give one share per bin or class in both");
        }
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            for (double s : new double[] {reference[i], current[i]}) {
                if (!(s >= 0 && s <= 1)) {
                    throw new IllegalArgumentException("share " + s + " of bin " + i + " is outside [0, 1]");
                }
            }
            double r = Math.max(reference[i], EPSILON);
            double c = Math.max(current[i], EPSILON);
            psi += (c - r) * Math.log(c / r);
        }
        return psi;
    }

    static double[] edgesOfSorted(double[] sorted, int bins) {
        if (bins < 2 || bins > 1000) {
            throw new IllegalArgumentException("the number of PSI bins must be in [2, 1000], got " + bins + "; "
                    + DEFAULT_BINS + " is the default");
        }
        int n = sorted.length;
        double[] edges = new double[bins - 1];
        int kept = 0;
        for (int k = 1; k < bins; k++) {
            double h = (n - 1) * (double) k / bins;
            int lo = (int) Math.floor(h);
            int hi = Math.min(lo + 1, n - 1);
            double e = sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
            if (kept == 0 || e > edges[kept - 1]) {
                edges[kept++] = e;
            }
        }
        return Arrays.copyOf(edges, kept);
    }

    static double[] sharesOfSorted(double[] sorted, double[] edges) {
        double[] shares = new double[edges.length + 1];
        int bin = 0;
        for (double x : sorted) {
            while (bin < edges.length && x > edges[bin]) {
                bin++;
            }
            shares[bin]++;
        }
        for (int i = 0; i < shares.length; i++) {
            shares[i] /= sorted.length;
        }
        return shares;
    }

    static double[] sortedFinite(double[] values, String what) {
        requireNonNull(values, what);
        if (values.length == 0) {
            throw new IllegalArgumentException("the " + what + " values are empty; give at least one value");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " value " + i + " is " + values[i]
                        + "; drift is measured on finite values: impute or drop it first");
            }
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted;
    }
}
