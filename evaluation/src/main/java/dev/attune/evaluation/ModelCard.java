package dev.attune.evaluation;

import static dev.attune.evaluation.ReportHtml.fmt;
import static dev.attune.evaluation.ReportHtml.signed;
import static java.util.Objects.requireNonNull;

import dev.attune.DataAuditSummary;
import dev.attune.Provenance;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A model card in Markdown: what only the model's owner knows (intended use, uses out of scope, base
 * model and its licence, data and its licence, limitations, how to reproduce) with what an
 * {@link EvaluationReport} measured (metrics with their intervals, per-class scores, calibration,
 * training, fairness per group column, robustness, the data audit, latency, provenance). A section
 * the report has no data for says so. The same report and texts always give the same Markdown.
 * Immutable.
 *
 * <pre>{@code
 * ModelCard card = ModelCard.builder(report)
 *         .modelName("credit-risk-mlp")                              // optional
 *         .intendedUse("Rank loan applications for manual review.")
 *         .outOfScopeUses("Automated decisions without human review.")
 *         .baseModel("tabular-mlp-pretrained", "Apache-2.0")
 *         .data("German credit (Statlog), 700 training rows.", "CC BY 4.0")
 *         .limitations("Trained on 1990s German applicants; group sizes are small.")
 *         .reproduce("mvn -pl benchmarks exec:java -Dexec.args=credit")
 *         .build();
 * Files.writeString(dir.resolve("MODEL_CARD.md"), card.toMarkdown());
 * }</pre>
 */
public final class ModelCard {
    private final EvaluationReport report;
    private final String modelName;
    private final String intendedUse;
    private final String outOfScopeUses;
    private final String baseModel;
    private final String baseModelLicence;
    private final String data;
    private final String dataLicence;
    private final String limitations;
    private final String reproduce;

    private ModelCard(Builder b) {
        this.report = b.report;
        this.modelName = b.modelName == null ? "Fine-tuned model" : b.modelName;
        this.intendedUse = b.intendedUse;
        this.outOfScopeUses = b.outOfScopeUses;
        this.baseModel = b.baseModel;
        this.baseModelLicence = b.baseModelLicence;
        this.data = b.data;
        this.dataLicence = b.dataLicence;
        this.limitations = b.limitations;
        this.reproduce = b.reproduce;
    }

    /** A builder of the model card of the model a report evaluates. */
    public static Builder builder(EvaluationReport report) {
        return new Builder(requireNonNull(report, "report"));
    }

    /** The report the card's measured sections come from. */
    public EvaluationReport report() {
        return report;
    }

    /**
     * The card as Markdown (GitHub-flavoured tables). Texts given to the builder are written as they
     * are (they may hold Markdown), except that in table cells {@code |} and {@code <} are escaped and
     * line breaks become {@code <br>}; texts from the report (names, details) are escaped likewise.
     */
    public String toMarkdown() {
        StringBuilder m = new StringBuilder();
        Provenance p = report.provenance();
        m.append("# Model card: ").append(line(modelName)).append("\n\n");
        m.append("Evaluated on ").append(report.examples()).append(" test examples of ").append(report.classNames().size())
                .append(" classes; report schema `").append(EvaluationReport.SCHEMA).append("`.\n\n");
        m.append("## Intended use\n\n").append(block(intendedUse)).append("## Out-of-scope uses\n\n").append(block(outOfScopeUses));
        m.append("## Base model\n\n| field | value |\n|---|---|\n")
                .append(row("name", baseModel)).append(row("licence", baseModelLicence))
                .append(row("fingerprint", p.baseModel())).append('\n');
        m.append("## Data\n\n").append(block(data)).append("| field | value |\n|---|---|\n")
                .append(row("licence", dataLicence)).append(row("training data fingerprint", p.trainData()))
                .append(row("validation data fingerprint", p.validationData().isEmpty() ? "none" : p.validationData()))
                .append(row("test examples", String.valueOf(report.examples()))).append('\n');
        m.append("### Data audit\n\n");
        if (report.dataAudit().isEmpty()) {
            m.append("No data audit was given to the report.\n\n");
        } else {
            List<DataAuditSummary.Finding> findings = report.dataAudit().get().findings();
            m.append("Verdict: **").append(EvaluationReport.worst(findings)).append("**.\n\n")
                    .append("| check | column | value | warn at | fail at | verdict | detail |\n|---|---|---:|---:|---:|---|---|\n");
            for (DataAuditSummary.Finding f : findings) {
                m.append("| ").append(cell(f.name())).append(" | ").append(cell(f.column())).append(" | ")
                        .append(fmt(f.value())).append(" | ").append(fmt(f.warnThreshold())).append(" | ")
                        .append(fmt(f.failThreshold())).append(" | ").append(f.status()).append(" | ")
                        .append(cell(f.detail())).append(" |\n");
            }
            m.append('\n');
        }
        metrics(m);
        fairness(m);
        robustness(m);
        latency(m);
        m.append("## Limitations\n\n").append(block(limitations));
        m.append("## How to reproduce\n\n").append(fence(reproduce)).append('\n');
        m.append("Seed ").append(p.seed()).append("; Attune ").append(line(p.attuneVersion())).append(", DL4J ")
                .append(line(p.dl4jVersion())).append(", Java ").append(line(p.javaVersion())).append(", ")
                .append(line(p.backend())).append(", ").append(line(p.os())).append(".\n\n");
        m.append("### Provenance\n\n| field | value |\n|---|---|\n");
        for (Map.Entry<String, String> e : p.asText().entrySet()) {
            m.append(row(e.getKey(), e.getValue()));
        }
        return m.toString();
    }

    private void metrics(StringBuilder m) {
        m.append("## Metrics\n\n| metric | value | ").append(Bootstrap.percent(report.accuracy().level()))
                .append("% bootstrap interval |\n|---|---:|---|\n");
        for (ConfidenceInterval ci : List.of(report.accuracy(), report.f1Macro())) {
            m.append("| ").append(cell(ci.metric())).append(" | ").append(fmt(ci.estimate())).append(" | ")
                    .append(fmt(ci.lower())).append(" to ").append(fmt(ci.upper())).append(" (").append(ci.resamples())
                    .append(" resamples, seed ").append(report.bootstrapSeed()).append(") |\n");
        }
        m.append("| expected calibration error (").append(report.reliability().bins().size()).append(" bins) | ")
                .append(fmt(report.expectedCalibrationError())).append(" | |\n\n");
        m.append("Training: best epoch ").append(report.bestEpoch()).append(" of ").append(report.history().size())
                .append(report.stoppedEarly() ? ", stopped early" : ", every epoch trained").append(".\n\n");
        m.append("### Per class\n\n| class | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|\n");
        for (EvaluationReport.ClassScores s : report.perClass()) {
            m.append("| ").append(cell(s.name())).append(" | ").append(fmt(s.precision())).append(" | ")
                    .append(fmt(s.recall())).append(" | ").append(fmt(s.f1())).append(" | ").append(s.support()).append(" |\n");
        }
        m.append('\n');
    }

    private void fairness(StringBuilder m) {
        m.append("## Fairness\n\n");
        if (report.fairness().isEmpty()) {
            m.append("Not evaluated: no group column was given to the report.\n\n");
            return;
        }
        for (EvaluationReport.GroupColumn g : report.fairness()) {
            m.append("### ").append(line(g.column()).replace("<", "\\<")).append("\n\n| group | examples |");
            StringBuilder rule = new StringBuilder("|---|---:|");
            for (GroupTable t : g.tables()) {
                m.append(' ').append(cell(t.metric())).append(" |");
                rule.append("---:|");
            }
            m.append('\n').append(rule).append('\n');
            for (int i = 0; i < g.groups().size(); i++) {
                m.append("| ").append(cell(g.groups().get(i))).append(" | ").append(g.tables().get(0).rows().get(i).count()).append(" |");
                for (GroupTable t : g.tables()) {
                    m.append(' ').append(fmt(t.rows().get(i).value())).append(" |");
                }
                m.append('\n');
            }
            m.append("| all | ").append(g.tables().get(0).rows().stream().mapToInt(GroupTable.Row::count).sum()).append(" |");
            for (GroupTable t : g.tables()) {
                m.append(' ').append(fmt(t.overall())).append(" |");
            }
            m.append("\n| largest - smallest | |");
            for (GroupTable t : g.tables()) {
                m.append(' ').append(fmt(t.difference())).append(" |");
            }
            m.append("\n\n");
            if (g.checks().isEmpty()) {
                m.append("No fairness measure: they need a binary task.\n\n");
            } else {
                m.append("| fairness measure | value | warn at | fail at | verdict |\n|---|---:|---:|---:|---|\n");
                for (FairnessCheck c : g.checks()) {
                    m.append("| ").append(c.measure().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" | ")
                            .append(fmt(c.value())).append(" | ").append(fmt(c.warnAt())).append(" | ").append(fmt(c.failAt()))
                            .append(" | ").append(c.verdict()).append(" |\n");
                }
                m.append('\n');
            }
        }
    }

    private void robustness(StringBuilder m) {
        m.append("## Robustness\n\n");
        if (report.robustness().isEmpty()) {
            m.append("Not evaluated: no robustness report was given to the report.\n\n");
            return;
        }
        RobustnessReport r = report.robustness().get();
        m.append("Seed ").append(r.seed()).append("; drop: how much worse than on the clean test set (positive is worse).\n\n")
                .append("| perturbation | strength | metric | value | drop |\n|---|---:|---|---:|---:|\n");
        for (RobustnessReport.Row row : r.rows()) {
            m.append("| ").append(cell(row.perturbation())).append(" | ")
                    .append(Double.isNaN(row.strength()) ? "-" : java.math.BigDecimal.valueOf(row.strength()).stripTrailingZeros().toPlainString())
                    .append(" | ").append(cell(row.metric())).append(" | ").append(fmt(row.value())).append(" | ")
                    .append(signed(row.drop())).append(" |\n");
        }
        m.append('\n');
    }

    private void latency(StringBuilder m) {
        m.append("## Latency\n\n");
        if (report.latency().isEmpty()) {
            m.append("Not measured.\n\n");
            return;
        }
        LatencyReport l = report.latency().get();
        String first = l.rows().get(0).model();
        m.append(line(l.conditions())).append("\n\n| model | batch | p50 (µs) | p95 (µs) | p99 (µs) | examples/s | time / ")
                .append(cell(first)).append(" |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (LatencyReport.Row row : l.rows()) {
            m.append("| ").append(cell(row.model())).append(" | ").append(row.batch()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f | %.1f | %.1f | %.0f | %.3f", row.p50(), row.p95(), row.p99(),
                            row.examplesPerSecond(), l.ratio(row.model(), first, row.batch()))).append(" |\n");
        }
        m.append('\n');
    }

    private static String row(String field, String value) {
        return "| " + cell(field) + " | " + cell(value) + " |\n";
    }

    /**
     * A table cell: {@code |} and {@code <} escaped with a backslash (so that no text from the data
     * splits the row or reads as an HTML tag), line breaks as {@code <br>}.
     */
    static String cell(String s) {
        return s.replace("|", "\\|").replace("<", "\\<").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>");
    }

    private static String line(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    private static String block(String s) {
        return s.strip() + "\n\n";
    }

    /** A fenced code block whose fence is longer than any run of backticks in the text. */
    private static String fence(String s) {
        int longest = 0;
        int run = 0;
        for (char c : s.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String f = "`".repeat(Math.max(3, longest + 1));
        return f + "shell\n" + s.strip() + "\n" + f + "\n";
    }

    /**
     * What only the model's owner knows. Every option is required except {@link #modelName}; each
     * may be set once.
     */
    public static final class Builder {
        private final EvaluationReport report;
        private String modelName;
        private String intendedUse;
        private String outOfScopeUses;
        private String baseModel;
        private String baseModelLicence;
        private String data;
        private String dataLicence;
        private String limitations;
        private String reproduce;
        private final Set<String> set = new HashSet<>();

        private Builder(EvaluationReport report) {
            this.report = report;
        }

        /**
         * The model's name, the card's title. Default: {@code "Fine-tuned model"}.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException when set before
         */
        public Builder modelName(String value) {
            modelName = text("modelName", value);
            return this;
        }

        /**
         * What the model is for: the task, the users, the setting.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException when set before
         */
        public Builder intendedUse(String value) {
            intendedUse = text("intendedUse", value);
            return this;
        }

        /**
         * What the model must not be used for.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException when set before
         */
        public Builder outOfScopeUses(String value) {
            outOfScopeUses = text("outOfScopeUses", value);
            return this;
        }

        /**
         * The pretrained model fine-tuning started from, and its licence (its fingerprint comes from the
         * report's provenance).
         *
         * @throws IllegalArgumentException when either is blank
         * @throws IllegalStateException when set before
         */
        public Builder baseModel(String name, String licence) {
            String n = text("baseModel", name);
            baseModelLicence = nonBlank("baseModel licence", licence);
            baseModel = n;
            return this;
        }

        /**
         * The training and test data, in words (source, size, how it was split), and its licence.
         *
         * @throws IllegalArgumentException when either is blank
         * @throws IllegalStateException when set before
         */
        public Builder data(String description, String licence) {
            String d = text("data", description);
            dataLicence = nonBlank("data licence", licence);
            data = d;
            return this;
        }

        /**
         * What the model does badly or has not been tested on.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException when set before
         */
        public Builder limitations(String value) {
            limitations = text("limitations", value);
            return this;
        }

        /**
         * The command that makes the model again, shown as a code block.
         *
         * @throws IllegalArgumentException when blank
         * @throws IllegalStateException when set before
         */
        public Builder reproduce(String command) {
            reproduce = text("reproduce", command);
            return this;
        }

        /**
         * The card.
         *
         * @throws IllegalStateException when a required option is missing (the message names each and
         *     the call that sets it)
         */
        public ModelCard build() {
            StringBuilder missing = new StringBuilder();
            need(missing, intendedUse, "intendedUse(\"what the model is for\")");
            need(missing, outOfScopeUses, "outOfScopeUses(\"what it must not be used for\")");
            need(missing, baseModel, "baseModel(\"name\", \"licence\")");
            need(missing, data, "data(\"description\", \"licence\")");
            need(missing, limitations, "limitations(\"what it does badly or was not tested on\")");
            need(missing, reproduce, "reproduce(\"the command that makes it again\")");
            if (missing.length() > 0) {
                throw new IllegalStateException("a model card needs what only its owner knows; missing: " + missing
                        + "; set each on ModelCard.builder(report) before build()");
            }
            return new ModelCard(this);
        }

        private static void need(StringBuilder missing, String value, String call) {
            if (value == null) {
                missing.append(missing.length() == 0 ? "" : ", ").append(call);
            }
        }

        private String text(String option, String value) {
            String v = nonBlank(option, value);
            if (!set.add(option)) {
                throw new IllegalStateException(option + "(...) was already set; set each option once");
            }
            return v;
        }

        private static String nonBlank(String what, String value) {
            requireNonNull(value, what);
            if (value.isBlank()) {
                throw new IllegalArgumentException(what + " is blank; give it in words" + (what.endsWith("licence")
                        ? ", for example the licence's SPDX id \"Apache-2.0\"" : ""));
            }
            return value;
        }
    }
}
