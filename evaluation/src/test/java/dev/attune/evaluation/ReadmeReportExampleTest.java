package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.Predictions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's evaluation-report example, and checks that the README still shows this code. */
class ReadmeReportExampleTest {
    @Test
    void theReadmeReportExampleRuns(@TempDir Path runDir) throws IOException {
        FineTuneResult result = ReportFixtures.result();
        Predictions test = ReportFixtures.predictions();
        LatencyReport latency = LatencyReportFixture.report();

        // README example: begin
        EvaluationReport report = EvaluationReport.builder(result, test)   // test = result.predict(testSet)
                .classNames(List.of("sneaker", "bag", "ankle boot"))       // default: the class index
                .latency(latency)                                          // optional LatencyReport
                .build();                                 // defaults: 1000 resamples, seed 1, 95%, 15 bins
        Files.writeString(runDir.resolve("report.json"), report.toJson());
        Files.writeString(runDir.resolve("report.html"), report.toHtml());
        // README example: end

        assertThat(Files.readString(runDir.resolve("report.json"))).startsWith("{\n  \"schema\": \"attune-evaluation/2\",");
        assertThat(Files.readString(runDir.resolve("report.html"))).contains("<td>ankle boot</td>").contains("id=\"latency\"");
        assertThat(report.reliability().bins()).hasSize(15);
        assertThat(report.accuracy().resamples()).isEqualTo(1000);
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeReportExampleTest.class);
    }

}
