package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.Balanced;
import dev.attune.LabeledData;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class BalancingTest {
    @Test
    void oversamplingKeepsEveryExampleInOrderAndAppendsDrawsFromTheSmallClass() {
        LabeledData data = SplitFixtures.indexed(2, 0, 1, 0, 0, 1, 0);
        LabeledData out = Balancing.oversample().balance(data, 1).data();
        int[] index = SplitFixtures.indices(out);
        assertThat(out.classCounts()).containsExactly(4, 4);
        assertThat(Arrays.copyOf(index, 6)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(Arrays.stream(index, 6, 8).allMatch(i -> i == 1 || i == 4)).as("drawn from class 1").isTrue();
    }

    @Test
    void undersamplingKeepsASubsetOfEachClassInTheOriginalOrder() {
        LabeledData data = SplitFixtures.indexed(3, 0, 1, 0, 0, 1, 0, 2, 2, 2);
        LabeledData out = Balancing.undersample().balance(data, 7).data();
        int[] index = SplitFixtures.indices(out);
        assertThat(out.classCounts()).containsExactly(2, 2, 2);
        assertThat(index).isSorted();
        for (int i = 0; i < index.length; i++) {
            assertThat(data.label(index[i])).isEqualTo(out.label(i));
        }
        assertThat(Arrays.stream(index).filter(i -> data.label(i) == 1).toArray()).containsExactly(1, 4);
    }

    @Test
    void smoteInterpolatesBetweenAnExampleAndItsNearestNeighbourOfTheSameClass() {
        // Class 1 holds a = (0, 0), b = (1, 0), c = (0, 5). With k = 1 the nearest neighbours are
        // a -> b, b -> a, c -> a, so every new point lies on a-b (y = 0) or on c-a (x = 0). Had c's
        // neighbour been b, points with x > 0 and y > 0 would appear.
        LabeledData data = smoteTable();
        LabeledData out = Balancing.smote(1).balance(data, 3).data();
        assertThat(out.classCounts()).containsExactly(40, 40);
        double[][] x = out.features().castTo(DataType.DOUBLE).toDoubleMatrix();
        for (int i = 0; i < data.size(); i++) {
            assertThat(x[i]).containsExactly(data.features().castTo(DataType.DOUBLE).toDoubleMatrix()[i]);
        }
        for (int i = data.size(); i < out.size(); i++) {
            assertThat(out.label(i)).isEqualTo(1);
            assertThat(x[i][0] == 0 || x[i][1] == 0).as("point (%s, %s) on a-b or c-a", x[i][0], x[i][1]).isTrue();
            assertThat(x[i][0]).isBetween(0.0, 1.0);
            assertThat(x[i][1]).isBetween(0.0, 5.0);
        }
        // With k = 2, c also pairs with b: some new point leaves the two axes.
        double[][] x2 = Balancing.smote(2).balance(data, 3).data().features().castTo(DataType.DOUBLE).toDoubleMatrix();
        assertThat(Arrays.stream(x2, data.size(), x2.length).anyMatch(p -> p[0] > 0 && p[1] > 0)).isTrue();
    }

    private static LabeledData smoteTable() {
        int n = 43;
        float[] x = new float[n * 2];
        int[] y = new int[n];
        float[][] minority = {{0, 0}, {1, 0}, {0, 5}};
        for (int i = 0; i < n; i++) {
            boolean small = i % 10 == 3 && i / 10 < 3;
            y[i] = small ? 1 : 0;
            x[2 * i] = small ? minority[i / 10][0] : 10 + i;
            x[2 * i + 1] = small ? minority[i / 10][1] : 10;
        }
        return LabeledData.of(Nd4j.create(x, new long[] {n, 2}, DataType.FLOAT), y, 2);
    }

    @Test
    void smoteRefusesAClassTooSmallForKAndABadK() {
        assertThatThrownBy(() -> Balancing.smote(3).balance(smoteTable(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class 1 has 3 examples, but SMOTE with k = 3 needs at least 4 to find k neighbours;"
                        + " lower k to at most 2");
        assertThatThrownBy(() -> Balancing.smote(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SMOTE needs at least 1 nearest neighbour, got k = 0; for example smote(5)");
    }

    @Test
    void classWeightsGiveEveryClassTheSameTotalWeight() {
        LabeledData data = SplitFixtures.indexed(2, 0, 0, 1, 0, 0, 0, 1, 0);
        Balanced b = Balancing.classWeights().balance(data, 1);
        assertThat(b.data()).isSameAs(data);
        double[] w = b.weights().orElseThrow();
        for (int i = 0; i < w.length; i++) {
            // n / (classes * n_y): 8 / (2 * 6) and 8 / (2 * 2).
            assertThat(w[i]).isEqualTo(data.label(i) == 0 ? 8.0 / 12.0 : 2.0);
        }
    }

    @Test
    void reweighingMatchesHandComputedWeightsAndMakesGroupAndLabelIndependentExactly() {
        // Groups A (0) x6, B (1) x4; labels 1 1 1 1 0 0 | 1 0 0 0. n = 10, n_A = 6, n_B = 4, n_0 = n_1 = 5;
        // cells (A,1) = 4, (A,0) = 2, (B,1) = 1, (B,0) = 3. w = n_g n_y / (n n_gy):
        // (A,1) 30/40 = 3/4, (A,0) 30/20 = 3/2, (B,1) 20/10 = 2, (B,0) 20/30 = 2/3.
        int[] groups = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
        LabeledData data = SplitFixtures.indexed(2, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0);
        long[][] fraction = {{3, 4}, {3, 4}, {3, 4}, {3, 4}, {3, 2}, {3, 2}, {2, 1}, {2, 3}, {2, 3}, {2, 3}};
        double[] w = Balancing.reweigh(groups).balance(data, 1).weights().orElseThrow();
        for (int i = 0; i < w.length; i++) {
            assertThat(w[i]).as("example %d", i).isEqualTo((double) fraction[i][0] / fraction[i][1]);
        }
        // Exactly, in fractions: every weighted cell (g, y) equals n_g n_y / n, so the weighted joint
        // distribution is the product of the weighted marginals.
        Map<String, BigInteger[]> cell = new HashMap<>();
        for (int i = 0; i < w.length; i++) {
            cell.merge(groups[i] + "," + data.label(i), new BigInteger[] {BigInteger.valueOf(fraction[i][0]),
                    BigInteger.valueOf(fraction[i][1])}, BalancingTest::add);
        }
        long[] perGroup = {6, 4};
        long[] perLabel = {5, 5};
        for (int g = 0; g < 2; g++) {
            for (int y = 0; y < 2; y++) {
                BigInteger[] sum = cell.get(g + "," + y);
                // sum = p / q == n_g n_y / n  <=>  p n == q n_g n_y
                assertThat(sum[0].multiply(BigInteger.TEN))
                        .isEqualTo(sum[1].multiply(BigInteger.valueOf(perGroup[g] * perLabel[y])));
            }
        }
    }

    private static BigInteger[] add(BigInteger[] a, BigInteger[] b) {
        return new BigInteger[] {a[0].multiply(b[1]).add(b[0].multiply(a[1])), a[1].multiply(b[1])};
    }

    @Test
    void reweighingTheGermanCreditTableBySexMakesSexAndLabelIndependent() {
        TabularData table = BundledTables.GERMAN_CREDIT.train();
        List<String> sex = table.groups("sex");
        LabeledData data = table.data();
        double[] w = Balancing.reweigh(sex).balance(data, 1).weights().orElseThrow();
        double total = Arrays.stream(w).sum();
        assertThat(total).isCloseTo(data.size(), within(1e-9));
        for (String s : List.of("female", "male")) {
            for (int y = 0; y < 2; y++) {
                double joint = 0;
                double group = 0;
                double label = 0;
                for (int i = 0; i < w.length; i++) {
                    joint += sex.get(i).equals(s) && data.label(i) == y ? w[i] : 0;
                    group += sex.get(i).equals(s) ? w[i] : 0;
                    label += data.label(i) == y ? w[i] : 0;
                }
                assertThat(joint / total).isCloseTo(group / total * (label / total), within(1e-12));
            }
        }
        // Female (210 of 700) and bad credit (210 of 700) overlap more than independence would give,
        // so female-bad examples weigh less than 1.
        int femaleBad = 0;
        for (int i = 0; i < w.length; i++) {
            femaleBad += sex.get(i).equals("female") && data.label(i) == 1 ? 1 : 0;
        }
        int anyFemaleBad = java.util.stream.IntStream.range(0, w.length)
                .filter(i -> sex.get(i).equals("female") && data.label(i) == 1).findFirst().orElseThrow();
        assertThat(w[anyFemaleBad]).isEqualTo((210.0 * 210.0) / (700.0 * femaleBad));
    }

    @Test
    void reweighingRefusesGroupsOfAnotherLengthAndNamedGroupsMatchCodes() {
        LabeledData data = SplitFixtures.indexed(2, 0, 1, 0, 1);
        assertThatThrownBy(() -> Balancing.reweigh(new int[] {0, 1, 0}).balance(data, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reweigh was given groups for 3 examples but the training data holds 4;"
                        + " give one group per training example, in the order of the training data");
        assertThat(Balancing.reweigh(List.of("x", "x", "y", "x")).balance(data, 1).weights().orElseThrow())
                .containsExactly(Balancing.reweigh(new int[] {7, 7, 3, 7}).balance(data, 1).weights().orElseThrow());
    }

    @Test
    void balancersNameThemselvesForProvenance() {
        assertThat(Balancing.oversample().describe()).isEqualTo("oversample");
        assertThat(Balancing.undersample().describe()).isEqualTo("undersample");
        assertThat(Balancing.smote(5).describe()).isEqualTo("smote(k=5)");
        assertThat(Balancing.classWeights().describe()).isEqualTo("classWeights");
        assertThat(Balancing.reweigh(new int[] {1, 2, 2}).describe()).isEqualTo("reweigh(2 groups over 3 examples)");
    }
}
