package dev.attune.evaluation;

import static dev.attune.evaluation.EvaluationReportTest.chart;
import static dev.attune.evaluation.EvaluationReportTest.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.DataAuditSummary;
import dev.attune.FineTuneResult;
import dev.attune.LabeledData;
import dev.attune.Predictions;
import dev.attune.internal.io.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class EvaluationReportSectionsTest {
    private static final Predictions TEST = SectionFixtures.predictions();
    private static final FineTuneResult RESULT = ReportFixtures.result();

    private static EvaluationReport report() {
        return EvaluationReport.builder(RESULT, TEST).resamples(100)
                .groups("sex", Groups.of(SectionFixtures.SEX))
                .groups("site", Groups.of(SectionFixtures.SITE))
                .robustness(SectionFixtures.robustness())
                .dataAudit(SectionFixtures.audit())
                .build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @Test
    void theFairnessSectionHoldsEachGroupsMetricsAndTheDefaultChecksWithTheirVerdicts() {
        EvaluationReport r = report();
        assertThat(r.fairness()).extracting(EvaluationReport.GroupColumn::column).containsExactly("sex", "site");
        EvaluationReport.GroupColumn sex = r.fairness().get(0);
        assertThat(sex.groups()).containsExactly("a|<f>", "b");
        assertThat(sex.tables()).extracting(GroupTable::metric).containsExactly("accuracy", "f1_macro");
        assertThat(sex.tables().get(0).value("a|<f>")).isEqualTo(0.75);
        assertThat(sex.tables().get(0).value("b")).isEqualTo(0.75);
        assertThat(sex.checks()).extracting(FairnessCheck::measure).containsExactly(
                FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO);
        assertThat(sex.checks().get(0).value()).isEqualTo(0.5);
        assertThat(sex.checks().get(1).value()).isCloseTo(1 / 3.0, within(1e-15));
        assertThat(sex.checks()).extracting(FairnessCheck::verdict).containsOnly(FairnessCheck.Verdict.FAIL);
        EvaluationReport.GroupColumn site = r.fairness().get(1);
        assertThat(site.tables().get(0).value("x")).isEqualTo(0.5);
        assertThat(site.tables().get(0).value("y")).isEqualTo(1.0);
        assertThat(site.checks()).extracting(FairnessCheck::verdict).containsOnly(FairnessCheck.Verdict.PASS);

        Map<String, Object> json = object(Json.parse(r.toJson(), EvaluationReport.JSON_MAX_DEPTH));
        List<Object> fairness = list(json.get("fairness"));
        assertThat(fairness).hasSize(2);
        Map<String, Object> s = object(fairness.get(0));
        assertThat(s.keySet()).containsExactly("column", "metrics", "groups", "overall", "difference", "ratio", "checks");
        assertThat(s.get("column")).isEqualTo("sex");
        assertThat(s.get("metrics")).isEqualTo(List.of("accuracy", "f1_macro"));
        Map<String, Object> a = object(list(s.get("groups")).get(0));
        assertThat(a).containsEntry("group", "a|<f>").containsEntry("count", 4.0);
        assertThat(object(a.get("values"))).containsEntry("accuracy", 0.75)
                .containsEntry("f1_macro", Groups.of(SectionFixtures.SEX).table(Metrics.f1Macro(), TEST).value("a|<f>"));
        assertThat(object(s.get("overall"))).containsEntry("accuracy", 0.75);
        assertThat(object(object(fairness.get(1)).get("difference"))).containsEntry("accuracy", 0.5);
        assertThat(object(object(fairness.get(1)).get("ratio"))).containsEntry("accuracy", 0.5);
        Map<String, Object> check = object(list(s.get("checks")).get(0));
        assertThat(check).containsEntry("measure", "DEMOGRAPHIC_PARITY_DIFFERENCE").containsEntry("value", 0.5)
                .containsEntry("warnAt", 0.05).containsEntry("failAt", 0.1).containsEntry("verdict", "FAIL");
    }

    @Test
    void chosenMetricsChecksAndPositiveClassReplaceTheDefaults() {
        EvaluationReport r = EvaluationReport.builder(RESULT, TEST).resamples(100)
                .groups("sex", Groups.of(SectionFixtures.SEX))
                .groupMetrics(Metrics.recall(Average.MACRO))
                .fairnessCheck(FairnessMeasure.EQUAL_OPPORTUNITY_DIFFERENCE, 0.3, 0.6)
                .positiveClass(0)
                .build();
        EvaluationReport.GroupColumn sex = r.fairness().get(0);
        assertThat(sex.tables()).extracting(GroupTable::metric).containsExactly(Metrics.recall(Average.MACRO).name());
        // Positive class 0: group a|<f> finds 1 of its 2 negatives, b finds both: difference 0.5, a warning.
        FairnessCheck check = sex.checks().get(0);
        assertThat(sex.checks()).hasSize(1);
        assertThat(check.measure()).isEqualTo(FairnessMeasure.EQUAL_OPPORTUNITY_DIFFERENCE);
        assertThat(check.value()).isEqualTo(0.5);
        assertThat(check.verdict()).isEqualTo(FairnessCheck.Verdict.WARN);
    }

    @Test
    void aMultiClassReportHasGroupMetricsButNoFairnessMeasures() {
        Predictions three = ReportFixtures.predictions();
        EvaluationReport r = EvaluationReport.builder(RESULT, three).resamples(100)
                .groups("g", Groups.of(1, 1, 1, 2, 2, 2)).build();
        assertThat(r.fairness().get(0).checks()).isEmpty();
        assertThat(r.fairness().get(0).tables().get(0).value("1")).isCloseTo(2 / 3.0, within(1e-15));
        assertThat(r.toHtml()).contains("id=\"per-group-1\"").doesNotContain("fairness-checks-1");
        assertThatThrownBy(() -> EvaluationReport.builder(RESULT, three)
                .fairnessCheck(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need a binary task (2 classes), got 3");
    }

    @Test
    void theRobustnessAndAuditSectionsGoIntoTheJson() {
        Map<String, Object> json = object(Json.parse(report().toJson(), EvaluationReport.JSON_MAX_DEPTH));
        Map<String, Object> robustness = object(json.get("robustness"));
        assertThat(robustness.get("seed")).isEqualTo(42.0);
        List<Object> rows = list(robustness.get("rows"));
        assertThat(rows).hasSize(12);
        assertThat(object(rows.get(0))).containsEntry("perturbation", "clean").containsEntry("strength", null)
                .containsEntry("metric", "accuracy").containsEntry("value", 0.75).containsEntry("drop", 0.0);
        assertThat(object(rows.get(9))).containsEntry("perturbation", "occlusion|<4>").containsEntry("strength", 8.0)
                .containsEntry("metric", "f1_macro").containsEntry("value", 0.4).containsEntry("drop", 0.3);

        Map<String, Object> audit = object(json.get("dataAudit"));
        assertThat(audit.keySet()).containsExactly("status", "checks", "audit");
        assertThat(audit.get("status")).isEqualTo("FAIL");
        List<Object> checks = list(audit.get("checks"));
        assertThat(checks).hasSize(3);
        assertThat(object(checks.get(0))).containsEntry("name", "class imbalance ratio").containsEntry("column", "")
                .containsEntry("status", "WARN").containsEntry("value", 2.0).containsEntry("warnThreshold", 1.5)
                .containsEntry("failThreshold", 4.0).containsEntry("detail", "7 | 3 <b>");
        assertThat(object(checks.get(1))).containsEntry("status", "SKIPPED").containsEntry("value", null);
        assertThat(audit.get("audit")).isEqualTo(Map.of("status", "FAIL", "examples", 700.0));
    }

    @Test
    void theWorstVerdictOfAnAuditIgnoresSkippedChecks() {
        DataAuditSummary.Finding skipped = new DataAuditSummary.Finding("m", "", DataAuditSummary.Status.SKIPPED, 0, 0, 0, "");
        DataAuditSummary.Finding warn = new DataAuditSummary.Finding("w", "", DataAuditSummary.Status.WARN, 0, 0, 0, "");
        DataAuditSummary.Finding fail = new DataAuditSummary.Finding("f", "", DataAuditSummary.Status.FAIL, 0, 0, 0, "");
        assertThat(EvaluationReport.worst(List.of())).isEqualTo(DataAuditSummary.Status.PASS);
        assertThat(EvaluationReport.worst(List.of(skipped))).isEqualTo(DataAuditSummary.Status.PASS);
        assertThat(EvaluationReport.worst(List.of(skipped, warn))).isEqualTo(DataAuditSummary.Status.WARN);
        assertThat(EvaluationReport.worst(List.of(fail, warn))).isEqualTo(DataAuditSummary.Status.FAIL);
    }

    @Test
    void theHtmlDrawsPerGroupBarsRobustnessCurvesAndColoursTheChecksByVerdict() {
        String html = report().toHtml();
        assertThat(count(html, "<svg ")).isEqualTo(8);
        // Two groups of two metrics; a dashed line per metric for all examples.
        assertThat(count(chart(html, "per-group-1"), "<rect class=\"s")).isEqualTo(4);
        assertThat(count(chart(html, "per-group-1"), "<line class=\"reference s")).isEqualTo(2);
        assertThat(chart(html, "per-group-1")).contains(">a|&lt;f&gt;</text>").contains(">value</text>");
        assertThat(chart(html, "per-group-2")).contains(">site</text>");
        // One chart per perturbation: a line of two points per metric and the clean reference per metric.
        String noise = chart(html, "robustness-1");
        assertThat(count(noise, "<polyline class=\"series s")).isEqualTo(2);
        assertThat(count(noise, "<circle class=\"s")).isEqualTo(4);
        assertThat(count(noise, "<line class=\"reference s")).isEqualTo(2);
        assertThat(noise).contains(">strength</text>").contains(">0.1</text>").contains(">0.4</text>");
        assertThat(chart(html, "robustness-2")).contains("occlusion|&lt;4&gt;").contains(">8</text>");
        assertThat(html).doesNotContain("id=\"robustness-3\"").contains("<td>darker</td>");
        assertThat(html).contains("<h3>occlusion|&lt;4&gt;</h3>");
        String sexChecks = table(html, "fairness-checks-1");
        assertThat(count(sexChecks, "<td class=\"FAIL\">FAIL</td>")).isEqualTo(2);
        assertThat(count(table(html, "fairness-checks-2"), "<td class=\"PASS\">PASS</td>")).isEqualTo(2);
        String audit = table(html, "data-audit");
        assertThat(audit).contains("<td class=\"WARN\">WARN</td>").contains("<td class=\"SKIPPED\">SKIPPED</td>")
                .contains("<td class=\"FAIL\">FAIL</td>").contains("7 | 3 &lt;b&gt;");
        assertThat(html).contains("td.FAIL{background:#ffebe9}").contains("<p>Verdict: FAIL.</p>");
        assertThat(table(html, "robustness-table")).contains("<td class=\"n\">+0.3000</td>");
        String text = html.replaceAll("<[^>]*>", "").replaceAll("&(amp|lt|gt|quot|#39);", "");
        assertThat(text).doesNotContain("<").doesNotContain(">").doesNotContain("&");
    }

    @Test
    void givenTheTestSetTheReportPredictsItAsResultPredictWould() {
        LabeledData testSet = LabeledData.of(Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 1}, {-1, 2}, {2, -1}, {0, 0}}),
                new int[] {0, 1, 2, 0, 1, 2}, 3);
        EvaluationReport own = EvaluationReport.builder(RESULT, testSet).resamples(50).build();
        EvaluationReport given = EvaluationReport.builder(RESULT, RESULT.predict(testSet)).resamples(50).build();
        assertThat(own.toJson()).isEqualTo(given.toJson());
        assertThat(EvaluationReport.of(RESULT, testSet).toJson()).isEqualTo(EvaluationReport.of(RESULT, RESULT.predict(testSet)).toJson());
    }

    @Test
    void badSectionOptionsAreRefusedWithTheFix() {
        EvaluationReport.Builder b = EvaluationReport.builder(RESULT, TEST);
        assertThatThrownBy(() -> b.groups("sex", Groups.of(1, 2, 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group column 'sex' holds 3 labels for 8 test examples; give one group label per test example, in example order");
        b.groups("sex", Groups.of(SectionFixtures.SEX));
        assertThatThrownBy(() -> b.groups("sex", Groups.of(SectionFixtures.SITE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sex' is given twice");
        assertThatThrownBy(() -> b.groups(" ", Groups.of(SectionFixtures.SITE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> b.groupMetrics()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no group metric");
        assertThatThrownBy(() -> b.groupMetrics(Metrics.accuracy(), Metrics.accuracy()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct names");
        assertThatThrownBy(() -> b.fairnessCheck(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.8, 0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 <= failAt <= warnAt <= 1");
        b.fairnessCheck(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.8);
        assertThatThrownBy(() -> b.fairnessCheck(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, 0.9, 0.8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("given twice");
        assertThatThrownBy(() -> b.positiveClass(2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2");
        assertThatThrownBy(() -> b.dataAudit(new SectionFixtures.Audit(List.of(), "{\"a\": NaN}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the data audit's toJson() is not valid JSON");
        // A string cut short is a bad argument too, and the message says where.
        assertThatThrownBy(() -> b.dataAudit(new SectionFixtures.Audit(List.of(), "{\"a\": \"cut")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not valid JSON (expected '\"' closing the string at line 1, column 11 of the JSON)");
        assertThatThrownBy(() -> b.dataAudit(new SectionFixtures.Audit(List.of(), "[1]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a JSON object");
        b.robustness(SectionFixtures.robustness());
        assertThatThrownBy(() -> b.robustness(SectionFixtures.robustness())).isInstanceOf(IllegalStateException.class)
                .hasMessage("robustness(...) was already set; set each option once");
        // A measure undefined on a group names the column and the group.
        EvaluationReport.Builder odds = EvaluationReport.builder(RESULT, TEST)
                .groups("one-sided", Groups.of("p", "p", "n", "n", "p", "p", "n", "n"))
                .fairnessCheck(FairnessMeasure.EQUAL_OPPORTUNITY_DIFFERENCE, 0.1, 0.2);
        assertThatThrownBy(odds::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("on group column 'one-sided'").hasMessageContaining("group 'n'");
    }

    static String table(String html, String id) {
        int start = html.indexOf("<table id=\"" + id + "\">");
        assertThat(start).as("table " + id).isNotNegative();
        return html.substring(start, html.indexOf("</table>", start));
    }
}
