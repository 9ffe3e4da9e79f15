package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The drift measures against hand computations and against SciPy 1.17.1 and NumPy 2.4.6, whose values
 * {@code /usr/bin/python3 evaluation/src/test/python/expected_drift.py} printed once (the samples are
 * copied from there). The Kolmogorov-Smirnov statistic is {@code ks_2samp}'s; the p-value is
 * {@code kstwobign.sf(sqrt(n m / (n + m)) D)}, Kolmogorov's limiting distribution. (SciPy's
 * {@code ks_2samp(method="asymp")} uses the finite-n distribution {@code kstwo.sf(D, round(n m / (n + m)))}
 * instead: 0.2198 against 0.3506 for A and B below, 0.000365 against 0.000460 for LA and LC.)
 */
class DriftMeasuresTest {
    private static final double[] A = {0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1};
    private static final double[] B = {0.4, 1.0, 1.1, 2.5, 2.6, 3.3, 4.0, 4.4};
    private static final double[] TA = {1, 1, 2, 2, 2, 3, 4};
    private static final double[] TB = {1, 2, 2, 3, 3, 3, 5, 5};

    /** {@code [(i * mul % mod) / 10.0 + add for i in range(n)]}, as the Python script builds LA, LB and LC. */
    private static double[] formula(int n, int mul, int mod, double add) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * mul % mod) / 10.0 + add;
        }
        return v;
    }

    private static final double[] LA = formula(150, 37, 101, 0);
    private static final double[] LB = formula(230, 53, 103, 0.5);
    private static final double[] LC = formula(230, 53, 103, 2.0);

    @Test
    void ksStatisticIsTheLargestDistanceOfTheEmpiricalDistributionsByHand() {
        // At 2.2: 6 of A's 7 values and 3 of B's 8 are at or below it: 6/7 - 3/8 = 27/56.
        KolmogorovSmirnov ks = KolmogorovSmirnov.test(A, B);
        assertThat(ks.statistic()).isCloseTo(27.0 / 56, within(1e-15));
        // Symmetric in the samples, and blind to their order.
        assertThat(KolmogorovSmirnov.test(B, A)).isEqualTo(ks);
        assertThat(KolmogorovSmirnov.test(new double[] {3.1, 0.1, 2.2, 0.9, 2.0, 0.5, 1.3}, B)).isEqualTo(ks);
        // Identical samples: D = 0, p = 1.
        assertThat(KolmogorovSmirnov.test(A, A.clone())).isEqualTo(new KolmogorovSmirnov(0, 1));
    }

    @Test
    void tiedValuesStepBothDistributionsAtOnce() {
        // At 2: TA has 5 of 7 values at or below, TB 3 of 8: 5/7 - 3/8 = 19/56. Stepping one value at a
        // time through the ties would see 1/7 - 0 ... and, at the 1s, 2/7 - 0 but also 0 - 1/8 partway.
        KolmogorovSmirnov ks = KolmogorovSmirnov.test(TA, TB);
        assertThat(ks.statistic()).isCloseTo(19.0 / 56, within(1e-15));
        assertThat(ks.pValue()).isCloseTo(0.7833473848051558, within(1e-12));
        // All values equal in both: no distance at all.
        assertThat(KolmogorovSmirnov.test(new double[] {2, 2, 2}, new double[] {2, 2}).statistic()).isZero();
    }

    @Test
    void ksMatchesScipy() {
        KolmogorovSmirnov ab = KolmogorovSmirnov.test(A, B);
        assertThat(ab.statistic()).isCloseTo(0.48214285714285715, within(1e-15));
        assertThat(ab.pValue()).isCloseTo(0.35061780478865306, within(1e-12));
        KolmogorovSmirnov same = KolmogorovSmirnov.test(LA, LB);
        assertThat(same.statistic()).isCloseTo(0.06985507246376811, within(1e-15));
        assertThat(same.pValue()).isCloseTo(0.7674616788416095, within(1e-12));
        KolmogorovSmirnov shifted = KolmogorovSmirnov.test(LA, LC);
        assertThat(shifted.statistic()).isCloseTo(0.21478260869565216, within(1e-15));
        assertThat(shifted.pValue()).isCloseTo(0.0004604185648688778, within(1e-15));
    }

    @Test
    void kolmogorovSurvivalMatchesScipyOnBothSeries() {
        double[][] expected = {
            {0.02, 1.0}, {0.05, 1.0}, {0.3, 0.9999906941986655}, {0.5, 0.9639452436648751}, {0.8, 0.5441424115741981},
            {0.99, 0.2808738392255489}, {1.0, 0.26999967167735456}, {1.2, 0.11224966667072497},
            {2.0, 0.0006709252557796953}, {3.0, 3.045995948942526e-08}};
        for (double[] e : expected) {
            assertThat(KolmogorovSmirnov.survival(e[0])).as("Q(%s)", e[0]).isCloseTo(e[1], within(1e-13));
        }
        assertThat(KolmogorovSmirnov.survival(3.0)).isCloseTo(3.045995948942526e-08, within(1e-20));
        assertThat(KolmogorovSmirnov.survival(0)).isEqualTo(1.0);
        assertThat(KolmogorovSmirnov.survival(40)).isEqualTo(0.0);
    }

    @Test
    void psiBinsAreTheReferenceQuantilesByHand() {
        // Type-7 quantiles of {0, 10} at 1/4, 2/4, 3/4: h = 0.25, 0.5, 0.75 between 0 and 10.
        assertThat(PopulationStability.edges(new double[] {10, 0}, 4)).containsExactly(2.5, 5, 7.5);
        // {1..5} at k/4: h = 1, 2, 3, the values 2, 3, 4 themselves.
        assertThat(PopulationStability.edges(new double[] {5, 4, 3, 2, 1}, 4)).containsExactly(2, 3, 4);
        // Ties merge edges: {1, 1, 1, 1, 2} at k/4 gives 1, 1, 1; one edge, two bins.
        assertThat(PopulationStability.edges(new double[] {1, 1, 1, 1, 2}, 4)).containsExactly(1);
        // A value equal to an edge falls in the bin below it; values beyond the range in the outer bins.
        assertThat(PopulationStability.shares(new double[] {-7, 2, 2.5, 3, 4, 99}, new double[] {2, 3, 4}))
                .containsExactly(2.0 / 6, 2.0 / 6, 1.0 / 6, 1.0 / 6);
    }

    @Test
    void psiIsTheSumOfShareDifferencesTimesTheirLogRatioByHand() {
        // Reference {1..5}, 2 bins: edge 3, shares 3/5 and 2/5. Current {4..7}: shares 0 and 1, the empty
        // bin counted as EPSILON.
        double expected = (1e-4 - 0.6) * Math.log(1e-4 / 0.6) + (1 - 0.4) * Math.log(1 / 0.4);
        assertThat(PopulationStability.of(new double[] {1, 2, 3, 4, 5}, new double[] {4, 5, 6, 7}, 2))
                .isCloseTo(expected, within(1e-15));
        assertThat(PopulationStability.EPSILON).isEqualTo(1e-4);
        // Same distribution: 0.
        assertThat(PopulationStability.of(LA, LA.clone())).isZero();
        // Over classes: shares {0.5, 0.5} against {0.25, 0.75}.
        assertThat(PopulationStability.ofShares(new double[] {0.5, 0.5}, new double[] {0.25, 0.75}))
                .isCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), within(1e-15));
    }

    @Test
    void psiMatchesTheDefinitionComputedWithNumpy() {
        assertThat(PopulationStability.of(LA, LB)).isCloseTo(0.06304842625049711, within(1e-12));
        assertThat(PopulationStability.of(LA, LC)).isCloseTo(1.6311661305069431, within(1e-12));
        assertThat(PopulationStability.of(TA, TB, 4)).isCloseTo(0.49468749306660886, within(1e-12));
        assertThat(PopulationStability.edges(LA, 10)).hasSize(9);
        assertThat(PopulationStability.edges(TA, 4)).hasSize(3);
    }

    @Test
    void embeddingShiftIsTheMeansDistanceInUnitsOfTheReferenceSpread() {
        // Mean (1, 1); every row sqrt(2) from it: spread sqrt(2). A shift by (3, 4) moves the mean by 5.
        double[][] reference = {{0, 0}, {2, 0}, {0, 2}, {2, 2}};
        assertThat(EmbeddingShift.score(reference, shift(reference, 3, 4))).isCloseTo(5 / Math.sqrt(2), within(1e-15));
        assertThat(EmbeddingShift.score(reference, reference)).isZero();
        // Another sample with the same mean: 0 too (the shape is not measured).
        assertThat(EmbeddingShift.score(reference, new double[][] {{1, 1}})).isZero();
    }

    @Test
    void embeddingShiftGrowsWithTheShiftAndIgnoresRowOrder() {
        Random random = new Random(7);
        double[][] reference = new double[200][16];
        for (double[] row : reference) {
            for (int k = 0; k < row.length; k++) {
                row[k] = random.nextGaussian();
            }
        }
        double previous = -1;
        for (double step : new double[] {0, 0.1, 0.5, 1, 3}) {
            double score = EmbeddingShift.score(reference, shift(reference, step, 0));
            assertThat(score).isGreaterThan(previous);
            previous = score;
        }
        List<double[]> rows = new ArrayList<>(List.of(shift(reference, 0.5, 0.2)));
        double inOrder = EmbeddingShift.score(reference, rows.toArray(double[][]::new));
        Collections.shuffle(rows, new Random(3));
        assertThat(EmbeddingShift.score(reference, rows.toArray(double[][]::new))).isCloseTo(inOrder, within(1e-12));
        List<double[]> shuffledReference = new ArrayList<>(List.of(reference));
        Collections.shuffle(shuffledReference, new Random(4));
        assertThat(EmbeddingShift.score(shuffledReference.toArray(double[][]::new), rows.toArray(double[][]::new)))
                .isCloseTo(inOrder, within(1e-12));
    }

    @Test
    void measuresRefuseEmptyAndNonFiniteInput() {
        assertThatThrownBy(() -> KolmogorovSmirnov.test(new double[0], A)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first sample's values are empty");
        assertThatThrownBy(() -> PopulationStability.of(A, new double[] {1, Double.NaN}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("current value 1 is NaN; drift is measured on"
                        + " finite values: impute or drop it first");
        assertThatThrownBy(() -> PopulationStability.of(A, B, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 1000], got 1");
        assertThatThrownBy(() -> EmbeddingShift.score(new double[][] {{1, 2}, {1, 2}}, new double[][] {{0, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all the same row");
        assertThatThrownBy(() -> EmbeddingShift.score(new double[][] {{1, 2}, {0, 2}}, new double[][] {{0, 0, 0}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 dimensions but the reference's 2");
    }

    private static double[][] shift(double[][] rows, double dx, double dy) {
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
            out[i][0] += dx;
            out[i][1] += dy;
        }
        return out;
    }
}
