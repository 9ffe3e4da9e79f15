package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.Predictions;
import dev.attune.internal.io.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EvaluationReportTest {
    private static final Predictions TEST = ReportFixtures.predictions();
    private static final FineTuneResult RESULT = ReportFixtures.result();

    private static EvaluationReport report() {
        return EvaluationReport.builder(RESULT, TEST).classNames(ReportFixtures.CLASS_NAMES).resamples(200).seed(7)
                .bins(5).build();
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
    void theJsonHoldsTheHandComputedValues() {
        Map<String, Object> json = object(Json.parse(report().toJson(), EvaluationReport.JSON_MAX_DEPTH));

        assertThat(json.keySet()).containsExactly("schema", "examples", "classes", "accuracy", "f1Macro",
                "confusionMatrix", "weightedConfusionMatrix", "perClass", "calibration", "training", "latency", "fairness",
                "robustness", "dataAudit", "search", "provenance");
        assertThat(json.get("schema")).isEqualTo("attune-evaluation/4");
        assertThat(json).containsEntry("weightedConfusionMatrix", null);
        assertThat(json.get("fairness")).isEqualTo(List.of());
        assertThat(json.get("robustness")).isNull();
        assertThat(json.get("dataAudit")).isNull();
        assertThat(json.get("examples")).isEqualTo(6.0);
        assertThat(json.get("classes")).isEqualTo(ReportFixtures.CLASS_NAMES);
        // Four of six right.
        Map<String, Object> accuracy = object(json.get("accuracy"));
        assertThat(accuracy.get("estimate")).isEqualTo(4 / 6.0);
        ConfidenceInterval ci = Bootstrap.of(Metrics.accuracy()).resamples(200).seed(7).interval(TEST, 0.95);
        assertThat(accuracy).containsEntry("lower", ci.lower()).containsEntry("upper", ci.upper())
                .containsEntry("level", 0.95).containsEntry("resamples", 200.0).containsEntry("seed", 7.0);
        assertThat(ci.lower()).isLessThan(ci.upper());
        // Per class: P 1/2, 2/3, 1; R 1/2, 1, 1/2; F1 1/2, 4/5, 2/3.
        assertThat((double) object(json.get("f1Macro")).get("estimate")).isCloseTo((0.5 + 0.8 + 2 / 3.0) / 3, within(1e-15));
        assertThat(json.get("confusionMatrix")).isEqualTo(List.of(List.of(1.0, 1.0, 0.0), List.of(0.0, 2.0, 0.0),
                List.of(1.0, 0.0, 1.0)));
        List<Object> perClass = list(json.get("perClass"));
        assertThat(perClass).hasSize(3);
        double[][] expected = {{0.5, 0.5, 0.5}, {2 / 3.0, 1, 0.8}, {1, 0.5, 2 / 3.0}};
        for (int c = 0; c < 3; c++) {
            Map<String, Object> row = object(perClass.get(c));
            assertThat(row.get("class")).isEqualTo(ReportFixtures.CLASS_NAMES.get(c));
            assertThat((double) row.get("precision")).isCloseTo(expected[c][0], within(1e-15));
            assertThat((double) row.get("recall")).isCloseTo(expected[c][1], within(1e-15));
            assertThat((double) row.get("f1")).isCloseTo(expected[c][2], within(1e-15));
            assertThat(row.get("support")).isEqualTo(2.0);
        }
        // Confidences 0.6 and 0.5 (both wrong) in (0.4, 0.6]; 0.8, 0.7, 0.8 (right) in (0.6, 0.8]; 0.9 (right) in (0.8, 1].
        Map<String, Object> calibration = object(json.get("calibration"));
        assertThat((double) calibration.get("ece")).isCloseTo((2 * 0.55 + 3 * (1 - 2.3 / 3) + 0.1) / 6, within(1e-12));
        assertThat((double) calibration.get("mce")).isCloseTo(0.55, within(1e-12));
        List<Object> bins = list(calibration.get("bins"));
        assertThat(bins).hasSize(5);
        assertThat(object(bins.get(0))).containsEntry("lower", 0.0).containsEntry("upper", 0.2).containsEntry("count", 0.0)
                .containsEntry("meanConfidence", null).containsEntry("accuracy", null);
        assertThat(object(bins.get(2))).containsEntry("count", 2.0).containsEntry("accuracy", 0.0);
        assertThat((double) object(bins.get(2)).get("meanConfidence")).isCloseTo(0.55, within(1e-12));
        assertThat(object(bins.get(3))).containsEntry("count", 3.0).containsEntry("accuracy", 1.0);
        assertThat(object(bins.get(4))).containsEntry("count", 1.0).containsEntry("meanConfidence", 0.9);
    }

    /**
     * With example weights the metrics count weights, so the report adds the matrix of summed weights
     * (scikit-learn's confusion_matrix with sample_weight) beside the counts, and the page shows it and
     * says so.
     */
    @Test
    void aWeightedReportHoldsTheWeightedConfusionMatrixAndThePageShowsIt() {
        Predictions weighted = TEST.withWeights(new double[] {2, 0.5, 1.5, 0, 3, 1});
        EvaluationReport r = EvaluationReport.builder(RESULT, weighted).classNames(ReportFixtures.CLASS_NAMES)
                .resamples(20).build();
        Map<String, Object> json = object(Json.parse(r.toJson(), EvaluationReport.JSON_MAX_DEPTH));

        // From expected_metrics.py, "R confusion_matrix": confusion_matrix(YR, argmax(PR), labels=range(3),
        // sample_weight=WR), scikit-learn 1.2.1.
        assertThat(json.get("weightedConfusionMatrix")).isEqualTo(List.of(List.of(2.0, 0.5, 0.0),
                List.of(0.0, 1.5, 0.0), List.of(1.0, 0.0, 3.0)));
        assertThat(json.get("confusionMatrix")).isEqualTo(List.of(List.of(1.0, 1.0, 0.0), List.of(0.0, 2.0, 0.0),
                List.of(1.0, 0.0, 1.0)));
        assertThat(r.confusionMatrix().weighted()).isTrue();

        String chart = chart(r.toHtml(), "confusion-matrix");
        assertThat(chart).contains("<title>Confusion matrix of summed example weights")
                .contains(">0.5</text>").contains(">1.5</text>")
                .contains("actual cat &lt;b&gt;&amp;amp;&lt;/b&gt;, predicted dog &quot;quoted&quot; &#39;single&#39;: weight 0.5 (1 example)")
                .contains("actual dog &quot;quoted&quot; &#39;single&#39;, predicted dog &quot;quoted&quot; &#39;single&#39;: weight 1.5 (2 examples)");
        assertThat(r.toHtml()).contains("<p id=\"confusion-matrix-note\">Cells are sums of example weights");
        // A large weight keeps 4 significant digits in its cell, 4 decimals in its tooltip.
        String heavy = chart(EvaluationReport.builder(RESULT, TEST.withWeights(new double[] {12345.6789, 1, 1, 1, 1, 1}))
                .resamples(20).build().toHtml(), "confusion-matrix");
        assertThat(heavy).contains(">12350</text>").contains("actual 0, predicted 0: weight 12345.6789 (1 example)");
        String unweighted = report().toHtml();
        assertThat(chart(unweighted, "confusion-matrix")).contains("<title>Confusion matrix: rows are actual classes")
                .contains(": 2</title>").doesNotContain("weight");
        assertThat(unweighted).doesNotContain("confusion-matrix-note");
    }

    @Test
    void theJsonHoldsTheTrainingHistoryAndProvenance() {
        Map<String, Object> json = object(Json.parse(report().toJson(), EvaluationReport.JSON_MAX_DEPTH));

        Map<String, Object> training = object(json.get("training"));
        assertThat(training).containsEntry("bestEpoch", 2.0).containsEntry("stoppedEarly", true);
        List<Object> epochs = list(training.get("epochs"));
        assertThat(epochs).hasSize(3);
        assertThat(object(epochs.get(0))).isEqualTo(Map.of("epoch", 1.0, "trainLoss", 1.2, "validationLoss", 1.0,
                "seconds", 1.5, "metrics", Map.of("accuracy", 0.5)));
        assertThat(object(epochs.get(2))).containsEntry("trainLoss", 0.5).containsEntry("validationLoss", 0.9)
                .containsEntry("seconds", 1.0);
        assertThat(json.get("latency")).isNull();
        Map<String, Object> provenance = object(json.get("provenance"));
        assertThat(provenance).containsEntry("seed", "42").containsEntry("baseModel", "base-fingerprint")
                .containsEntry("startedAt", "2026-01-02T03:04:05Z")
                .containsEntry("config.note", "<script>alert(\"x\")</script>");
        assertThat(provenance).containsOnlyKeys(RESULT.provenance().asText().keySet());
    }

    @Test
    void aRunWithoutValidationHasNullValidationLossAndTheLatencyIsIncludedWhenGiven() {
        FineTuneResult noValidation = ReportFixtures.result(List.of(
                new EpochRecord(1, 0.9, Double.NaN, Map.of(), Duration.ofMillis(10))), 1, false);
        EvaluationReport r = EvaluationReport.builder(noValidation, TEST).resamples(20)
                .latency(LatencyReportFixture.report()).build();
        Map<String, Object> json = object(Json.parse(r.toJson(), EvaluationReport.JSON_MAX_DEPTH));

        assertThat(json.get("classes")).isEqualTo(List.of("0", "1", "2"));
        Map<String, Object> epoch = object(list(object(json.get("training")).get("epochs")).get(0));
        assertThat(epoch).containsEntry("validationLoss", null).containsEntry("metrics", Map.of());
        Map<String, Object> latency = object(json.get("latency"));
        assertThat(latency.get("conditions")).isEqualTo(LatencyReportFixture.report().conditions());
        List<Object> rows = list(latency.get("rows"));
        assertThat(object(rows.get(1))).isEqualTo(Map.of("model", "lora <merged>", "batch", 8.0,
                "p50Micros", 50.0, "p95Micros", 60.0, "p99Micros", 65.0, "examplesPerSecond", 160000.0, "ratioToFirst", 0.5));
        String html = r.toHtml();
        assertThat(html).contains("<table id=\"latency\">").contains("lora &lt;merged&gt;").doesNotContain("<polyline class=\"validation\"")
                .doesNotContain(">validation loss</text>");
        assertThat(report().toHtml()).doesNotContain("id=\"latency\"").contains(">validation loss</text>");
    }

    @Test
    void theHtmlHasOneSvgPerChartWithItsAxisLabels() {
        String html = report().toHtml();

        for (String id : List.of("learning-curves", "confusion-matrix", "reliability-diagram", "per-class")) {
            assertThat(count(html, "<svg id=\"" + id + "\"")).as(id).isEqualTo(1);
        }
        assertThat(count(html, "<svg ")).isEqualTo(4);
        assertThat(count(html, "</svg>")).isEqualTo(4);
        assertThat(chart(html, "learning-curves")).contains(">epoch</text>").contains(">loss</text>")
                .contains("<polyline class=\"train\"").contains("<polyline class=\"validation\"");
        assertThat(count(chart(html, "learning-curves"), "<circle class=\"dot-train\"")).isEqualTo(3);
        assertThat(chart(html, "confusion-matrix")).contains(">predicted class</text>").contains(">actual class</text>");
        assertThat(count(chart(html, "confusion-matrix"), "<rect class=\"cell\"")).isEqualTo(9);
        assertThat(chart(html, "reliability-diagram")).contains(">confidence</text>").contains(">accuracy</text>");
        // Three non-empty bins of five.
        assertThat(count(chart(html, "reliability-diagram"), "<rect class=\"bar\"")).isEqualTo(3);
        assertThat(chart(html, "per-class")).contains(">class</text>").contains(">score</text>");
        assertThat(count(chart(html, "per-class"), "<rect class=\"f1\" x=")).isEqualTo(3);
        assertThat(html).contains("<table id=\"provenance\">").contains("<table id=\"summary\">");
    }

    @Test
    void theHtmlReferencesNothingOutsideItselfAndEscapesEveryText() {
        String html = report().toHtml();

        assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("http:").doesNotContain("https:")
                .doesNotContain("//").doesNotContain("src=").doesNotContain("href=").doesNotContain("url(")
                .doesNotContain("@import").doesNotContain("<link").doesNotContain("<script").doesNotContain("<img")
                .doesNotContain("<iframe");
        assertThat(html).contains("cat &lt;b&gt;&amp;amp;&lt;/b&gt;").doesNotContain("<b>")
                .contains("dog &quot;quoted&quot; &#39;single&#39;").contains("bird\\slash")
                .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
        // Outside tags and entities, no raw markup character remains in the text.
        String text = html.replaceAll("<[^>]*>", "").replaceAll("&(amp|lt|gt|quot|#39);", "");
        assertThat(text).doesNotContain("<").doesNotContain(">").doesNotContain("&");
    }

    @Test
    void theReportsValuesMatchTheMetrics() {
        EvaluationReport r = report();

        assertThat(r.examples()).isEqualTo(6);
        assertThat(r.confusionMatrix()).isEqualTo(Metrics.confusionMatrix(TEST));
        assertThat(r.f1Macro().estimate()).isEqualTo(TEST.score(Metrics.f1Macro()));
        assertThat(r.expectedCalibrationError()).isEqualTo(TEST.score(Metrics.expectedCalibrationError(5)));
        for (int c = 0; c < 3; c++) {
            assertThat(r.perClass().get(c).precision()).isEqualTo(TEST.score(Metrics.precisionOfClass(c)));
            assertThat(r.perClass().get(c).recall()).isEqualTo(TEST.score(Metrics.recallOfClass(c)));
            assertThat(r.perClass().get(c).f1()).isEqualTo(TEST.score(Metrics.f1OfClass(c)));
        }
        assertThat(r.history()).isEqualTo(RESULT.history());
        assertThat(r.latency()).isEmpty();
        assertThat(EvaluationReport.of(RESULT, TEST).accuracy())
                .isEqualTo(Bootstrap.of(Metrics.accuracy()).interval(TEST, 0.95));
    }

    @Test
    void badOptionsAreRefusedWithTheFix() {
        EvaluationReport.Builder b = EvaluationReport.builder(RESULT, TEST);
        assertThatThrownBy(() -> b.classNames(List.of("a", "b"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("got 2 class names for 3 classes; give one name per class, in class-index order");
        assertThatThrownBy(() -> b.classNames(List.of("a", "a", "b"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> b.resamples(5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
        assertThatThrownBy(() -> b.level(1.0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 1.0");
        assertThatThrownBy(() -> b.bins(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        b.seed(3);
        assertThatThrownBy(() -> b.seed(4)).isInstanceOf(IllegalStateException.class)
                .hasMessage("seed(...) was already set; set each option once");
        FineTuneResult empty = ReportFixtures.result(List.of(), 1, false);
        assertThatThrownBy(() -> EvaluationReport.of(empty, TEST)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no epoch");
    }

    @Test
    void theJsonEscapesEveryControlCharacter() {
        assertThat(ReportJson.quote("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
        assertThat(ReportJson.quote("x\u2028y\u2029")).isEqualTo("\"x\\u2028y\\u2029\"");
        assertThat(Json.parse(ReportJson.quote("x\u001f\u2028\"y"), EvaluationReport.JSON_MAX_DEPTH)).isEqualTo("x\u001f\u2028\"y");
    }

    static String chart(String html, String id) {
        Matcher m = Pattern.compile("<svg id=\"" + id + "\".*?</svg>", Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("chart " + id).isTrue();
        return m.group();
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
