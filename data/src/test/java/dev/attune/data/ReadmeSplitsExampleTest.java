package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Runs the README's group split and k-fold example, and checks that the README still shows this code. */
class ReadmeSplitsExampleTest {

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        // README example: begin
        TabularData credit = BundledTables.GERMAN_CREDIT.train();
        List<String> age = credit.groups("age");
        Split unseenAges = Splits.grouped(credit.data(), age, 0.2, 42);   // no age on both sides; 150 of 700 held out (aim 140)
        List<Split> folds = Splits.kFold(credit.data(), 5, 42);            // stratified: each fold 98 good, 42 bad
        // README example: end

        Map<String, Long> sizes = age.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        long largest = sizes.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(2L * Math.abs(unseenAges.validation().size() - 140)).isLessThanOrEqualTo(largest);
        assertThat(unseenAges.train().size() + unseenAges.validation().size()).isEqualTo(700);
        assertThat(unseenAges.validation().size()).isEqualTo(150);   // 52 ages, the largest of 39 applicants
        Set<String> validationAges = agesOf(credit, age, unseenAges.validation());
        Set<String> trainAges = agesOf(credit, age, unseenAges.train());
        assertThat(trainAges).doesNotContainAnyElementsOf(validationAges);
        assertThat(validationAges.stream().mapToLong(sizes::get).sum()).isEqualTo(unseenAges.validation().size());

        assertThat(folds).hasSize(5);
        for (Split fold : folds) {
            assertThat(fold.validation().classCounts()).containsExactly(98, 42);
            assertThat(fold.train().classCounts()).containsExactly(392, 168);
        }

        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeSplitsExampleTest.class);
    }

    /** The ages of a part's rows, found by matching each row's features to the full table's rows. */
    private static Set<String> agesOf(TabularData all, List<String> age, LabeledData part) {
        float[][] rows = all.data().features().reshape(all.data().size(), -1).toFloatMatrix();
        Map<List<Float>, Set<String>> agesByRow = new HashMap<>();
        for (int i = 0; i < rows.length; i++) {
            agesByRow.computeIfAbsent(key(rows[i]), k -> new HashSet<>()).add(age.get(i));
        }
        Set<String> out = new HashSet<>();
        for (float[] row : part.features().reshape(part.size(), -1).toFloatMatrix()) {
            out.addAll(agesByRow.get(key(row)));
        }
        return out;
    }

    private static List<Float> key(float[] row) {
        List<Float> k = new ArrayList<>(row.length);
        for (float v : row) {
            k.add(v);
        }
        return k;
    }

}
