package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.Network;
import dev.attune.evaluation.DriftReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A package carries its drift reference, sealed like every entry. */
class DriftReferencePackageTest {
    @TempDir
    Path dir;

    private static DriftReference reference(int classes) {
        Random random = new Random(5);
        double[][] rows = new double[300][2];
        double[][] p = new double[300][classes];
        for (int i = 0; i < rows.length; i++) {
            rows[i][0] = random.nextGaussian();
            rows[i][1] = random.nextDouble();
            p[i][i % classes] = 0.8;
            for (int c = 0; c < classes; c++) {
                if (c != i % classes) {
                    p[i][c] = 0.2 / (classes - 1);
                }
            }
        }
        return DriftReference.builder().features(List.of("brightness", "contrast"), rows).predictions(p).build();
    }

    private static PackageBuilder small() {
        return ModelPackage.builder("small").model(Network.of(Fixtures.mlp(8, 16, 3, 1)))
                .classNames(List.of("a", "b", "c")).image(1f, 8);
    }

    @Test
    void theDriftReferenceRoundTripsAndAPackageWithoutOneHasNone() {
        DriftReference reference = reference(3);
        ModelPackage p = small().driftReference(reference).write(dir.resolve("small.attune"));
        assertThat(p.entries()).extracting(PackageEntry::name).contains(ModelPackage.DRIFT_REFERENCE);
        assertThat(ModelPackage.load(p.path()).driftReference().orElseThrow().toJson()).isEqualTo(reference.toJson());
        assertThat(small().write(dir.resolve("plain.attune")).driftReference()).isEmpty();
    }

    @Test
    void aTamperedDriftReferenceIsRefusedByName() throws Exception {
        Path file = small().driftReference(reference(3)).write(dir.resolve("small.attune")).path();
        Path bad = ZipFiles.rewrite(file, dir.resolve("bad.attune"), m -> m.get(ModelPackage.DRIFT_REFERENCE)[40] ^= 1);
        assertThatThrownBy(() -> ModelPackage.load(bad)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("entry monitoring/drift-reference.json does not match its SHA-256");
    }

    @Test
    void aReferenceOfAnotherNumberOfClassesOrASecondOneIsRefused() {
        assertThatThrownBy(() -> small().driftReference(reference(2)).write(dir.resolve("small.attune")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the drift reference's predictions are over 2 classes but the package has 3 ([a, b, c]);"
                        + " build the reference from this model's predictions");
        assertThatThrownBy(() -> small().driftReference(reference(3)).driftReference(reference(3)))
                .isInstanceOf(IllegalStateException.class).hasMessage("a drift reference is already set");
    }
}
