package dev.attune.data;

import static dev.attune.data.SplitFixtures.indexed;
import static dev.attune.data.SplitFixtures.indices;
import static dev.attune.data.SplitFixtures.sortedUnion;
import static dev.attune.data.SplitFixtures.withClassSizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    // 50, 30 and 20 examples of classes 0, 1, 2, mixed.
    private final LabeledData data = withClassSizes(List.of(50, 30, 20), 7);

    @Test
    void stratifiedKeepsEachClassShare() {
        Split s = Splits.stratified(data, 0.2, 42);
        // round(50 * 0.2) = 10, round(30 * 0.2) = 6, round(20 * 0.2) = 4
        assertThat(s.validation().classCounts()).containsExactly(10, 6, 4);
        assertThat(s.train().classCounts()).containsExactly(40, 24, 16);
        assertPartition(s, data);
        assertThat(s.validation().numClasses()).isEqualTo(3);
    }

    @Test
    void stratifiedKeepsAtLeastOneOfEachClassOnEachSide() {
        LabeledData small = withClassSizes(List.of(2, 3, 7), 1);
        // 0.1: round(0.2) = 0 -> 1, round(0.3) = 0 -> 1, round(0.7) = 1
        assertThat(Splits.stratified(small, 0.1, 1).validation().classCounts()).containsExactly(1, 1, 1);
        // 0.9: round(1.8) = 2 -> 1 (one stays in train), round(2.7) = 3 -> 2, round(6.3) = 6
        assertThat(Splits.stratified(small, 0.9, 1).validation().classCounts()).containsExactly(1, 2, 6);
    }

    @Test
    void aSingleExampleGoesToValidationFromHalfOn() {
        LabeledData oneOfClass0 = withClassSizes(List.of(1, 4), 3);
        assertThat(Splits.stratified(oneOfClass0, 0.25, 5).train().classCounts()).containsExactly(1, 3);
        assertThat(Splits.stratified(oneOfClass0, 0.5, 5).validation().classCounts()).containsExactly(1, 2);
    }

    @Test
    void stratifiedIsDeterministicForASeed() {
        Split a = Splits.stratified(data, 0.3, 123);
        Split b = Splits.stratified(data, 0.3, 123);
        assertThat(indices(a.validation())).containsExactly(indices(b.validation()));
        assertThat(a.train().fingerprint()).isEqualTo(b.train().fingerprint());
    }

    @Test
    void differentSeedsChooseDifferently() {
        for (long seed = 0; seed < 5; seed++) {
            assertThat(indices(Splits.stratified(data, 0.3, seed).validation()))
                    .isNotEqualTo(indices(Splits.stratified(data, 0.3, seed + 1).validation()));
            assertThat(indices(Splits.kPerClass(data, 5, seed).train()))
                    .isNotEqualTo(indices(Splits.kPerClass(data, 5, seed + 1).train()));
        }
    }

    @Test
    void partsKeepTheOriginalOrder() {
        Split s = Splits.stratified(data, 0.5, 9);
        assertThat(indices(s.train())).isSorted();
        assertThat(indices(s.validation())).isSorted();
        Split k = Splits.kPerClass(data, 4, 9);
        assertThat(indices(k.train())).isSorted();
        assertThat(indices(k.validation())).isSorted();
        // labels travel with their examples
        int[] original = data.labels();
        int[] picked = indices(k.train());
        for (int i = 0; i < picked.length; i++) {
            assertThat(k.train().label(i)).isEqualTo(original[picked[i]]);
        }
    }

    @Test
    void kPerClassTakesExactlyKOfEachClassAndLeavesTheRest() {
        Split s = Splits.kPerClass(data, 5, 42);
        assertThat(s.train().classCounts()).containsExactly(5, 5, 5);
        assertThat(s.validation().classCounts()).containsExactly(45, 25, 15);
        assertPartition(s, data);
    }

    @Test
    void kPerClassRestCanBeSplitAgainDisjointly() {
        Split fewShot = Splits.kPerClass(data, 5, 42);
        Split rest = Splits.stratified(fewShot.validation(), 0.5, 42);
        // the features are the original indices, so the three parts must not share a value
        int[] train = indices(fewShot.train());
        int[] all = sortedUnion(sortedUnion(train, indices(rest.train())), indices(rest.validation()));
        assertThat(all).containsExactly(IntStream.range(0, data.size()).toArray());
    }

    @Test
    void kPerClassIsDeterministicForASeed() {
        assertThat(indices(Splits.kPerClass(data, 3, 77).train()))
                .containsExactly(indices(Splits.kPerClass(data, 3, 77).train()));
    }

    @Test
    void refusesAFractionOutsideTheOpenUnitInterval() {
        for (double bad : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> Splits.stratified(data, bad, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("validationFraction must be in (0, 1), got " + bad
                            + "; for example 0.2 holds out 20% of each class");
        }
    }

    @Test
    void stratifiedRefusesAnAbsentClass() {
        LabeledData noClass2 = indexed(3, 0, 1, 0, 1);
        assertThatThrownBy(() -> Splits.stratified(noClass2, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class 2 has 0 of the 4 examples, so it cannot be stratified; the data declares 3 classes:"
                        + " add examples of class 2 or build the data with the classes it holds");
    }

    @Test
    void stratifiedRefusesToLeaveAPartEmpty() {
        LabeledData singletons = indexed(2, 0, 1);
        assertThatThrownBy(() -> Splits.stratified(singletons, 0.2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("every class holds a single example, so validationFraction 0.2 puts all 2 examples into"
                        + " the training part and leaves the other empty; give at least two examples of some class");
        assertThatThrownBy(() -> Splits.stratified(singletons, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("puts all 2 examples into the validation part");
    }

    @Test
    void kPerClassRefusesKBelowOne() {
        assertThatThrownBy(() -> Splits.kPerClass(data, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("k must be at least 1, got 0; k is the number of training examples taken from each class");
    }

    @Test
    void kPerClassNamesTheShortClassAndTheLargestPossibleK() {
        LabeledData uneven = withClassSizes(List.of(10, 2, 5), 4);
        assertThatThrownBy(() -> Splits.kPerClass(uneven, 3, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class 1 has 2 examples, fewer than k = 3; the largest k every class allows is 2"
                        + " (class 1 has 2): use k <= 2");
        LabeledData shortTwice = withClassSizes(List.of(10, 4, 3), 4);
        assertThatThrownBy(() -> Splits.kPerClass(shortTwice, 5, 1))
                .hasMessage("class 1 has 4 examples, fewer than k = 5; the largest k every class allows is 3"
                        + " (class 2 has 3): use k <= 3");
    }

    @Test
    void kPerClassRefusesAnAbsentClass() {
        LabeledData noClass2 = indexed(3, 0, 1, 0, 1);
        assertThatThrownBy(() -> Splits.kPerClass(noClass2, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class 2 has 0 examples, fewer than k = 1; class 2 has no examples, so no k works: add"
                        + " examples of it or build the data with the classes it holds");
    }

    @Test
    void kPerClassRefusesToTakeEverything() {
        LabeledData twoEach = indexed(2, 0, 1, 1, 0);
        assertThatThrownBy(() -> Splits.kPerClass(twoEach, 2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("every class has exactly k = 2 examples, so nothing is left besides the training part;"
                        + " use k <= 1");
    }

    @Test
    void groupedFollowsTheDocumentedGreedyChoice() {
        // groups A (4 examples), B (3), C (2), D (1); 10 examples, fraction 0.3 aims at 3 validation examples
        List<String> groups = List.of("A", "A", "B", "C", "A", "B", "D", "C", "A", "B");
        LabeledData ten = indexed(2, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
        for (long seed = 0; seed < 20; seed++) {
            Split s = Splits.grouped(ten, groups, 0.3, seed);
            int[] validation = indices(s.validation());
            // whole groups only, and within half the largest group (2) of 3: 1 to 5 examples
            assertThat(validation.length).isBetween(1, 5);
            for (int i : validation) {
                for (int j : indices(s.train())) {
                    assertThat(groups.get(i)).isNotEqualTo(groups.get(j));
                }
            }
            assertPartition(s, ten);
        }
        // three equal groups: 0.5 of 6 examples is 3, so the first group visited joins (3 - 0 -> 3 - 2)
        // and the second too (|4 - 3| < |2 - 3| fails: 1 < 1 is false), leaving 2 in validation
        Split halves = Splits.grouped(indexed(2, 0, 1, 0, 1, 0, 1), new int[] {7, 7, 8, 8, 9, 9}, 0.5, 3);
        assertThat(halves.validation().size()).isEqualTo(2);
        assertThat(halves.train().size()).isEqualTo(4);
    }

    @Test
    void groupedKeepsAGroupOnEachSideEvenForAnExtremeFraction() {
        LabeledData six = indexed(2, 0, 1, 0, 1, 0, 1);
        int[] groups = {1, 1, 1, 2, 2, 3};
        // 0.01 of 6 rounds to 0: nothing would join, so the smallest group (3) goes to validation
        assertThat(indices(Splits.grouped(six, groups, 0.01, 5).validation())).containsExactly(5);
        // 0.99 of 6 rounds to 6: everything would join, so the smallest group stays in training
        assertThat(indices(Splits.grouped(six, groups, 0.99, 5).train())).containsExactly(5);
    }

    @Test
    void groupedIsDeterministicForASeedAndVariesWithIt() {
        int[] groups = IntStream.range(0, data.size()).map(i -> i % 17).toArray();
        Split a = Splits.grouped(data, groups, 0.25, 11);
        assertThat(indices(Splits.grouped(data, groups, 0.25, 11).validation())).containsExactly(indices(a.validation()));
        assertThat(indices(Splits.grouped(data, groups, 0.25, 12).validation())).isNotEqualTo(indices(a.validation()));
    }

    @Test
    void groupedRefusesBadGroups() {
        LabeledData four = indexed(2, 0, 1, 0, 1);
        assertThatThrownBy(() -> Splits.grouped(four, List.of("a", "b", "", "a"), 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("example 2 has an empty group \"\"; give every example a group, for example \"unknown\"");
        assertThatThrownBy(() -> Splits.grouped(four, Arrays.asList("a", null, "b", "a"), 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("example 1 has no group (null); give every example a group, for example \"unknown\"");
        assertThatThrownBy(() -> Splits.grouped(four, new int[] {1, 2, 3}, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("groups hold 3 entries but the data holds 4 examples; give one group per example, in"
                        + " example order");
        assertThatThrownBy(() -> Splits.grouped(four, List.of("x", "x", "x", "x"), 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("all 4 examples are in one group, so a group split leaves one part empty; give at least"
                        + " two groups or use stratified(...)");
    }

    @Test
    void groupedRefusesAFractionOutsideTheOpenUnitInterval() {
        LabeledData four = indexed(2, 0, 1, 0, 1);
        for (double bad : new double[] {0, 1, -0.5, 2, Double.NaN}) {
            assertThatThrownBy(() -> Splits.grouped(four, new int[] {1, 1, 2, 2}, bad, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("validationFraction must be in (0, 1), got " + bad
                            + "; for example 0.2 holds out 20% of the examples");
        }
    }

    @Test
    void kFoldDealsEachClassEvenlyOverTheFolds() {
        List<Split> folds = Splits.kFold(data, 3, 42);
        assertThat(folds).hasSize(3);
        // 50, 30, 20 over 3 folds: 17/17/16, 10/10/10, 7/7/6 in some order per class; sizes 34, 33, 33
        for (Split fold : folds) {
            int[] counts = fold.validation().classCounts();
            assertThat(counts[0]).isBetween(16, 17);
            assertThat(counts[1]).isEqualTo(10);
            assertThat(counts[2]).isBetween(6, 7);
            assertThat(fold.train().size() + fold.validation().size()).isEqualTo(100);
            assertPartition(fold, data);
        }
        assertThat(folds.stream().mapToInt(f -> f.validation().size()).sorted().toArray()).containsExactly(33, 33, 34);
        assertThat(indices(Splits.kFold(data, 3, 43).get(0).validation()))
                .isNotEqualTo(indices(folds.get(0).validation()));
    }

    @Test
    void kFoldRefusesKBelowTwo() {
        for (int bad : new int[] {1, 0, -3}) {
            assertThatThrownBy(() -> Splits.kFold(data, bad, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("k must be at least 2, got " + bad + "; k is the number of folds, for example 5");
        }
    }

    @Test
    void kFoldRefusesMoreFoldsThanTheSmallestClassHasExamples() {
        assertThatThrownBy(() -> Splits.kFold(data, 21, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class 2 has 20 examples, fewer than k = 21, so some fold would hold none of it;"
                        + " use k <= 20 or add examples of class 2");
        assertThatThrownBy(() -> Splits.kFold(withClassSizes(List.of(5, 1), 2), 2, 1))
                .hasMessage("class 1 has 1 examples, fewer than k = 2, so some fold would hold none of it;"
                        + " no k works: add examples of class 1");
        assertThatThrownBy(() -> Splits.kFold(indexed(3, 0, 1, 0, 1), 2, 1))
                .hasMessage("class 2 has 0 examples, fewer than k = 2, so some fold would hold none of it;"
                        + " no k works: add examples of class 2 or build the data with the classes it holds");
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> Splits.kFold(null, 2, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
        assertThatThrownBy(() -> Splits.grouped(data, (int[]) null, 0.2, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("groups");
        assertThatThrownBy(() -> Splits.stratified(null, 0.2, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
        assertThatThrownBy(() -> Splits.kPerClass(null, 1, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("data");
        assertThatThrownBy(() -> new Split(data, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("validation");
    }

    private static void assertPartition(Split s, LabeledData data) {
        assertThat(s.train().size() + s.validation().size()).isEqualTo(data.size());
        assertThat(sortedUnion(indices(s.train()), indices(s.validation())))
                .containsExactly(IntStream.range(0, data.size()).toArray());
    }
}
