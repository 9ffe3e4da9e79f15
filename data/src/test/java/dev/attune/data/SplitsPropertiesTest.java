package dev.attune.data;

import static dev.attune.data.SplitFixtures.indices;
import static dev.attune.data.SplitFixtures.sortedUnion;
import static dev.attune.data.SplitFixtures.withClassSizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Invariants of the splits over random class sizes, fractions and seeds. */
class SplitsPropertiesTest {

    @Property(tries = 150)
    void stratifiedPartitionsAndKeepsEveryClassShareWithinOne(
            @ForAll @Size(min = 2, max = 5) List<@IntRange(min = 1, max = 40) Integer> classSizes,
            @ForAll @DoubleRange(min = 0.01, max = 0.99) double fraction,
            @ForAll long seed) {
        LabeledData data = withClassSizes(classSizes, seed);
        boolean allSingletons = classSizes.stream().allMatch(n -> n == 1);
        if (allSingletons) {
            assertThatThrownBy(() -> Splits.stratified(data, fraction, seed))
                    .isInstanceOf(IllegalArgumentException.class);
            return;
        }
        Split s = Splits.stratified(data, fraction, seed);

        assertPartition(s, data);
        int[] validation = s.validation().classCounts();
        int[] train = s.train().classCounts();
        for (int c = 0; c < classSizes.size(); c++) {
            int n = classSizes.get(c);
            assertThat(validation[c] + train[c]).isEqualTo(n);
            assertThat((double) validation[c]).isCloseTo(n * fraction, offset(1.0));
            if (n >= 2) {
                assertThat(validation[c]).isBetween(1, n - 1);
            }
        }
        assertThat(Splits.stratified(data, fraction, seed).validation().fingerprint())
                .isEqualTo(s.validation().fingerprint());
    }

    @Property(tries = 150)
    void kPerClassTakesExactlyKOfEachClass(
            @ForAll @Size(min = 2, max = 5) List<@IntRange(min = 1, max = 30) Integer> classSizes,
            @ForAll @IntRange(min = 1, max = 6) int k,
            @ForAll long seed) {
        LabeledData data = withClassSizes(classSizes, seed);
        int smallest = classSizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
        boolean nothingLeft = classSizes.stream().allMatch(n -> n == k);
        if (smallest < k || nothingLeft) {
            assertThatThrownBy(() -> Splits.kPerClass(data, k, seed))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("k = " + k);
            return;
        }
        Split s = Splits.kPerClass(data, k, seed);

        assertPartition(s, data);
        int[] train = s.train().classCounts();
        int[] rest = s.validation().classCounts();
        for (int c = 0; c < classSizes.size(); c++) {
            assertThat(train[c]).isEqualTo(k);
            assertThat(rest[c]).isEqualTo(classSizes.get(c) - k);
        }
        assertThat(indices(Splits.kPerClass(data, k, seed).train())).containsExactly(indices(s.train()));
    }

    @Property(tries = 150)
    void groupedKeepsEveryGroupOnOneSideNearTheRequestedShare(
            @ForAll @Size(min = 2, max = 8) List<@IntRange(min = 1, max = 20) Integer> groupSizes,
            @ForAll @DoubleRange(min = 0.01, max = 0.99) double fraction,
            @ForAll long seed) {
        int n = groupSizes.stream().mapToInt(Integer::intValue).sum();
        int[] group = new int[n];
        int[] labels = new int[n];
        Random random = new Random(seed);
        int at = 0;
        for (int g = 0; g < groupSizes.size(); g++) {
            for (int j = 0; j < groupSizes.get(g); j++) {
                group[at] = 100 + 7 * g;   // any int names a group
                labels[at++] = random.nextInt(3);
            }
        }
        shuffleTogether(group, labels, random);
        LabeledData data = SplitFixtures.indexed(3, labels);

        Split s = Splits.grouped(data, group, fraction, seed);

        assertPartition(s, data);
        Set<Integer> trainGroups = groupsOf(indices(s.train()), group);
        Set<Integer> validationGroups = groupsOf(indices(s.validation()), group);
        assertThat(trainGroups).doesNotContainAnyElementsOf(validationGroups).isNotEmpty();
        assertThat(validationGroups).isNotEmpty();
        int largest = groupSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        long target = Math.round(n * fraction);
        assertThat(Math.abs(s.validation().size() - target)).isLessThanOrEqualTo(largest);
        if (trainGroups.size() >= 2 && validationGroups.size() >= 2) {
            assertThat(2 * Math.abs(s.validation().size() - target)).isLessThanOrEqualTo(largest);
        }
        List<String> names = Arrays.stream(group).mapToObj(g -> "group " + g).toList();
        assertThat(indices(Splits.grouped(data, names, fraction, seed).validation()))
                .containsExactly(indices(s.validation()));
    }

    @Property(tries = 150)
    void kFoldPutsEveryExampleInOneValidationFoldWithClassSharesWithinOne(
            @ForAll @Size(min = 2, max = 5) List<@IntRange(min = 1, max = 30) Integer> classSizes,
            @ForAll @IntRange(min = 2, max = 7) int k,
            @ForAll long seed) {
        LabeledData data = withClassSizes(classSizes, seed);
        int smallest = classSizes.stream().mapToInt(Integer::intValue).min().orElseThrow();
        if (smallest < k) {
            assertThatThrownBy(() -> Splits.kFold(data, k, seed))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("fewer than k = " + k);
            return;
        }
        List<Split> folds = Splits.kFold(data, k, seed);

        assertThat(folds).hasSize(k);
        int[] timesInValidation = new int[data.size()];
        int smallestFold = Integer.MAX_VALUE;
        int largestFold = 0;
        for (Split fold : folds) {
            assertPartition(fold, data);
            for (int i : indices(fold.validation())) {
                timesInValidation[i]++;
            }
            int[] counts = fold.validation().classCounts();
            for (int c = 0; c < classSizes.size(); c++) {
                assertThat((double) counts[c]).isCloseTo(classSizes.get(c) / (double) k, offset(0.9999));
            }
            smallestFold = Math.min(smallestFold, fold.validation().size());
            largestFold = Math.max(largestFold, fold.validation().size());
        }
        assertThat(timesInValidation).containsOnly(1);
        assertThat(largestFold - smallestFold).isLessThanOrEqualTo(1);
        assertThat(indices(Splits.kFold(data, k, seed).get(k - 1).validation()))
                .containsExactly(indices(folds.get(k - 1).validation()));
    }

    private static Set<Integer> groupsOf(int[] indices, int[] group) {
        Set<Integer> out = new HashSet<>();
        for (int i : indices) {
            out.add(group[i]);
        }
        return out;
    }

    private static void shuffleTogether(int[] a, int[] b, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
            t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }

    private static void assertPartition(Split s, LabeledData data) {
        assertThat(indices(s.train())).isSorted();
        assertThat(indices(s.validation())).isSorted();
        assertThat(sortedUnion(indices(s.train()), indices(s.validation())))
                .containsExactly(IntStream.range(0, data.size()).toArray());
    }
}
