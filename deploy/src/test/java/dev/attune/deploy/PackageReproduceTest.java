package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Provenance;
import dev.attune.WeightAssertions;
import dev.attune.data.BundledTables;
import dev.attune.data.TabularData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A package's provenance keeps the result's fingerprint, and {@code FineTuner.reproduce} makes its model again from it. */
class PackageReproduceTest {
    @TempDir
    Path dir;

    private static FineTuner tuner(TabularData train, long seed) {
        return FineTuner.builder(Fixtures.mlp(train.featureNames().size(), 16, 2, 7)).epochs(2).batchSize(64).seed(seed)
                .build();
    }

    @Test
    void thePackagesProvenanceReproducesItsModel() {
        TabularData train = BundledTables.GERMAN_CREDIT.train();
        FineTuneResult result = tuner(train, 7).fit(train.data());
        Path file = dir.resolve("credit.attune");
        ModelPackage.builder("credit").from(result).tabular(train.transform()).write(file);

        ModelPackage loaded = ModelPackage.load(file);
        Provenance provenance = loaded.provenance().orElseThrow();
        assertThat(provenance.resultModel()).isEqualTo(result.model().fingerprint()).isEqualTo(loaded.modelFingerprint().orElseThrow());
        assertThat(loaded.reproduce()).contains("| result model fingerprint | " + result.model().fingerprint() + " |")
                .contains("FineTuneResult again = tuner.reproduce(provenance, train);")
                .contains("It then checks that the new model's fingerprint is `" + result.model().fingerprint() + "`");

        FineTuneResult again = tuner(train, 7).reproduce(provenance, train.data());
        WeightAssertions.assertThat(again.model()).hasSameWeightsAs(loaded.network());

        assertThatThrownBy(() -> tuner(train, 8).reproduce(provenance, train.data()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option 'seed' is '8' here but was '7' in the run");
    }
}
