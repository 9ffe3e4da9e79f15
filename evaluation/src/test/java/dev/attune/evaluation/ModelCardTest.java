package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCardTest {
    private static EvaluationReport fullReport() {
        return EvaluationReport.builder(ReportFixtures.result(), SectionFixtures.predictions()).resamples(100).seed(5)
                .classNames(List.of("good", "bad | risky"))
                .groups("sex", Groups.of(SectionFixtures.SEX))
                .robustness(SectionFixtures.robustness())
                .dataAudit(SectionFixtures.audit())
                .latency(LatencyReportFixture.report())
                .build();
    }

    private static ModelCard.Builder card(EvaluationReport report) {
        return ModelCard.builder(report)
                .modelName("credit-risk")
                .intendedUse("Rank loan applications for manual review.")
                .outOfScopeUses("Automated decisions without human review.")
                .baseModel("tabular-mlp | v2", "Apache-2.0")
                .data("German credit, 700 training rows.\nSplit 70/30 by the source.", "CC BY 4.0")
                .limitations("Small groups; 1990s data.")
                .reproduce("mvn -pl benchmarks exec:java -Dexec.args=\"credit ```\"");
    }

    /** The text from a section's heading to the next heading of the same or a higher level. */
    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("\n" + heading + "\n");
        assertThat(start).as(heading).isNotNegative();
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        int end = markdown.length();
        for (String h : List.of("\n# ", "\n## ", "\n### ")) {
            if (h.length() - 1 <= level.length()) {
                int e = markdown.indexOf(h, start + 1);
                end = e < 0 ? end : Math.min(end, e);
            }
        }
        return markdown.substring(start + 1, end);
    }

    @Test
    void everySectionHoldsTheOwnersTextsAndTheReportsFigures() {
        EvaluationReport report = fullReport();
        String md = card(report).build().toMarkdown();

        assertThat(md).startsWith("# Model card: credit-risk\n\nEvaluated on 8 test examples of 2 classes; report schema `attune-evaluation/4`.");
        assertThat(section(md, "## Intended use")).contains("Rank loan applications for manual review.");
        assertThat(section(md, "## Out-of-scope uses")).contains("Automated decisions without human review.");
        assertThat(section(md, "## Base model")).contains("| name | tabular-mlp \\| v2 |").contains("| licence | Apache-2.0 |")
                .contains("| fingerprint | base-fingerprint |");
        assertThat(section(md, "## Data")).contains("German credit, 700 training rows.\nSplit 70/30 by the source.")
                .contains("| licence | CC BY 4.0 |").contains("| training data fingerprint | train-fingerprint |")
                .contains("| validation data fingerprint | validation-fingerprint |").contains("| test examples | 8 |");
        assertThat(section(md, "### Data audit")).contains("Verdict: **FAIL**.")
                .contains("| class imbalance ratio |  | 2.0000 | 1.5000 | 4.0000 | WARN | 7 \\| 3 \\<b> |")
                .contains("| missing values |  | n/a | n/a | n/a | SKIPPED | not reported |")
                .contains("| disparate impact | sex | 0.7000 | 0.9000 | 0.8000 | FAIL | rate 0.5 against 0.7 |");
        String metrics = section(md, "## Metrics");
        assertThat(metrics).contains(String.format(java.util.Locale.ROOT, "| accuracy | 0.7500 | %.4f to %.4f (100 resamples, seed 5) |",
                report.accuracy().lower(), report.accuracy().upper()))
                .contains(String.format(java.util.Locale.ROOT, "| f1_macro | %.4f | %.4f to %.4f (100 resamples, seed 5) |",
                        report.f1Macro().estimate(), report.f1Macro().lower(), report.f1Macro().upper()))
                .contains("| metric | value | 95% bootstrap interval |")
                .contains("Training: best epoch 2 of 3, stopped early.");
        // Class 0 "good": 3 of 3 predicted 0 right, 3 of 4 found; class 1: 3 of 4 predicted 1 right, 3 of 4 found.
        assertThat(section(md, "### Per class")).contains("| good | 0.7500 | 0.7500 | 0.7500 | 4 |")
                .contains("| bad \\| risky | 0.7500 | 0.7500 | 0.7500 | 4 |");
        assertThat(section(md, "## Fairness")).contains("### sex\n\n| group | examples | accuracy | f1_macro |\n|---|---:|---:|---:|\n")
                .contains("| a\\|\\<f> | 4 | 0.7500 |").contains("| all | 8 | 0.7500 |")
                .contains("| demographic parity difference | 0.5000 | 0.0500 | 0.1000 | FAIL |")
                .contains("| demographic parity ratio | 0.3333 | 0.9000 | 0.8000 | FAIL |");
        assertThat(section(md, "## Robustness")).contains("Seed 42;").contains("| clean | - | accuracy | 0.7500 | +0.0000 |")
                .contains("| occlusion\\|\\<4> | 8 | f1_macro | 0.4000 | +0.3000 |").contains("| darker | - | f1_macro | 0.5500 | +0.1500 |");
        assertThat(section(md, "## Latency")).contains("| model | batch | p50 (µs) |")
                .contains("| " + LatencyReportFixture.report().rows().get(0).model() + " | ");
        assertThat(section(md, "## Limitations")).contains("Small groups; 1990s data.");
        // The command holds three backticks, so its fence has four.
        assertThat(section(md, "## How to reproduce")).contains("````shell\nmvn -pl benchmarks exec:java -Dexec.args=\"credit ```\"\n````\n")
                .contains("Seed 42; Attune 0.1.0-SNAPSHOT, DL4J 1.0.0-M2.1, Java 17.0.2, CpuBackend (threads=2), Linux amd64.");
        assertThat(section(md, "### Provenance")).contains("| startedAt | 2026-01-02T03:04:05Z |")
                .contains("| config.note | \\<script>alert(\"x\")\\</script> |");
    }

    @Test
    void sectionsWithoutDataSaySo() {
        EvaluationReport bare = EvaluationReport.builder(ReportFixtures.result(), ReportFixtures.predictions()).resamples(100).build();
        String md = card(bare).build().toMarkdown();
        assertThat(section(md, "### Data audit")).contains("No data audit was given to the report.");
        assertThat(section(md, "## Fairness")).contains("Not evaluated: no group column was given to the report.");
        assertThat(section(md, "## Robustness")).contains("Not evaluated: no robustness report was given to the report.");
        assertThat(section(md, "## Latency")).contains("Not measured.");
        String multi = card(EvaluationReport.builder(ReportFixtures.result(), ReportFixtures.predictions()).resamples(100)
                .groups("g", Groups.of(1, 1, 1, 2, 2, 2)).build()).build().toMarkdown();
        assertThat(section(multi, "## Fairness")).contains("No fairness measure: they need a binary task.");
    }

    @Test
    void theSameReportAndTextsGiveTheSameMarkdown() {
        String first = card(fullReport()).build().toMarkdown();
        String second = card(fullReport()).build().toMarkdown();
        assertThat(second).isEqualTo(first);
        assertThat(first).doesNotContain("\r");
        assertThat(first.lines().filter(l -> l.startsWith("## ")).toList()).containsExactly("## Intended use",
                "## Out-of-scope uses", "## Base model", "## Data", "## Metrics", "## Fairness", "## Robustness",
                "## Latency", "## Limitations", "## How to reproduce");
    }

    @Test
    void everyTableRowHasAsManyCellsAsItsHeaderThoughTextsHoldPipesAndLineBreaks() {
        String md = card(fullReport()).build().toMarkdown();
        List<String> lines = md.lines().toList();
        int tables = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("|")) {
                continue;
            }
            int columns = cells(lines.get(i));
            tables++;
            while (i < lines.size() && lines.get(i).startsWith("|")) {
                assertThat(cells(lines.get(i))).as(lines.get(i)).isEqualTo(columns);
                i++;
            }
        }
        assertThat(tables).isEqualTo(10);
        assertThat(ModelCard.cell("a|b\nc\r\nd<e>")).isEqualTo("a\\|b<br>c<br>d\\<e>");
    }

    /** Cells of a Markdown table row: unescaped pipes minus one. */
    private static int cells(String row) {
        int pipes = 0;
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '|' && (i == 0 || row.charAt(i - 1) != '\\')) {
                pipes++;
            }
        }
        return pipes - 1;
    }

    @Test
    void aMissingOwnerTextIsNamedWithTheCallThatSetsIt() {
        EvaluationReport report = fullReport();
        assertThatThrownBy(() -> ModelCard.builder(report).intendedUse("x").baseModel("m", "MIT").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a model card needs what only its owner knows; missing: outOfScopeUses(\"what it must not be used for\"), "
                        + "data(\"description\", \"licence\"), limitations(\"what it does badly or was not tested on\"), "
                        + "reproduce(\"the command that makes it again\"); set each on ModelCard.builder(report) before build()");
        List<String> missing = new ArrayList<>();
        try {
            ModelCard.builder(report).build();
        } catch (IllegalStateException e) {
            for (String call : List.of("intendedUse(", "outOfScopeUses(", "baseModel(", "data(", "limitations(", "reproduce(")) {
                if (e.getMessage().contains(call)) {
                    missing.add(call);
                }
            }
        }
        assertThat(missing).hasSize(6);
        assertThatThrownBy(() -> ModelCard.builder(report).baseModel("m", " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseModel licence is blank; give it in words, for example the licence's SPDX id \"Apache-2.0\"");
        assertThatThrownBy(() -> ModelCard.builder(report).limitations("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limitations is blank; give it in words");
        assertThatThrownBy(() -> ModelCard.builder(report).reproduce("a").reproduce("b")).isInstanceOf(IllegalStateException.class)
                .hasMessage("reproduce(...) was already set; set each option once");
        assertThat(card(report).build().report()).isSameAs(report);
    }
}
