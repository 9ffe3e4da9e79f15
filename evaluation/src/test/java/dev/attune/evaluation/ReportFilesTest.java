package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {
    private static EvaluationReport report() {
        return EvaluationReport.builder(ReportFixtures.result(), SectionFixtures.predictions()).resamples(100)
                .groups("sex", Groups.of(SectionFixtures.SEX)).build();
    }

    private static ModelCard card(EvaluationReport report) {
        return ModelCard.builder(report).intendedUse("u").outOfScopeUses("o").baseModel("b", "MIT").data("d", "CC0-1.0")
                .limitations("l").reproduce("r").build();
    }

    private static long files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void writesTheThreeFilesIntoANewDirectoryAndNothingElse(@TempDir Path tmp) throws IOException {
        EvaluationReport report = report();
        ModelCard card = card(report);
        Path dir = tmp.resolve("run/report");

        ReportFiles files = ReportFiles.write(dir, report, card);

        assertThat(files.json()).isEqualTo(dir.toAbsolutePath().resolve("evaluation.json"));
        assertThat(files.html()).isEqualTo(dir.toAbsolutePath().resolve("evaluation.html"));
        assertThat(files.modelCard()).isEqualTo(dir.toAbsolutePath().resolve("MODEL_CARD.md"));
        assertThat(Files.readString(files.json(), StandardCharsets.UTF_8)).isEqualTo(report.toJson());
        assertThat(Files.readString(files.html(), StandardCharsets.UTF_8)).isEqualTo(report.toHtml());
        assertThat(Files.readString(files.modelCard(), StandardCharsets.UTF_8)).isEqualTo(card.toMarkdown());
        assertThat(files(dir)).isEqualTo(3);
    }

    @Test
    void replacesEarlierFilesWithoutLeavingTemporaryOnes(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("evaluation.json"), "old");
        Files.writeString(dir.resolve("MODEL_CARD.md"), "old");
        EvaluationReport report = report();

        ReportFiles files = ReportFiles.write(dir, report, card(report));

        assertThat(Files.readString(files.json())).isEqualTo(report.toJson());
        assertThat(Files.readString(files.modelCard())).startsWith("# Model card: Fine-tuned model");
        assertThat(files(dir)).isEqualTo(3);
    }

    @Test
    void aCardOfAnotherReportAndAnUnwritableDirectoryAreRefused(@TempDir Path dir) throws IOException {
        EvaluationReport report = report();
        assertThatThrownBy(() -> ReportFiles.write(dir, report, card(report())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built from another report");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> ReportFiles.write(file, report, card(report)))
                .isInstanceOf(AttuneException.class).hasMessageContaining("could not create the report directory");
        // A directory where the HTML file should go: the JSON is written, the HTML fails, nothing temporary remains.
        Path target = Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(target.resolve("evaluation.html"));
        Files.writeString(target.resolve("evaluation.html").resolve("keep"), "x");
        assertThatThrownBy(() -> ReportFiles.write(target, report, card(report)))
                .isInstanceOf(AttuneException.class).hasMessageContaining("could not write " + target.toAbsolutePath().resolve("evaluation.html"));
        try (Stream<Path> s = Files.list(target)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("evaluation.html", "evaluation.json");
        }
    }
}
