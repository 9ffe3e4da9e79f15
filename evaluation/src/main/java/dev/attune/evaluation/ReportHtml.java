package dev.attune.evaluation;

import dev.attune.EpochRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an {@link EvaluationReport} as one self-contained HTML page: inline CSS, one inline SVG per
 * chart (ids {@code learning-curves}, {@code confusion-matrix}, {@code reliability-diagram},
 * {@code per-class}, then {@code per-group-<n>} per group column and {@code robustness-<n>} per
 * perturbation, counted from 1, and those of {@link SearchHtml} with a search), tables for the rest (fairness checks and data-audit checks with a
 * cell coloured by verdict); no script and no reference to anything outside the page. Every text from
 * the report is escaped.
 */
final class ReportHtml {
    private static final int LEFT = 64;
    private static final int RIGHT = 24;
    private static final int TOP = 24;
    private static final int BOTTOM = 56;
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#1f2328;padding:0 16px}
            h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:4px}
            table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
            td.n{text-align:right;font-variant-numeric:tabular-nums}
            svg{display:block;margin:8px 0;font-size:12px}
            .axis{stroke:#57606a;stroke-width:1}.grid{stroke:#eaeef2;stroke-width:1}
            .axis-label{font-size:13px;fill:#1f2328}.tick{fill:#57606a;font-size:11px}
            .train{stroke:#0969da;fill:none;stroke-width:2}.validation{stroke:#cf222e;fill:none;stroke-width:2}
            .dot-train{fill:#0969da}.dot-validation{fill:#cf222e}
            .bar{fill:#0969da}.ideal{stroke:#57606a;stroke-dasharray:4 3}
            .precision{fill:#0969da}.recall{fill:#1a7f37}.f1{fill:#bf8700}
            .s0{fill:#0969da;stroke:#0969da}.s1{fill:#1a7f37;stroke:#1a7f37}.s2{fill:#bf8700;stroke:#bf8700}
            .s3{fill:#8250df;stroke:#8250df}.s4{fill:#cf222e;stroke:#cf222e}.s5{fill:#57606a;stroke:#57606a}
            polyline.series{fill:none;stroke-width:2}line.reference{stroke-width:1.5;stroke-dasharray:5 4}
            .charts{display:flex;flex-wrap:wrap;gap:8px 24px}h3{font-size:1em;margin:1em 0 .3em}
            td.PASS{background:#dafbe1}td.WARN{background:#fff8c5}td.FAIL{background:#ffebe9}td.SKIPPED{background:#eaeef2}
            """;
    private static final int SERIES = 6;

    private final StringBuilder out = new StringBuilder();

    private ReportHtml() {
    }

    static String render(EvaluationReport r) {
        ReportHtml h = new ReportHtml();
        h.out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Evaluation report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>Evaluation report</h1>\n<p>Schema ").append(escape(EvaluationReport.SCHEMA))
                .append("; ").append(r.examples()).append(" test examples, ").append(r.classNames().size())
                .append(" classes.</p>\n");
        h.summary(r);
        h.section("Learning curves");
        h.learningCurves(r.history());
        h.section("Confusion matrix");
        h.confusionMatrix(r.confusionMatrix(), r.classNames());
        h.section("Reliability diagram");
        h.reliability(r.reliability());
        h.section("Per-class precision, recall and F1");
        h.perClass(r.perClass());
        for (int i = 0; i < r.fairness().size(); i++) {
            h.groupColumn(r.fairness().get(i), i + 1);
        }
        r.robustness().ifPresent(h::robustness);
        r.dataAudit().ifPresent(h::dataAudit);
        r.latency().ifPresent(h::latency);
        r.search().ifPresent(search -> SearchHtml.render(h.out, search));
        h.provenance(r);
        h.out.append("</body>\n</html>\n");
        return h.out.toString();
    }

    private void section(String title) {
        out.append("<h2>").append(escape(title)).append("</h2>\n");
    }

    private void summary(EvaluationReport r) {
        section("Summary");
        out.append("<table id=\"summary\">\n<tr><th>measure</th><th>value</th><th>")
                .append(Bootstrap.percent(r.accuracy().level())).append("% bootstrap interval</th></tr>\n");
        for (ConfidenceInterval ci : List.of(r.accuracy(), r.f1Macro())) {
            out.append("<tr><td>").append(escape(ci.metric())).append("</td><td class=\"n\">").append(fmt(ci.estimate()))
                    .append("</td><td class=\"n\">").append(fmt(ci.lower())).append(" to ").append(fmt(ci.upper()))
                    .append(" (").append(ci.resamples()).append(" resamples, seed ").append(r.bootstrapSeed())
                    .append(")</td></tr>\n");
        }
        out.append("<tr><td>expected calibration error (").append(r.reliability().bins().size())
                .append(" bins)</td><td class=\"n\">").append(fmt(r.expectedCalibrationError())).append("</td><td></td></tr>\n")
                .append("<tr><td>best epoch</td><td class=\"n\">").append(r.bestEpoch()).append(" of ")
                .append(r.history().size()).append("</td><td>")
                .append(r.stoppedEarly() ? "stopped early" : "trained every epoch").append("</td></tr>\n</table>\n");
    }

    private void learningCurves(List<EpochRecord> history) {
        int w = 560;
        int h = 320;
        double max = 0;
        boolean validation = false;
        for (EpochRecord e : history) {
            max = Math.max(max, finite(e.trainLoss()));
            if (Double.isFinite(e.validationLoss())) {
                validation = true;
                max = Math.max(max, e.validationLoss());
            }
        }
        // Round ticks: a step of 1, 2 or 5 times a power of ten, about five of them up to the largest loss.
        double step = max > 0 ? niceStep(max / 5) : 0.2;
        int intervals = max > 0 ? (int) Math.ceil(max / step - 1e-9) : 5;
        double top = intervals * step;
        int epochs = history.size();
        int first = history.get(0).epoch();
        int last = history.get(epochs - 1).epoch();
        Scale x = first == last ? new Scale(first - 1, last + 1, LEFT, w - RIGHT) : new Scale(first, last, LEFT, w - RIGHT);
        Scale y = new Scale(0, top, h - BOTTOM, TOP);
        open("learning-curves", w, h, "Train and validation loss per epoch");
        yAxis(y, w, ticks(0, top, intervals), "loss");
        List<Double> xTicks = new ArrayList<>();
        int every = Math.max(1, (int) Math.ceil((last - first + 1) / 10.0));
        for (int e = first; e <= last; e += every) {
            xTicks.add((double) e);
        }
        xAxis(x, y, h, xTicks, null, "epoch");
        curve(history, x, y, true);
        if (validation) {
            curve(history, x, y, false);
        }
        legend(w, new String[] {"train loss", "validation loss"}, new String[] {"dot-train", "dot-validation"},
                validation ? 2 : 1);
        out.append("</svg>\n");
    }

    private void curve(List<EpochRecord> history, Scale x, Scale y, boolean train) {
        String kind = train ? "train" : "validation";
        StringBuilder points = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        for (EpochRecord e : history) {
            double v = train ? e.trainLoss() : e.validationLoss();
            if (!Double.isFinite(v)) {
                continue;
            }
            String px = coord(x.at(e.epoch()));
            String py = coord(y.at(v));
            points.append(points.length() == 0 ? "" : " ").append(px).append(',').append(py);
            dots.append("<circle class=\"dot-").append(kind).append("\" cx=\"").append(px).append("\" cy=\"").append(py)
                    .append("\" r=\"3\"><title>epoch ").append(e.epoch()).append(": ").append(kind).append(" loss ")
                    .append(fmt(v)).append("</title></circle>\n");
        }
        out.append("<polyline class=\"").append(kind).append("\" points=\"").append(points).append("\"/>\n").append(dots);
    }

    /**
     * The heat map of the matrix, shaded by each cell's share of its row. With example weights the cells
     * are the summed weights, which the report's metrics count, and the page says so; each cell's
     * tooltip then gives its number of examples too.
     */
    private void confusionMatrix(ConfusionMatrix m, List<String> names) {
        int[][] counts = m.counts();
        double[][] values = m.weights();
        boolean weighted = m.weighted();
        int k = counts.length;
        int cell = Math.max(14, Math.min(56, 448 / k));
        int left = 120;
        int top = 16;
        int w = left + k * cell + 24;
        int h = top + k * cell + 96;
        if (weighted) {
            out.append("<p id=\"confusion-matrix-note\">Cells are sums of example weights (scikit-learn's ")
                    .append("<code>confusion_matrix</code> with <code>sample_weight</code>), as every metric of this ")
                    .append("report counts them; the ").append(m.total()).append(" test examples weigh ")
                    .append(ConfusionMatrix.number(m.totalWeight())).append(" in all.</p>\n");
        }
        open("confusion-matrix", w, h, weighted
                ? "Confusion matrix of summed example weights: rows are actual classes, columns predicted classes"
                : "Confusion matrix: rows are actual classes, columns predicted classes");
        for (int a = 0; a < k; a++) {
            double row = 0;
            for (double v : values[a]) {
                row += v;
            }
            for (int p = 0; p < k; p++) {
                String value = weighted ? significant(values[a][p]) : String.valueOf(counts[a][p]);
                String detail = weighted ? "weight " + ConfusionMatrix.number(values[a][p]) + " (" + counts[a][p]
                        + (counts[a][p] == 1 ? " example)" : " examples)") : value;
                double share = row == 0 ? 0 : values[a][p] / row;
                int shade = (int) Math.round(255 - share * 200);
                int xx = left + p * cell;
                int yy = top + a * cell;
                out.append("<rect class=\"cell\" x=\"").append(xx).append("\" y=\"").append(yy).append("\" width=\"")
                        .append(cell).append("\" height=\"").append(cell).append("\" fill=\"rgb(").append(shade).append(',')
                        .append(Math.min(255, shade + 20)).append(",255)\" stroke=\"#d0d7de\"><title>actual ")
                        .append(escape(names.get(a))).append(", predicted ").append(escape(names.get(p))).append(": ")
                        .append(detail).append("</title></rect>\n");
                if (cell >= 24) {
                    out.append("<text x=\"").append(xx + cell / 2).append("\" y=\"").append(yy + cell / 2 + 4)
                            .append("\" text-anchor=\"middle\" fill=\"").append(share > 0.6 ? "#ffffff" : "#1f2328")
                            .append("\">").append(value).append("</text>\n");
                }
            }
            out.append("<text class=\"tick\" x=\"").append(left - 6).append("\" y=\"").append(top + a * cell + cell / 2 + 4)
                    .append("\" text-anchor=\"end\">").append(escape(shorten(names.get(a)))).append("</text>\n");
        }
        int base = top + k * cell;
        for (int p = 0; p < k; p++) {
            int cx = left + p * cell + cell / 2;
            out.append("<text class=\"tick\" x=\"").append(cx).append("\" y=\"").append(base + 8)
                    .append("\" text-anchor=\"end\" transform=\"rotate(-45 ").append(cx).append(' ').append(base + 8)
                    .append(")\">").append(escape(shorten(names.get(p)))).append("</text>\n");
        }
        out.append("<text class=\"axis-label\" x=\"").append(left + k * cell / 2).append("\" y=\"").append(h - 8)
                .append("\" text-anchor=\"middle\">predicted class</text>\n")
                .append("<text class=\"axis-label\" x=\"14\" y=\"").append(top + k * cell / 2)
                .append("\" text-anchor=\"middle\" transform=\"rotate(-90 14 ").append(top + k * cell / 2)
                .append(")\">actual class</text>\n</svg>\n");
    }

    private void reliability(ReliabilityDiagram d) {
        int w = 420;
        int h = 380;
        Scale x = new Scale(0, 1, LEFT, w - RIGHT);
        Scale y = new Scale(0, 1, h - BOTTOM, TOP);
        open("reliability-diagram", w, h, "Reliability diagram: accuracy per bin of top-class confidence");
        List<Double> t = ticks(0, 1, 4);
        yAxis(y, w, t, "accuracy");
        xAxis(x, y, h, t, null, "confidence");
        for (ReliabilityDiagram.Bin b : d.bins()) {
            if (b.weight() == 0) {
                continue;
            }
            double x0 = x.at(b.lower()) + 1;
            double x1 = x.at(b.upper()) - 1;
            double y1 = y.at(b.accuracy());
            out.append("<rect class=\"bar\" x=\"").append(coord(x0)).append("\" y=\"").append(coord(y1))
                    .append("\" width=\"").append(coord(Math.max(1, x1 - x0))).append("\" height=\"")
                    .append(coord(y.at(0) - y1)).append("\"><title>confidence (").append(fmt(b.lower())).append(", ")
                    .append(fmt(b.upper())).append("]: ").append(b.count()).append(" examples, accuracy ")
                    .append(fmt(b.accuracy())).append(", mean confidence ").append(fmt(b.meanConfidence()))
                    .append("</title></rect>\n");
        }
        out.append("<line class=\"ideal\" x1=\"").append(coord(x.at(0))).append("\" y1=\"").append(coord(y.at(0)))
                .append("\" x2=\"").append(coord(x.at(1))).append("\" y2=\"").append(coord(y.at(1))).append("\"/>\n")
                .append("<text class=\"tick\" x=\"").append(LEFT + 8).append("\" y=\"").append(TOP + 12)
                .append("\">ECE ").append(fmt(d.expectedCalibrationError())).append("</text>\n</svg>\n");
    }

    private void perClass(List<EvaluationReport.ClassScores> scores) {
        int k = scores.size();
        int group = Math.max(30, Math.min(72, 600 / k));
        // The legend sits right of the bars, out of their way.
        int w = LEFT + k * group + RIGHT + 130;
        int h = 340;
        Scale y = new Scale(0, 1, h - BOTTOM - 24, TOP);
        open("per-class", w, h, "Precision, recall and F1 of every class");
        yAxis(y, LEFT + k * group + RIGHT, ticks(0, 1, 4), "score");
        double bar = (group - 8) / 3.0;
        String[] kinds = {"precision", "recall", "f1"};
        for (int c = 0; c < k; c++) {
            EvaluationReport.ClassScores s = scores.get(c);
            double[] values = {s.precision(), s.recall(), s.f1()};
            for (int i = 0; i < 3; i++) {
                double x0 = LEFT + c * group + 4 + i * bar;
                double y1 = y.at(values[i]);
                // A zero score still shows as a hairline, so that every bar is visible.
                double height = Math.max(1, y.at(0) - y1);
                out.append("<rect class=\"").append(kinds[i]).append("\" x=\"").append(coord(x0)).append("\" y=\"")
                        .append(coord(y.at(0) - height)).append("\" width=\"").append(coord(bar - 1))
                        .append("\" height=\"").append(coord(height)).append("\"><title>").append(escape(s.name()))
                        .append(": ").append(kinds[i]).append(' ').append(fmt(values[i])).append("</title></rect>\n");
            }
            int cx = LEFT + c * group + group / 2;
            int ty = (int) y.at(0) + 14;
            out.append("<text class=\"tick\" x=\"").append(cx).append("\" y=\"").append(ty)
                    .append("\" text-anchor=\"end\" transform=\"rotate(-30 ").append(cx).append(' ').append(ty).append(")\">")
                    .append(escape(shorten(s.name()))).append("</text>\n");
        }
        out.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(coord(y.at(0))).append("\" x2=\"")
                .append(LEFT + k * group).append("\" y2=\"").append(coord(y.at(0))).append("\"/>\n")
                .append("<text class=\"axis-label\" x=\"").append(LEFT + k * group / 2).append("\" y=\"")
                .append(h - 8).append("\" text-anchor=\"middle\">class</text>\n");
        legend(w, new String[] {"precision", "recall", "F1"}, kinds, 3);
        out.append("</svg>\n");
        out.append("<table id=\"per-class-table\">\n<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th>"
                + "<th>support</th></tr>\n");
        for (EvaluationReport.ClassScores s : scores) {
            out.append("<tr><td>").append(escape(s.name())).append("</td><td class=\"n\">").append(fmt(s.precision()))
                    .append("</td><td class=\"n\">").append(fmt(s.recall())).append("</td><td class=\"n\">")
                    .append(fmt(s.f1())).append("</td><td class=\"n\">").append(s.support()).append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void groupColumn(EvaluationReport.GroupColumn g, int n) {
        section("Groups of " + g.column());
        List<GroupTable> tables = g.tables();
        int groups = g.groups().size();
        int m = tables.size();
        int group = Math.max(16 * m + 8, Math.min(40 * m + 8, 640 / groups));
        int w = LEFT + groups * group + RIGHT + 150;
        int h = 340;
        double max = 1;
        for (GroupTable t : tables) {
            max = Math.max(max, t.overall());
            for (GroupTable.Row row : t.rows()) {
                max = Math.max(max, finite(row.value()));
            }
        }
        double step = max <= 1 ? 0.25 : niceStep(max / 4);
        int intervals = (int) Math.ceil(max / step - 1e-9);
        double top = intervals * step;
        Scale y = new Scale(0, top, h - BOTTOM - 24, TOP);
        int right = LEFT + groups * group;
        open("per-group-" + n, w, h, "Metrics per group of " + g.column() + "; dashed lines: all examples");
        yAxis(y, right + RIGHT, ticks(0, top, intervals), "value");
        double bar = (group - 8) / (double) m;
        for (int gi = 0; gi < groups; gi++) {
            String name = g.groups().get(gi);
            for (int t = 0; t < m; t++) {
                GroupTable.Row row = tables.get(t).rows().get(gi);
                double x0 = LEFT + gi * group + 4 + t * bar;
                double height = Math.max(1, y.at(0) - y.at(finite(row.value())));
                out.append("<rect class=\"s").append(t % SERIES).append("\" x=\"").append(coord(x0)).append("\" y=\"")
                        .append(coord(y.at(0) - height)).append("\" width=\"").append(coord(bar - 1))
                        .append("\" height=\"").append(coord(height)).append("\"><title>").append(escape(name))
                        .append(" (").append(row.count()).append(" examples): ").append(escape(tables.get(t).metric()))
                        .append(' ').append(fmt(row.value())).append("</title></rect>\n");
            }
            int cx = LEFT + gi * group + group / 2;
            int ty = (int) y.at(0) + 14;
            out.append("<text class=\"tick\" x=\"").append(cx).append("\" y=\"").append(ty)
                    .append("\" text-anchor=\"end\" transform=\"rotate(-30 ").append(cx).append(' ').append(ty).append(")\">")
                    .append(escape(shorten(name))).append("</text>\n");
        }
        for (int t = 0; t < m; t++) {
            String py = coord(y.at(finite(tables.get(t).overall())));
            out.append("<line class=\"reference s").append(t % SERIES).append("\" x1=\"").append(LEFT).append("\" y1=\"")
                    .append(py).append("\" x2=\"").append(right).append("\" y2=\"").append(py).append("\"><title>all examples: ")
                    .append(escape(tables.get(t).metric())).append(' ').append(fmt(tables.get(t).overall()))
                    .append("</title></line>\n");
        }
        out.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(coord(y.at(0))).append("\" x2=\"")
                .append(right).append("\" y2=\"").append(coord(y.at(0))).append("\"/>\n")
                .append("<text class=\"axis-label\" x=\"").append(LEFT + groups * group / 2).append("\" y=\"")
                .append(h - 8).append("\" text-anchor=\"middle\">").append(escape(shorten(g.column()))).append("</text>\n");
        legend(w, tables.stream().map(GroupTable::metric).toArray(String[]::new), series(m), Math.min(m, 12));
        out.append("</svg>\n<table id=\"per-group-table-").append(n).append("\">\n<tr><th>group</th><th>examples</th>");
        for (GroupTable t : tables) {
            out.append("<th>").append(escape(t.metric())).append("</th>");
        }
        out.append("</tr>\n");
        for (int gi = 0; gi < groups; gi++) {
            out.append("<tr><td>").append(escape(g.groups().get(gi))).append("</td><td class=\"n\">")
                    .append(tables.get(0).rows().get(gi).count()).append("</td>");
            for (GroupTable t : tables) {
                out.append("<td class=\"n\">").append(fmt(t.rows().get(gi).value())).append("</td>");
            }
            out.append("</tr>\n");
        }
        out.append("<tr><th>all</th><td class=\"n\">").append(tables.get(0).rows().stream().mapToInt(GroupTable.Row::count).sum())
                .append("</td>");
        for (GroupTable t : tables) {
            out.append("<td class=\"n\">").append(fmt(t.overall())).append("</td>");
        }
        out.append("</tr>\n<tr><th>largest - smallest</th><td></td>");
        for (GroupTable t : tables) {
            out.append("<td class=\"n\">").append(fmt(t.difference())).append("</td>");
        }
        out.append("</tr>\n</table>\n");
        if (!g.checks().isEmpty()) {
            out.append("<table id=\"fairness-checks-").append(n).append("\">\n")
                    .append("<tr><th>fairness measure</th><th>value</th><th>warn at</th><th>fail at</th><th>verdict</th></tr>\n");
            for (FairnessCheck c : g.checks()) {
                out.append("<tr><td>").append(escape(c.measure().name().toLowerCase(Locale.ROOT).replace('_', ' ')))
                        .append("</td><td class=\"n\">").append(fmt(c.value())).append("</td><td class=\"n\">")
                        .append(fmt(c.warnAt())).append("</td><td class=\"n\">").append(fmt(c.failAt()))
                        .append("</td><td class=\"").append(c.verdict().name()).append("\">").append(c.verdict().name())
                        .append("</td></tr>\n");
            }
            out.append("</table>\n");
        }
    }

    private void robustness(RobustnessReport r) {
        section("Robustness");
        // One chart per perturbation: strengths of different perturbations are in different units.
        Map<String, List<RobustnessReport.Row>> byPerturbation = new java.util.LinkedHashMap<>();
        List<String> metrics = new ArrayList<>();
        for (RobustnessReport.Row row : r.rows()) {
            if (!metrics.contains(row.metric())) {
                metrics.add(row.metric());
            }
            if (!Double.isNaN(row.strength())) {
                byPerturbation.computeIfAbsent(row.perturbation(), p -> new ArrayList<>()).add(row);
            }
        }
        out.append("<p>Seed ").append(r.seed()).append(". Dashed lines: the metric on the clean test set.</p>\n")
                .append("<div class=\"charts\">\n");
        int n = 0;
        for (Map.Entry<String, List<RobustnessReport.Row>> e : byPerturbation.entrySet()) {
            n++;
            out.append("<div>\n<h3>").append(escape(e.getKey())).append("</h3>\n");
            robustnessChart(r, e.getKey(), e.getValue(), metrics, n);
            out.append("</div>\n");
        }
        out.append("</div>\n<table id=\"robustness-table\">\n<tr><th>perturbation</th><th>strength</th><th>metric</th>")
                .append("<th>value</th><th>drop</th></tr>\n");
        for (RobustnessReport.Row row : r.rows()) {
            out.append("<tr><td>").append(escape(row.perturbation())).append("</td><td class=\"n\">")
                    .append(Double.isNaN(row.strength()) ? "" : tick(row.strength())).append("</td><td>")
                    .append(escape(row.metric())).append("</td><td class=\"n\">").append(fmt(row.value()))
                    .append("</td><td class=\"n\">").append(signed(row.drop())).append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void robustnessChart(RobustnessReport r, String perturbation, List<RobustnessReport.Row> rows,
                                 List<String> metrics, int n) {
        int w = 460;
        int h = 300;
        List<Double> strengths = new ArrayList<>();
        double max = 1;
        for (RobustnessReport.Row row : rows) {
            if (!strengths.contains(row.strength())) {
                strengths.add(row.strength());
            }
            max = Math.max(max, finite(row.value()));
        }
        Map<String, Double> clean = new java.util.LinkedHashMap<>();
        for (String m : metrics) {
            for (RobustnessReport.Row row : r.rows()) {
                if (row.perturbation().equals(RobustnessReport.CLEAN) && row.metric().equals(m)) {
                    clean.put(m, row.value());
                    max = Math.max(max, finite(row.value()));
                }
            }
        }
        double lo = strengths.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double hi = strengths.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double pad = lo == hi ? Math.max(1e-9, Math.abs(lo) * 0.5 + (lo == 0 ? 1 : 0)) : (hi - lo) * 0.06;
        Scale x = new Scale(lo - pad, hi + pad, LEFT, w - RIGHT - 140);
        double step = max <= 1 ? 0.25 : niceStep(max / 4);
        int intervals = (int) Math.ceil(max / step - 1e-9);
        double top = intervals * step;
        Scale y = new Scale(0, top, h - BOTTOM, TOP);
        open("robustness-" + n, w, h, "Metrics under " + perturbation + " by strength; dashed lines: clean test set");
        yAxis(y, w - 140, ticks(0, top, intervals), "value");
        xAxis(x, y, h, strengths, null, "strength");
        for (int mi = 0; mi < metrics.size(); mi++) {
            String m = metrics.get(mi);
            String cls = "s" + (mi % SERIES);
            if (clean.containsKey(m) && Double.isFinite(clean.get(m))) {
                String py = coord(y.at(clean.get(m)));
                out.append("<line class=\"reference ").append(cls).append("\" x1=\"").append(coord(x.lo)).append("\" y1=\"")
                        .append(py).append("\" x2=\"").append(coord(x.hi)).append("\" y2=\"").append(py)
                        .append("\"><title>clean: ").append(escape(m)).append(' ').append(fmt(clean.get(m)))
                        .append("</title></line>\n");
            }
            StringBuilder points = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (RobustnessReport.Row row : rows) {
                if (!row.metric().equals(m) || !Double.isFinite(row.value())) {
                    continue;
                }
                String px = coord(x.at(row.strength()));
                String py = coord(y.at(row.value()));
                points.append(points.length() == 0 ? "" : " ").append(px).append(',').append(py);
                dots.append("<circle class=\"").append(cls).append("\" cx=\"").append(px).append("\" cy=\"").append(py)
                        .append("\" r=\"3\"><title>strength ").append(tick(row.strength())).append(": ").append(escape(m))
                        .append(' ').append(fmt(row.value())).append(" (drop ")
                        .append(String.format(Locale.ROOT, "%+.4f", row.drop())).append(")</title></circle>\n");
            }
            out.append("<polyline class=\"series ").append(cls).append("\" points=\"").append(points).append("\"/>\n")
                    .append(dots);
        }
        legend(w, metrics.toArray(String[]::new), series(metrics.size()), Math.min(metrics.size(), 12));
        out.append("</svg>\n");
    }

    private void dataAudit(dev.attune.DataAuditSummary audit) {
        section("Data audit");
        out.append("<p>Verdict: ").append(EvaluationReport.worst(audit.findings()).name()).append(".</p>\n")
                .append("<table id=\"data-audit\">\n<tr><th>check</th><th>column</th><th>value</th><th>warn at</th>")
                .append("<th>fail at</th><th>verdict</th><th>detail</th></tr>\n");
        for (dev.attune.DataAuditSummary.Finding f : audit.findings()) {
            out.append("<tr><td>").append(escape(f.name())).append("</td><td>").append(escape(f.column()))
                    .append("</td><td class=\"n\">").append(fmt(f.value())).append("</td><td class=\"n\">")
                    .append(fmt(f.warnThreshold())).append("</td><td class=\"n\">").append(fmt(f.failThreshold()))
                    .append("</td><td class=\"").append(f.status().name()).append("\">").append(f.status().name())
                    .append("</td><td>").append(escape(f.detail())).append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private static String[] series(int count) {
        String[] classes = new String[count];
        for (int i = 0; i < count; i++) {
            classes[i] = "s" + (i % SERIES);
        }
        return classes;
    }

    private void latency(LatencyReport l) {
        section("Latency");
        out.append("<p>").append(escape(l.conditions())).append("</p>\n<table id=\"latency\">\n")
                .append("<tr><th>model</th><th>batch</th><th>p50 (µs)</th><th>p95 (µs)</th><th>p99 (µs)</th>")
                .append("<th>examples/s</th><th>time / ").append(escape(l.rows().get(0).model())).append("</th></tr>\n");
        String first = l.rows().get(0).model();
        for (LatencyReport.Row row : l.rows()) {
            out.append("<tr><td>").append(escape(row.model())).append("</td><td class=\"n\">").append(row.batch())
                    .append("</td><td class=\"n\">").append(fmt1(row.p50())).append("</td><td class=\"n\">")
                    .append(fmt1(row.p95())).append("</td><td class=\"n\">").append(fmt1(row.p99()))
                    .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%,.0f", row.examplesPerSecond()))
                    .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%.3f",
                            l.ratio(row.model(), first, row.batch()))).append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void provenance(EvaluationReport r) {
        section("Provenance");
        out.append("<table id=\"provenance\">\n");
        for (Map.Entry<String, String> e : r.provenance().asText().entrySet()) {
            out.append("<tr><th>").append(escape(e.getKey())).append("</th><td>").append(escape(e.getValue()))
                    .append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private void open(String id, int w, int h, String title) {
        out.append("<svg id=\"").append(id).append("\" width=\"").append(w).append("\" height=\"").append(h)
                .append("\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" role=\"img\">\n<title>")
                .append(escape(title)).append("</title>\n");
    }

    private void yAxis(Scale y, int w, List<Double> ticks, String label) {
        for (double t : ticks) {
            String py = coord(y.at(t));
            out.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" y1=\"").append(py).append("\" x2=\"")
                    .append(w - RIGHT).append("\" y2=\"").append(py).append("\"/>\n")
                    .append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(coord(y.at(t) + 4))
                    .append("\" text-anchor=\"end\">").append(tick(t)).append("</text>\n");
        }
        out.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(coord(y.at(ticks.get(0))))
                .append("\" x2=\"").append(LEFT).append("\" y2=\"").append(TOP).append("\"/>\n");
        double mid = (y.at(ticks.get(0)) + TOP) / 2;
        out.append("<text class=\"axis-label\" x=\"16\" y=\"").append(coord(mid)).append("\" text-anchor=\"middle\" ")
                .append("transform=\"rotate(-90 16 ").append(coord(mid)).append(")\">").append(escape(label)).append("</text>\n");
    }

    private void xAxis(Scale x, Scale y, int h, List<Double> ticks, List<String> names, String label) {
        double base = y.at(0);
        out.append("<line class=\"axis\" x1=\"").append(coord(x.lo)).append("\" y1=\"").append(coord(base))
                .append("\" x2=\"").append(coord(x.hi)).append("\" y2=\"").append(coord(base)).append("\"/>\n");
        for (int i = 0; i < ticks.size(); i++) {
            String text = names == null ? tick(ticks.get(i)) : escape(names.get(i));
            out.append("<text class=\"tick\" x=\"").append(coord(x.at(ticks.get(i)))).append("\" y=\"")
                    .append(coord(base + 16)).append("\" text-anchor=\"middle\">").append(text).append("</text>\n");
        }
        out.append("<text class=\"axis-label\" x=\"").append(coord((x.lo + x.hi) / 2)).append("\" y=\"").append(h - 12)
                .append("\" text-anchor=\"middle\">").append(escape(label)).append("</text>\n");
    }

    private void legend(int w, String[] labels, String[] classes, int count) {
        for (int i = 0; i < count; i++) {
            int ly = TOP + 4 + i * 16;
            out.append("<rect class=\"legend ").append(classes[i]).append("\" x=\"").append(w - RIGHT - 120).append("\" y=\"")
                    .append(ly).append("\" width=\"10\" height=\"10\"/>\n<text class=\"tick\" x=\"")
                    .append(w - RIGHT - 104).append("\" y=\"").append(ly + 9).append("\">").append(escape(labels[i]))
                    .append("</text>\n");
        }
    }

    /** A linear map from data values {@code [from, to]} to pixels {@code [lo, hi]}. */
    private record Scale(double from, double to, double lo, double hi) {
        double at(double v) {
            return lo + (v - from) / (to - from) * (hi - lo);
        }
    }

    private static List<Double> ticks(double from, double to, int intervals) {
        List<Double> t = new ArrayList<>();
        for (int i = 0; i <= intervals; i++) {
            t.add(from + (to - from) * i / intervals);
        }
        return t;
    }

    private static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double m = rough / power;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
    }

    /** A weight to 4 significant digits, plain, so that it fits its cell: {@code 0.3333}, {@code 12350}. */
    private static String significant(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    private static String shorten(String name) {
        return name.length() <= 16 ? name : name.substring(0, 15) + "…";
    }

    private static String coord(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.valueOf((long) v);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", v)).stripTrailingZeros().toPlainString();
    }

    /** A metric value to 4 decimals, or "n/a" when it is not finite; the card prints values the same way. */
    static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    /** A change in a metric with its sign, to 4 decimals, or "n/a" when it is not finite. */
    static String signed(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.4f", v) : "n/a";
    }

    private static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** HTML escaping of text and attribute values: {@code & < > " '}. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
