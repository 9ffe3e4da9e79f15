package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders the HTML report (every section: two group columns, robustness, data audit, latency, search) in
 * headless Chromium: every chart is laid out with drawn content, the verdict cells are coloured, the
 * page logs nothing to the console, and a screenshot lands in {@code target/evaluation-report.png}. A
 * deliberately broken page shows that console errors are caught.
 */
class ReportBrowserTest {
    private static final List<String> CHARTS = List.of("learning-curves", "confusion-matrix", "reliability-diagram", "per-class",
            "per-group-1", "per-group-2", "robustness-1", "robustness-2", "search-param-1", "search-param-2",
            "search-progress");
    /**
     * Added to a copy of the report: per SVG, its id, laid-out width and height, the size of its
     * content's bounding box and how many of its shapes and texts have a non-empty layout box.
     */
    private static final String PROBE = """
            <script>
            (function () {
              var lines = [];
              document.querySelectorAll('svg').forEach(function (svg) {
                var r = svg.getBoundingClientRect();
                var b = svg.getBBox();
                var drawn = 0;
                svg.querySelectorAll('rect, line, polyline, circle, path, text').forEach(function (e) {
                  var q = e.getBoundingClientRect();
                  if (q.width > 0 || q.height > 0) { drawn++; }
                });
                lines.push([svg.id, Math.round(r.width), Math.round(r.height), Math.round(b.width), Math.round(b.height), drawn].join(' '));
              });
              ['PASS', 'WARN', 'FAIL', 'SKIPPED'].forEach(function (v) {
                var cell = document.querySelector('td.' + v);
                lines.push(['verdict-' + v, cell ? getComputedStyle(cell).backgroundColor.replace(/ /g, '') : 'none'].join(' '));
              });
              var pre = document.createElement('pre');
              pre.id = 'probe';
              pre.style.display = 'none';
              pre.textContent = lines.join('\\n');
              document.body.appendChild(pre);
            })();
            </script>
            """;
    private static final Path TARGET = Path.of("target");
    private static Chromium.Page report;
    private static Chromium.Page broken;

    @BeforeAll
    static void renderBothPagesAtOnce() throws Exception {
        Path dir = Files.createDirectories(TARGET.resolve("report-browser"));
        String html = EvaluationReport.builder(ReportFixtures.result(), SectionFixtures.predictions())
                .classNames(List.of("good <b>&amp;</b>", "bad \"quoted\" 'single'")).resamples(200)
                .groups("sex", Groups.of(SectionFixtures.SEX)).groups("site", Groups.of(SectionFixtures.SITE))
                .robustness(SectionFixtures.robustness()).dataAudit(SectionFixtures.audit())
                .latency(LatencyReportFixture.report()).search(SearchFixture.result()).build().toHtml();
        Path page = dir.resolve("report-probed.html");
        Files.writeString(page, html.replace("</body>", PROBE + "</body>"), StandardCharsets.UTF_8);
        Path bad = dir.resolve("broken.html");
        Files.writeString(bad, html.replace("</body>", "<script>console.error('deliberate console error');"
                + "undefinedFunctionOfABrokenPage();</script>\n</body>"), StandardCharsets.UTF_8);
        // Both start before either is awaited: the two browsers share the wait.
        Chromium first = Chromium.start(page, TARGET.resolve("evaluation-report.png"), 1200, 6400);
        Chromium second = Chromium.start(bad, dir.resolve("broken.png"), 800, 600);
        report = first.await();
        broken = second.await();
    }

    @Test
    void everyChartIsDrawnWithContentAndNothingIsLoggedToTheConsole() throws Exception {
        assertThat(report.console()).as("console messages of the report page").isEmpty();
        Matcher m = Pattern.compile("<pre id=\"probe\"[^>]*>([^<]*)</pre>").matcher(report.dom());
        assertThat(m.find()).as("the probe ran and wrote its result into the DOM").isTrue();
        Map<String, int[]> charts = new LinkedHashMap<>();
        Map<String, String> verdicts = new LinkedHashMap<>();
        for (String line : m.group(1).split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[0].startsWith("verdict-")) {
                verdicts.put(f[0], f[1]);
                continue;
            }
            charts.put(f[0], new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Integer.parseInt(f[5])});
        }
        assertThat(charts.keySet()).containsExactlyElementsOf(CHARTS);
        for (String id : CHARTS) {
            int[] c = charts.get(id);
            assertThat(c[0]).as(id + " laid-out width").isGreaterThan(200);
            assertThat(c[1]).as(id + " laid-out height").isGreaterThan(200);
            assertThat(c[2]).as(id + " content width").isGreaterThan(100);
            assertThat(c[3]).as(id + " content height").isGreaterThan(100);
            assertThat(c[4]).as(id + " drawn shapes and texts").isGreaterThan(10);
        }
        // Every verdict has a cell, coloured as the page's style says.
        assertThat(verdicts).containsExactly(Map.entry("verdict-PASS", "rgb(218,251,225)"),
                Map.entry("verdict-WARN", "rgb(255,248,197)"), Map.entry("verdict-FAIL", "rgb(255,235,233)"),
                Map.entry("verdict-SKIPPED", "rgb(234,238,242)"));
        byte[] png = Files.readAllBytes(report.screenshot());
        assertThat(png.length).as("screenshot size").isGreaterThan(10_000);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void consoleErrorsOfABrokenPageAreCaught() {
        assertThat(broken.console()).hasSize(2);
        assertThat(broken.console().get(0)).contains("deliberate console error");
        assertThat(broken.console().get(1)).contains("Uncaught ReferenceError").contains("undefinedFunctionOfABrokenPage");
    }
}
