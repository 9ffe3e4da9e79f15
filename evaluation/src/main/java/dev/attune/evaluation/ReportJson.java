package dev.attune.evaluation;

import dev.attune.DataAuditSummary;
import dev.attune.EpochRecord;
import dev.attune.internal.io.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an {@link EvaluationReport} as JSON of schema {@value EvaluationReport#SCHEMA}. Numbers are
 * Java's shortest round-trip decimal form; a value that is not a finite number (the validation loss
 * without a validation set, an empty reliability bin's means) is {@code null}.
 */
final class ReportJson {
    private final StringBuilder out = new StringBuilder();

    private ReportJson() {
    }

    static String render(EvaluationReport r) {
        ReportJson j = new ReportJson();
        j.out.append("{\n");
        j.field("schema").string(EvaluationReport.SCHEMA).next();
        j.field("examples").number(r.examples()).next();
        j.field("classes").strings(r.classNames()).next();
        j.field("accuracy").interval(r.accuracy(), r.bootstrapSeed()).next();
        j.field("f1Macro").interval(r.f1Macro(), r.bootstrapSeed()).next();
        ConfusionMatrix matrix = r.confusionMatrix();
        int[][] counts = matrix.counts();
        double[][] weights = matrix.weights();
        int k = counts.length;
        j.field("confusionMatrix").out.append('[');
        for (int a = 0; a < k; a++) {
            j.out.append(a == 0 ? "" : ", ").append('[');
            for (int p = 0; p < k; p++) {
                j.out.append(p == 0 ? "" : ", ").append(counts[a][p]);
            }
            j.out.append(']');
        }
        j.out.append("],\n");
        // The counts stay as they were; the sums of example weights, which the metrics count, come beside them.
        j.field("weightedConfusionMatrix");
        if (!matrix.weighted()) {
            j.out.append("null");
        } else {
            j.out.append('[');
            for (int a = 0; a < k; a++) {
                j.out.append(a == 0 ? "" : ", ").append('[');
                for (int p = 0; p < k; p++) {
                    j.out.append(p == 0 ? "" : ", ");
                    j.number(weights[a][p]);
                }
                j.out.append(']');
            }
            j.out.append(']');
        }
        j.next();
        j.field("perClass").out.append("[");
        List<EvaluationReport.ClassScores> perClass = r.perClass();
        for (int c = 0; c < perClass.size(); c++) {
            EvaluationReport.ClassScores s = perClass.get(c);
            j.out.append(c == 0 ? "\n    {" : ",\n    {");
            j.key("class").string(s.name()).comma().key("precision").number(s.precision()).comma()
                    .key("recall").number(s.recall()).comma().key("f1").number(s.f1()).comma()
                    .key("support").number(s.support()).out.append('}');
        }
        j.out.append("\n  ],\n");
        j.field("calibration").out.append('{');
        j.key("ece").number(r.expectedCalibrationError()).comma()
                .key("mce").number(r.reliability().maximumCalibrationError()).comma().key("bins").out.append('[');
        List<ReliabilityDiagram.Bin> bins = r.reliability().bins();
        for (int b = 0; b < bins.size(); b++) {
            ReliabilityDiagram.Bin bin = bins.get(b);
            j.out.append(b == 0 ? "\n    {" : ",\n    {");
            j.key("lower").number(bin.lower()).comma().key("upper").number(bin.upper()).comma()
                    .key("count").number(bin.count()).comma().key("weight").number(bin.weight()).comma()
                    .key("meanConfidence").number(bin.meanConfidence()).comma()
                    .key("accuracy").number(bin.accuracy()).out.append('}');
        }
        j.out.append("\n  ]},\n");
        j.field("training").out.append('{');
        j.key("bestEpoch").number(r.bestEpoch()).comma().key("stoppedEarly").out.append(r.stoppedEarly()).append(", ");
        j.key("epochs").out.append('[');
        List<EpochRecord> history = r.history();
        for (int e = 0; e < history.size(); e++) {
            EpochRecord rec = history.get(e);
            j.out.append(e == 0 ? "\n    {" : ",\n    {");
            j.key("epoch").number(rec.epoch()).comma().key("trainLoss").number(rec.trainLoss()).comma()
                    .key("validationLoss").number(rec.validationLoss()).comma()
                    .key("seconds").number(rec.time().toNanos() / 1e9).comma().key("metrics").out.append('{');
            boolean first = true;
            for (Map.Entry<String, Double> m : new TreeMap<>(rec.metrics()).entrySet()) {
                j.out.append(first ? "" : ", ");
                j.key(m.getKey()).number(m.getValue());
                first = false;
            }
            j.out.append("}}");
        }
        j.out.append("\n  ]},\n");
        j.field("latency");
        if (r.latency().isEmpty()) {
            j.out.append("null");
        } else {
            LatencyReport l = r.latency().get();
            j.out.append('{');
            j.key("conditions").string(l.conditions()).comma().key("rows").out.append('[');
            String first = l.rows().get(0).model();
            for (int i = 0; i < l.rows().size(); i++) {
                LatencyReport.Row row = l.rows().get(i);
                j.out.append(i == 0 ? "\n    {" : ",\n    {");
                j.key("model").string(row.model()).comma().key("batch").number(row.batch()).comma()
                        .key("p50Micros").number(row.p50()).comma().key("p95Micros").number(row.p95()).comma()
                        .key("p99Micros").number(row.p99()).comma()
                        .key("examplesPerSecond").number(row.examplesPerSecond()).comma()
                        .key("ratioToFirst").number(l.ratio(row.model(), first, row.batch())).out.append('}');
            }
            j.out.append("\n  ]}");
        }
        j.next();
        j.field("fairness").out.append('[');
        List<EvaluationReport.GroupColumn> columns = r.fairness();
        for (int c = 0; c < columns.size(); c++) {
            j.out.append(c == 0 ? "\n    " : ",\n    ");
            j.groupColumn(columns.get(c));
        }
        j.out.append(columns.isEmpty() ? "]" : "\n  ]").append(",\n");
        j.field("robustness");
        if (r.robustness().isEmpty()) {
            j.out.append("null");
        } else {
            RobustnessReport rr = r.robustness().get();
            j.out.append('{');
            j.key("seed").number(rr.seed()).comma().key("rows").out.append('[');
            for (int i = 0; i < rr.rows().size(); i++) {
                RobustnessReport.Row row = rr.rows().get(i);
                j.out.append(i == 0 ? "\n    {" : ",\n    {");
                j.key("perturbation").string(row.perturbation()).comma().key("strength").number(row.strength()).comma()
                        .key("metric").string(row.metric()).comma().key("value").number(row.value()).comma()
                        .key("drop").number(row.drop()).out.append('}');
            }
            j.out.append(rr.rows().isEmpty() ? "]}" : "\n  ]}");
        }
        j.next();
        j.field("dataAudit");
        if (r.dataAudit().isEmpty()) {
            j.out.append("null");
        } else {
            DataAuditSummary audit = r.dataAudit().get();
            List<DataAuditSummary.Finding> findings = audit.findings();
            j.out.append('{');
            j.key("status").string(EvaluationReport.worst(findings).name()).comma().key("checks").out.append('[');
            for (int i = 0; i < findings.size(); i++) {
                DataAuditSummary.Finding f = findings.get(i);
                j.out.append(i == 0 ? "\n    {" : ",\n    {");
                j.key("name").string(f.name()).comma().key("column").string(f.column()).comma()
                        .key("status").string(f.status().name()).comma().key("value").number(f.value()).comma()
                        .key("warnThreshold").number(f.warnThreshold()).comma()
                        .key("failThreshold").number(f.failThreshold()).comma()
                        .key("detail").string(f.detail()).out.append('}');
            }
            j.out.append(findings.isEmpty() ? "], " : "\n  ], ");
            // The audit's own JSON, checked to be one object when the report was built, goes in as it is.
            j.key("audit").out.append(audit.toJson().strip()).append('}');
        }
        j.next();
        j.field("search");
        // The search's own JSON (schema attune-search/1), indented one level.
        j.out.append(r.search().isEmpty() ? "null" : r.search().get().toJson().strip().replace("\n", "\n  "));
        j.next();
        j.field("provenance").out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : r.provenance().asText().entrySet()) {
            j.out.append(first ? "\n    " : ",\n    ");
            j.key(e.getKey()).string(e.getValue());
            first = false;
        }
        j.out.append("\n  }\n}\n");
        return j.out.toString();
    }

    private void groupColumn(EvaluationReport.GroupColumn g) {
        out.append('{');
        key("column").string(g.column()).comma().key("metrics").strings(g.tables().stream().map(GroupTable::metric).toList())
                .comma().key("groups").out.append('[');
        for (int i = 0; i < g.groups().size(); i++) {
            String group = g.groups().get(i);
            out.append(i == 0 ? "\n      {" : ",\n      {");
            key("group").string(group).comma().key("count").number(g.tables().get(0).rows().get(i).count()).comma()
                    .key("values").out.append('{');
            for (int t = 0; t < g.tables().size(); t++) {
                out.append(t == 0 ? "" : ", ");
                key(g.tables().get(t).metric()).number(g.tables().get(t).value(group));
            }
            out.append("}}");
        }
        out.append("\n    ], ");
        metricObject("overall", g, GroupTable::overall).comma();
        metricObject("difference", g, GroupTable::difference).comma();
        metricObject("ratio", g, GroupTable::ratio).comma();
        key("checks").out.append('[');
        for (int i = 0; i < g.checks().size(); i++) {
            FairnessCheck c = g.checks().get(i);
            out.append(i == 0 ? "\n      {" : ",\n      {");
            key("measure").string(c.measure().name()).comma().key("value").number(c.value()).comma()
                    .key("warnAt").number(c.warnAt()).comma().key("failAt").number(c.failAt()).comma()
                    .key("verdict").string(c.verdict().name()).out.append('}');
        }
        out.append(g.checks().isEmpty() ? "]}" : "\n    ]}");
    }

    private ReportJson metricObject(String name, EvaluationReport.GroupColumn g, java.util.function.ToDoubleFunction<GroupTable> f) {
        key(name).out.append('{');
        for (int t = 0; t < g.tables().size(); t++) {
            out.append(t == 0 ? "" : ", ");
            key(g.tables().get(t).metric()).number(f.applyAsDouble(g.tables().get(t)));
        }
        out.append('}');
        return this;
    }

    private ReportJson field(String name) {
        out.append("  ");
        return key(name);
    }

    private ReportJson key(String name) {
        string(name);
        out.append(": ");
        return this;
    }

    private ReportJson next() {
        out.append(",\n");
        return this;
    }

    private ReportJson comma() {
        out.append(", ");
        return this;
    }

    private ReportJson number(double v) {
        out.append(Double.isFinite(v) ? Double.toString(v) : "null");
        return this;
    }

    private ReportJson number(long v) {
        out.append(v);
        return this;
    }

    private ReportJson interval(ConfidenceInterval ci, long seed) {
        out.append('{');
        key("estimate").number(ci.estimate()).comma().key("lower").number(ci.lower()).comma()
                .key("upper").number(ci.upper()).comma().key("level").number(ci.level()).comma()
                .key("resamples").number(ci.resamples()).comma().key("seed").number(seed).out.append('}');
        return this;
    }

    private ReportJson strings(List<String> values) {
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            out.append(i == 0 ? "" : ", ");
            string(values.get(i));
        }
        out.append(']');
        return this;
    }

    private ReportJson string(String s) {
        out.append(quote(s));
        return this;
    }

    /**
     * A JSON string literal: the shared quoting, and U+2028 and U+2029 escaped too (JSON allows them raw, but
     * JavaScript before ES2019 ends a line at them, so a report pasted into a script would break).
     */
    static String quote(String s) {
        return Json.quote(s).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }
}
