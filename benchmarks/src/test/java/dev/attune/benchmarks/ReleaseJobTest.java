package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.deploy.ModelPackage;
import dev.attune.registry.AuditEntry;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.ModelVersion;
import dev.attune.registry.Stage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release job on a small budget: its decision follows the registered metrics, its audit log the story. */
class ReleaseJobTest {
    @TempDir
    Path out;

    @Test
    void theGateDecidesFromTheRegisteredFairnessCheckAndTheAuditLogTellsTheRelease() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ReleaseJob.Release release = ReleaseJob.run(out, 4, 1, new PrintStream(printed, true, StandardCharsets.UTF_8));

        List<ModelVersion> versions = release.versions();
        assertThat(versions).extracting(ModelVersion::version).containsExactly(1, 2);
        ModelVersion v1 = versions.get(0);
        ModelVersion v2 = versions.get(1);
        // The registry's metrics are the packages' own, and v1 is the fairer of the two.
        for (int i = 0; i < 2; i++) {
            ModelPackage pkg = release.candidates().get(i).pkg();
            assertThat(versions.get(i).metrics()).containsAllEntriesOf(Map.of(ReleaseJob.CHECK, pkg.metrics().get(ReleaseJob.CHECK)));
            assertThat(versions.get(i).sha256()).isEqualTo(pkg.fileSha256());
        }
        assertThat(release.candidates()).extracting(ReleaseJob.Candidate::fineTuning)
                .containsExactlyInAnyOrder("plain", "reweighed by foreign_worker");
        double before = v1.metrics().get(ReleaseJob.CHECK);
        double after = v2.metrics().get(ReleaseJob.CHECK);
        assertThat(ReleaseJob.worse(after, before)).as("v1 %s, v2 %s", before, after).isFalse();

        boolean v2Worse = v2.metrics().get(ReleaseJob.CHECK + ".verdict") > v1.metrics().get(ReleaseJob.CHECK + ".verdict")
                || (v2.metrics().get(ReleaseJob.CHECK + ".verdict").equals(v1.metrics().get(ReleaseJob.CHECK + ".verdict"))
                && after > before);
        assertThat(release.decision().rollBack()).isEqualTo(v2Worse);
        assertThat(v1.stage()).contains(release.decision().rollBack() ? Stage.PRODUCTION : Stage.ARCHIVED);
        assertThat(v2.stage()).contains(release.decision().rollBack() ? Stage.ARCHIVED : Stage.PRODUCTION);

        List<AuditEntry> audit = release.audit();
        assertThat(audit).extracting(AuditEntry::action, AuditEntry::stage, AuditEntry::fromVersion, AuditEntry::toVersion)
                .startsWith(
                        org.assertj.core.groups.Tuple.tuple(AuditEntry.Action.REGISTER, Optional.empty(), OptionalInt.empty(), OptionalInt.of(1)),
                        org.assertj.core.groups.Tuple.tuple(AuditEntry.Action.REGISTER, Optional.empty(), OptionalInt.empty(), OptionalInt.of(2)),
                        org.assertj.core.groups.Tuple.tuple(AuditEntry.Action.PROMOTE, Optional.of(Stage.PRODUCTION), OptionalInt.empty(), OptionalInt.of(1)),
                        org.assertj.core.groups.Tuple.tuple(AuditEntry.Action.PROMOTE, Optional.of(Stage.PRODUCTION), OptionalInt.of(1), OptionalInt.of(2)));
        if (release.decision().rollBack()) {
            assertThat(audit).hasSize(5);
            assertThat(audit.get(4).action()).isEqualTo(AuditEntry.Action.ROLLBACK);
            assertThat(audit.get(4).fromVersion()).hasValue(2);
            assertThat(audit.get(4).toVersion()).hasValue(1);
            assertThat(audit.get(4).why()).isEqualTo(release.decision().reason()).contains("worse");
        } else {
            assertThat(audit).hasSize(4);
        }
        assertThat(release.verification().ok()).isTrue();

        // The registry on disk says the same, and the results file records the decision and the log.
        try (ModelRegistry registry = ModelRegistry.sqliteReadOnly(out.resolve("registry"))) {
            assertThat(registry.versions(ReleaseJob.MODEL)).isEqualTo(versions);
            assertThat(registry.auditLog(ReleaseJob.MODEL)).isEqualTo(audit);
        }
        String json = Files.readString(out.resolve("results.json"));
        assertThat(json).contains("\"rollBack\" : " + release.decision().rollBack()).contains("\"action\" : \"register\"")
                .contains("\"environment\"");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("| version | fine-tuning |").contains("audit log of german-credit");
    }

    @Test
    void theGateReadsTheMeasuresDirection() {
        ModelVersion fair = version(1, 0.04, 0);
        ModelVersion unfair = version(2, 0.20, 2);
        ModelVersion slightlyWorse = version(3, 0.05, 0);

        assertThat(ReleaseJob.decide(fair, unfair).rollBack()).isTrue();
        assertThat(ReleaseJob.decide(unfair, fair).rollBack()).isFalse();
        assertThat(ReleaseJob.decide(fair, slightlyWorse).rollBack()).isTrue();
        assertThat(ReleaseJob.decide(fair, unfair).reason()).contains("german-credit:2").contains("0.200 (fail)")
                .contains("0.040 (pass)").contains("worse, roll production back");
    }

    private static ModelVersion version(int n, double value, int verdict) {
        return new ModelVersion(ReleaseJob.MODEL, n, "0".repeat(64), 1, Optional.empty(), java.time.Instant.EPOCH, "t",
                Map.of(ReleaseJob.CHECK, value, ReleaseJob.CHECK + ".verdict", (double) verdict), Map.of());
    }
}
