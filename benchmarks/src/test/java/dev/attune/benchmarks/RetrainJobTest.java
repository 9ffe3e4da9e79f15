package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.LabeledData;
import dev.attune.registry.AuditEntry;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** The retrain job end to end: the drifted stream leads to a promotion, and the report and results tell it. */
class RetrainJobTest {
    @TempDir
    Path out;

    @Test
    void theDriftedStreamIsRetrainedAndTheReportMarksTheDecisions() throws Exception {
        RetrainJob.main(new String[] {out.toString()});

        @SuppressWarnings("unchecked")
        Map<String, Object> results = new ObjectMapper().readValue(out.resolve("results.json").toFile(), Map.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> windows = (List<Map<String, Object>>) results.get("windows");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) results.get("events");
        assertThat(windows).hasSize(RetrainJob.WINDOWS);
        // no retraining before the drift, and the first drifted window triggers one
        assertThat(events).allSatisfy(e -> assertThat((Integer) e.get("window")).isGreaterThanOrEqualTo(6));
        assertThat(windows.subList(0, 6)).allSatisfy(w -> assertThat(w.get("drift")).isNotEqualTo("ALERT"));
        assertThat(events.get(0)).containsEntry("window", 6).containsEntry("event", "Triggered");
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("event", "Promoted"));

        int production = (Integer) results.get("productionAtEnd");
        try (ModelRegistry registry = ModelRegistry.sqliteReadOnly(out.resolve("registry"))) {
            assertThat(registry.inStage(RetrainJob.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(production);
            List<AuditEntry> audit = registry.auditLog(RetrainJob.MODEL);
            assertThat(audit).hasSameSizeAs((List<?>) results.get("audit"));
            long decisions = events.stream().filter(e -> List.of("Registered", "Promoted", "Rejected", "RolledBack")
                    .contains(e.get("event"))).count();
            assertThat(audit).hasSize(2 + (int) decisions);
        }
        // after the last promotion drift is measured against the world the promoted version was trained for
        // (its package's reference of the latest window): while the brightness stays, it is not at ALERT
        int lastPromotion = events.stream().filter(e -> "Promoted".equals(e.get("event")))
                .mapToInt(e -> (Integer) e.get("window")).max().orElseThrow();
        Object promotedFor = windows.get(lastPromotion).get("brightness");
        assertThat(windows.subList(lastPromotion + 1, RetrainJob.WINDOWS))
                .filteredOn(w -> w.get("brightness").equals(promotedFor)).isNotEmpty()
                .allSatisfy(w -> assertThat(w.get("drift")).isNotEqualTo("ALERT"));
        // the served accuracy of the last window is back near the undrifted windows'
        assertThat((Double) windows.get(RetrainJob.WINDOWS - 1).get("accuracy")).isGreaterThan(0.8);

        String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html).containsOnlyOnce("Drift score").containsOnlyOnce("Served accuracy");
        assertThat(html.split("<svg", -1)).hasSize(3);
        long marks = events.stream().filter(e -> !List.of("Trained", "Compared", "Registered").contains(e.get("event"))).count();
        assertThat(html.split("stroke-width=\"2\"><title>window", -1)).hasSize(1 + 2 * (int) marks);
    }

    @Test
    void theBrightnessRisesAfterSixWindowsAndShiftsThePixels() {
        assertThat(RetrainJob.brightness(5)).isZero();
        assertThat(RetrainJob.brightness(6)).isEqualTo(0.15, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(RetrainJob.brightness(19)).isEqualTo(0.6);
        LabeledData two = LabeledData.of(Nd4j.create(new float[][] {{0f, 1f}, {0.5f, 0.25f}}), new int[] {0, 1}, 2);
        float[][] shifted = RetrainJob.shifted(two, 0.6).features().toFloatMatrix();
        assertThat(shifted[0]).containsExactly(new float[] {0.6f, 1f}, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(shifted[1]).containsExactly(new float[] {0.8f, 0.7f}, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(RetrainJob.driftRows(two)[0]).containsExactly(0.5, 0.5);
    }
}
