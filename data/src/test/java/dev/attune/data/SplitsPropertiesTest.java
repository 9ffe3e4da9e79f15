package dev.attune.data;

import static dev.attune.data.SplitFixtures.indices;
import static dev.attune.data.SplitFixtures.sortedUnion;
import static dev.attune.data.SplitFixtures.withClassSizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.attune.LabeledData;
import java.util.List;
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

    private static void assertPartition(Split s, LabeledData data) {
        assertThat(indices(s.train())).isSorted();
        assertThat(indices(s.validation())).isSorted();
        assertThat(sortedUnion(indices(s.train()), indices(s.validation())))
                .containsExactly(IntStream.range(0, data.size()).toArray());
    }
}
