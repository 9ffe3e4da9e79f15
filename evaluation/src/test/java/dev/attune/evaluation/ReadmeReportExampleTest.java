package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.DataAuditSummary;
import dev.attune.FineTuneResult;
import dev.attune.LabeledData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Runs the README's evaluation-report example, and checks that the README still shows this code. */
class ReadmeReportExampleTest {
    @Test
    void theReadmeReportExampleRuns(@TempDir Path runDir) throws IOException {
        FineTuneResult result = ReportFixtures.binaryResult();
        LabeledData testSet = LabeledData.of(Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 1}, {-1, 2}, {2, -1},
            {0, 0}, {3, 1}, {-2, -1}}), new int[] {1, 1, 0, 0, 1, 1, 0, 0}, 2);
        String[] sexOfEachTestExample = SectionFixtures.SEX;
        RobustnessReport robustness = SectionFixtures.robustness();
        DataAuditSummary audit = SectionFixtures.audit();
        LatencyReport latency = LatencyReportFixture.report();

        // README example: begin
        EvaluationReport report = EvaluationReport.builder(result, testSet)   // predicts testSet itself
                .classNames(List.of("good", "bad"))                   // default: the class index
                .groups("sex", Groups.of(sexOfEachTestExample))       // optional, once per group column
                .robustness(robustness)                               // optional RobustnessReport
                .dataAudit(audit)                                     // optional DataAudit.Report of the training data
                .latency(latency)                                     // optional LatencyReport
                .build();                                 // defaults: 1000 resamples, seed 1, 95%, 15 bins
        ModelCard card = ModelCard.builder(report)
                .intendedUse("Flag credit applications for manual review.")
                .outOfScopeUses("Refusing credit without a human decision.")
                .baseModel("credit-mlp-pretrained", "Apache-2.0")
                .data("German credit (Statlog): 700 training and 300 test rows.", "CC BY 4.0")
                .limitations("Applicants of the 1990s in one country; small groups.")
                .reproduce("./train.sh --seed 42")                    // your command
                .build();
        ReportFiles files = ReportFiles.write(runDir, report, card);  // evaluation.json, evaluation.html, MODEL_CARD.md
        // README example: end

        assertThat(Files.readString(files.json())).startsWith("{\n  \"schema\": \"attune-evaluation/4\",");
        assertThat(Files.readString(files.html())).contains("<td>bad</td>").contains("id=\"latency\"")
                .contains("id=\"per-group-1\"").contains("id=\"robustness-1\"").contains("id=\"data-audit\"");
        assertThat(Files.readString(files.modelCard())).contains("## Fairness\n\n### sex\n").contains("./train.sh --seed 42");
        assertThat(report.examples()).isEqualTo(8);
        assertThat(report.reliability().bins()).hasSize(15);
        assertThat(report.accuracy().resamples()).isEqualTo(1000);
        assertThat(report.fairness().get(0).checks()).hasSize(2);
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeReportExampleTest.class);
    }

}
