package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.DataAuditSummary;
import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.LabeledData;
import dev.attune.Metric;
import dev.attune.Predictions;
import dev.attune.Provenance;
import dev.attune.internal.io.Json;
import dev.attune.search.SearchResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a fine-tuning run learned and how its model does on a test set, in one value that renders as
 * JSON ({@link #toJson()}, schema {@value #SCHEMA}, its fields listed in the README) and as one
 * self-contained HTML page ({@link #toHtml()}: inline SVG charts, no script, no network).
 *
 * <pre>{@code
 * EvaluationReport report = EvaluationReport.builder(result, testSet)   // predicts the test set
 *         .classNames(List.of("good", "bad"))
 *         .groups("sex", Groups.of(sexOfEachTestExample))  // optional: per-group metrics and fairness checks
 *         .robustness(robustnessReport)                    // optional
 *         .dataAudit(auditReport)                          // optional: data's DataAudit.Report
 *         .latency(latencyReport)                          // optional
 *         .build();
 * ReportFiles.write(dir, report, modelCard);   // evaluation.json, evaluation.html, MODEL_CARD.md
 * }</pre>
 *
 * <p>It holds the run's training history (train and validation loss and the validation metrics per
 * epoch, the best epoch, whether early stopping ended training) and provenance; on the test set the
 * accuracy and macro F1 with bootstrap percentile intervals ({@link Bootstrap}), the confusion
 * matrix (its counts, and its summed weights when the test examples carry weights), precision, recall
 * and F1 per class, the reliability diagram and its expected calibration
 * error; and, when given, per-group metrics and fairness checks for one or more group columns, a
 * robustness suite's results, the training data's audit and a latency measurement. Immutable.
 */
public final class EvaluationReport {
    /** Jackson's default nesting limit for the JSON read here; a report nests a few levels, and the limit keeps the recursion off the stack's end. */
    static final int JSON_MAX_DEPTH = 1000;
    /**
     * The name and version of the JSON schema, the value of its {@code "schema"} field. {@code /3} adds
     * {@code weightedConfusionMatrix} to {@code /2}; {@code /4} adds {@code search}.
     */
    public static final String SCHEMA = "attune-evaluation/4";

    /**
     * Precision, recall and F1 of one class on the test set (weighted when the predictions are), as
     * {@link Metrics#precisionOfClass} and its siblings compute them.
     *
     * @param name the class's name
     * @param precision {@code TP / (TP + FP)}, 0 when the class is never predicted
     * @param recall {@code TP / (TP + FN)}, 0 when the class never occurs
     * @param f1 the harmonic mean of precision and recall, 0 when both are 0
     * @param support the number of test examples whose actual class it is
     */
    public record ClassScores(String name, double precision, double recall, double f1, int support) {
    }

    /**
     * The metrics of each group of one group column, and the fairness checks across its groups.
     *
     * @param column the column's name, for example {@code "sex"}
     * @param groups the column's groups, in {@link Groups} order
     * @param tables one per metric, in the order the metrics were given
     * @param checks the fairness checks, in the order of {@link FairnessMeasure}; empty unless the task
     *     is binary
     */
    public record GroupColumn(String column, List<String> groups, List<GroupTable> tables, List<FairnessCheck> checks) {
        /** Checks the name and copies. */
        public GroupColumn {
            requireNonNull(column, "column");
            groups = List.copyOf(groups);
            tables = List.copyOf(tables);
            checks = List.copyOf(checks);
        }
    }

    private final List<EpochRecord> history;
    private final int bestEpoch;
    private final boolean stoppedEarly;
    private final Provenance provenance;
    private final List<String> classNames;
    private final int examples;
    private final ConfidenceInterval accuracy;
    private final ConfidenceInterval f1Macro;
    private final ConfusionMatrix confusionMatrix;
    private final List<ClassScores> perClass;
    private final ReliabilityDiagram reliability;
    private final long bootstrapSeed;
    private final LatencyReport latency;
    private final List<GroupColumn> fairness;
    private final RobustnessReport robustness;
    private final DataAuditSummary dataAudit;
    private final SearchResult search;
    private final Predictions test;
    private final Map<String, Groups> groupColumns;

    private EvaluationReport(Builder b) {
        Predictions test = b.test;
        int k = test.numClasses();
        this.history = b.result.history();
        this.bestEpoch = b.result.bestEpoch();
        this.stoppedEarly = b.result.stoppedEarly();
        this.provenance = b.result.provenance();
        List<String> names = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            names.add(b.classNames == null ? String.valueOf(c) : b.classNames.get(c));
        }
        this.classNames = List.copyOf(names);
        this.examples = test.size();
        this.accuracy = Bootstrap.of(Metrics.accuracy()).resamples(b.resamples).seed(b.seed).interval(test, b.level);
        this.f1Macro = Bootstrap.of(Metrics.f1Macro()).resamples(b.resamples).seed(b.seed).interval(test, b.level);
        this.confusionMatrix = Metrics.confusionMatrix(test);
        ClassCounts counts = ClassCounts.of(test);
        int[][] cells = confusionMatrix.counts();
        List<ClassScores> scores = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            int support = 0;
            for (int v : cells[c]) {
                support += v;
            }
            scores.add(new ClassScores(classNames.get(c), counts.precision(c), counts.recall(c), counts.f1(c), support));
        }
        this.perClass = List.copyOf(scores);
        this.reliability = Metrics.reliability(test, b.bins);
        this.bootstrapSeed = b.seed;
        this.latency = b.latency;
        this.robustness = b.robustness;
        this.dataAudit = b.dataAudit;
        this.search = b.search;
        this.test = test;
        this.groupColumns = Collections.unmodifiableMap(new LinkedHashMap<>(b.groups));
        Map<FairnessMeasure, double[]> measures = b.checks;
        if (measures.isEmpty()) {
            measures = new EnumMap<>(FairnessMeasure.class);
            measures.put(FairnessMeasure.DEMOGRAPHIC_PARITY_DIFFERENCE, new double[] {0.05, 0.1});
            measures.put(FairnessMeasure.DEMOGRAPHIC_PARITY_RATIO, new double[] {0.9, 0.8});
        }
        List<GroupColumn> columns = new ArrayList<>();
        for (Map.Entry<String, Groups> e : b.groups.entrySet()) {
            List<GroupTable> tables = new ArrayList<>();
            for (Metric m : b.groupMetrics) {
                tables.add(e.getValue().table(m, test));
            }
            List<FairnessCheck> checks = new ArrayList<>();
            if (k == 2) {
                Fairness f = Fairness.of(test, e.getValue()).positiveClass(b.positiveClass);
                for (Map.Entry<FairnessMeasure, double[]> c : measures.entrySet()) {
                    try {
                        checks.add(f.check(c.getKey(), c.getValue()[0], c.getValue()[1]));
                    } catch (IllegalArgumentException ex) {
                        throw new IllegalArgumentException(c.getKey() + " on group column '" + e.getKey() + "': "
                                + ex.getMessage(), ex);
                    }
                }
            }
            columns.add(new GroupColumn(e.getKey(), e.getValue().names(), tables, checks));
        }
        this.fairness = List.copyOf(columns);
    }

    /**
     * A builder of the report of a fine-tuning run and its model's predictions on a test set.
     *
     * @param result what {@code FineTuner.fit} returned: its history and provenance go into the report
     * @param test the fine-tuned model's predictions on the test set, for example {@code result.predict(testSet)}
     */
    public static Builder builder(FineTuneResult result, Predictions test) {
        return new Builder(requireNonNull(result, "result"), requireNonNull(test, "test"));
    }

    /** The report with the defaults: classes named by their index, 1000 resamples, seed 1, level 0.95, 15 bins. */
    public static EvaluationReport of(FineTuneResult result, Predictions test) {
        return builder(result, test).build();
    }

    /**
     * A builder of the report of a fine-tuning run and its model on a test set, which it predicts with
     * {@code result.predict(testSet)}.
     *
     * @param result what {@code FineTuner.fit} returned
     * @param testSet the labelled test set, never seen in training
     */
    public static Builder builder(FineTuneResult result, LabeledData testSet) {
        requireNonNull(result, "result");
        return builder(result, result.predict(requireNonNull(testSet, "testSet")));
    }

    /**
     * The report, with the defaults, of a fine-tuning run and its model on a test set, which it
     * predicts: what {@code result.evaluate(testSet)} would answer.
     */
    public static EvaluationReport of(FineTuneResult result, LabeledData testSet) {
        return builder(result, testSet).build();
    }

    /** What every epoch of training measured, in order. */
    public List<EpochRecord> history() {
        return history;
    }

    /** The epoch whose weights the fine-tuned model holds, from 1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Whether early stopping ended training. */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /** How the fine-tuned model was made. */
    public Provenance provenance() {
        return provenance;
    }

    /** The classes' names, by class index (the index as text unless named). */
    public List<String> classNames() {
        return classNames;
    }

    /** The number of test examples. */
    public int examples() {
        return examples;
    }

    /** The test accuracy and its bootstrap interval. */
    public ConfidenceInterval accuracy() {
        return accuracy;
    }

    /** The test macro F1 and its bootstrap interval. */
    public ConfidenceInterval f1Macro() {
        return f1Macro;
    }

    /** The seed of the bootstrap resampling. */
    public long bootstrapSeed() {
        return bootstrapSeed;
    }

    /**
     * The test confusion matrix: counts of examples, and summed example weights; when the test
     * predictions carry weights ({@link ConfusionMatrix#weighted()}), the JSON and the page show the
     * weights, which the report's metrics count.
     */
    public ConfusionMatrix confusionMatrix() {
        return confusionMatrix;
    }

    /** Precision, recall and F1 of every class, by class index. */
    public List<ClassScores> perClass() {
        return perClass;
    }

    /** The reliability diagram of the test predictions' top-class confidence. */
    public ReliabilityDiagram reliability() {
        return reliability;
    }

    /** The expected calibration error of the {@linkplain #reliability() reliability diagram}, in {@code [0, 1]}. */
    public double expectedCalibrationError() {
        return reliability.expectedCalibrationError();
    }

    /** The latency measurement, when one was given. */
    public Optional<LatencyReport> latency() {
        return Optional.ofNullable(latency);
    }

    /** Per group column given, in the order given: each group's metrics and the fairness checks; empty when none was given. */
    public List<GroupColumn> fairness() {
        return fairness;
    }

    /** The robustness suite's results, when given. */
    public Optional<RobustnessReport> robustness() {
        return Optional.ofNullable(robustness);
    }

    /** The training data's audit, when given. */
    public Optional<DataAuditSummary> dataAudit() {
        return Optional.ofNullable(dataAudit);
    }

    /** The hyperparameter search that chose the model, when given. */
    public Optional<SearchResult> search() {
        return Optional.ofNullable(search);
    }

    /**
     * The worst verdict of an audit's checks: {@code FAIL} over {@code WARN} over {@code PASS}; skipped
     * checks do not count, and an audit without checks passes.
     */
    static DataAuditSummary.Status worst(List<DataAuditSummary.Finding> findings) {
        DataAuditSummary.Status worst = DataAuditSummary.Status.PASS;
        for (DataAuditSummary.Finding f : findings) {
            if (f.status() == DataAuditSummary.Status.FAIL
                    || (f.status() == DataAuditSummary.Status.WARN && worst == DataAuditSummary.Status.PASS)) {
                worst = f.status();
            }
        }
        return worst;
    }

    /** The test predictions the report was made of, for assertions. */
    Predictions testPredictions() {
        return test;
    }

    /** The group columns given, by name, for assertions. */
    Map<String, Groups> groupColumns() {
        return groupColumns;
    }

    /** The report as JSON of schema {@value #SCHEMA}: one object, fields as the README lists them. */
    public String toJson() {
        return ReportJson.render(this);
    }

    /**
     * The report as one HTML page that needs nothing else: inline CSS and SVG charts (learning curves,
     * confusion matrix, reliability diagram, per-class scores, per-group bars with the fairness checks,
     * robustness curves, with a search the objective against each hyperparameter and the trials as they
     * finished), tables of the headline numbers, the data audit, latency and the search's leaderboard (when
     * given) and provenance; no script and no link to anything outside the page.
     */
    public String toHtml() {
        return ReportHtml.render(this);
    }

    /**
     * Options of a report; {@link #build()} computes it. Each option may be set once.
     */
    public static final class Builder {
        private final FineTuneResult result;
        private final Predictions test;
        private List<String> classNames;
        private LatencyReport latency;
        private RobustnessReport robustness;
        private DataAuditSummary dataAudit;
        private SearchResult search;
        private final Map<String, Groups> groups = new LinkedHashMap<>();
        private List<Metric> groupMetrics = List.of(Metrics.accuracy(), Metrics.f1Macro());
        private final Map<FairnessMeasure, double[]> checks = new EnumMap<>(FairnessMeasure.class);
        private int positiveClass = 1;
        private int resamples = 1000;
        private long seed = 1;
        private double level = 0.95;
        private int bins = 15;
        private final Set<String> set = new HashSet<>();

        private Builder(FineTuneResult result, Predictions test) {
            this.result = result;
            this.test = test;
        }

        /**
         * The classes' names, by class index. Default: the index as text.
         *
         * @throws IllegalArgumentException when their number is not the test set's number of classes, a
         *     name is blank or repeated
         * @throws IllegalStateException when set before
         */
        public Builder classNames(List<String> names) {
            List<String> copy = List.copyOf(requireNonNull(names, "names"));
            if (copy.size() != test.numClasses()) {
                throw new IllegalArgumentException("got " + copy.size() + " class names for " + test.numClasses()
                        + " classes; give one name per class, in class-index order");
            }
            if (new HashSet<>(copy).size() != copy.size() || copy.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("class names must be distinct and not blank, got " + copy);
            }
            once("classNames");
            this.classNames = copy;
            return this;
        }

        /**
         * A latency measurement to include. Default: none.
         *
         * @throws IllegalStateException when the option was set before
         */
        public Builder latency(LatencyReport report) {
            once("latency");
            this.latency = requireNonNull(report, "report");
            return this;
        }

        /**
         * A group column of the test set (a sensitive attribute such as sex or age band): the report
         * holds each {@linkplain #groupMetrics group metric} on each of its groups and, on a binary
         * task, the {@linkplain #fairnessCheck fairness checks} across them. May be called once per
         * column; columns are reported in the order given. Default: none.
         *
         * @param column the column's name, as the report shows it
         * @param groups the group of every test example, in example order
         * @throws IllegalArgumentException when the column is blank or given before, or the groups'
         *     number of examples is not the test set's
         */
        public Builder groups(String column, Groups groups) {
            requireNonNull(column, "column");
            requireNonNull(groups, "groups");
            if (column.isBlank()) {
                throw new IllegalArgumentException("the group column's name is blank; name it as the report should show it, for example \"sex\"");
            }
            if (this.groups.containsKey(column)) {
                throw new IllegalArgumentException("group column '" + column + "' is given twice; give each column once");
            }
            if (groups.size() != test.size()) {
                throw new IllegalArgumentException("group column '" + column + "' holds " + groups.size()
                        + " labels for " + test.size() + " test examples; give one group label per test example, in example order");
            }
            this.groups.put(column, groups);
            return this;
        }

        /**
         * The metrics computed on each group of every group column. Default: accuracy and macro F1.
         *
         * @throws IllegalArgumentException when none is given or two share a name
         * @throws IllegalStateException when set before
         */
        public Builder groupMetrics(Metric... metrics) {
            List<Metric> copy = List.of(requireNonNull(metrics, "metrics"));
            if (copy.isEmpty()) {
                throw new IllegalArgumentException("no group metric given; give one or more, for example Metrics.accuracy()");
            }
            if (copy.stream().map(Metric::name).distinct().count() != copy.size()) {
                throw new IllegalArgumentException("group metrics must have distinct names, got "
                        + copy.stream().map(Metric::name).toList());
            }
            once("groupMetrics");
            this.groupMetrics = copy;
            return this;
        }

        /**
         * A fairness measure to check across the groups of every group column, against two thresholds
         * (see {@link Fairness#check}). May be called once per measure. Default, when none is set:
         * {@link FairnessMeasure#DEMOGRAPHIC_PARITY_DIFFERENCE} (warn above 0.05, fail above 0.1) and
         * {@link FairnessMeasure#DEMOGRAPHIC_PARITY_RATIO} (warn below 0.9, fail below 0.8, the
         * four-fifths rule). Fairness measures need a binary task; on other tasks there are none.
         *
         * @throws IllegalArgumentException when the thresholds are out of order or outside {@code [0, 1]},
         *     the measure is given twice, or the task is not binary
         */
        public Builder fairnessCheck(FairnessMeasure measure, double warnAt, double failAt) {
            requireNonNull(measure, "measure");
            FairnessCheck.of(measure, 0.0, warnAt, failAt);
            if (test.numClasses() != 2) {
                throw new IllegalArgumentException("fairness checks need a binary task (2 classes), got "
                        + test.numClasses() + "; a multi-class report compares groups by groupMetrics only");
            }
            if (checks.containsKey(measure)) {
                throw new IllegalArgumentException(measure + " is given twice; give each fairness measure once");
            }
            checks.put(measure, new double[] {warnAt, failAt});
            return this;
        }

        /**
         * The positive class of the fairness measures on a binary task. Default: 1.
         *
         * @throws IllegalArgumentException when not 0 or 1, or the task is not binary
         * @throws IllegalStateException when set before
         */
        public Builder positiveClass(int c) {
            if (test.numClasses() != 2 || (c != 0 && c != 1)) {
                throw new IllegalArgumentException("the positive class of a binary task is 0 or 1, got " + c + " on a task of "
                        + test.numClasses() + " classes; fairness measures need a binary task");
            }
            once("positiveClass");
            this.positiveClass = c;
            return this;
        }

        /**
         * A robustness suite's results on this model and test set ({@link Robustness#run}). Default: none.
         *
         * @throws IllegalStateException when set before
         */
        public Builder robustness(RobustnessReport report) {
            requireNonNull(report, "report");
            once("robustness");
            this.robustness = report;
            return this;
        }

        /**
         * The audit of the training data, for example the data module's {@code DataAudit.Report}.
         * Default: none.
         *
         * @throws IllegalArgumentException when its {@code toJson()} is not one JSON object (the
         *     message says where it breaks)
         * @throws IllegalStateException when set before
         */
        public Builder dataAudit(DataAuditSummary audit) {
            requireNonNull(audit, "audit");
            requireNonNull(audit.findings(), "audit.findings()");
            String json = requireNonNull(audit.toJson(), "audit.toJson()");
            Object parsed;
            try {
                parsed = Json.parse(json, JSON_MAX_DEPTH);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the data audit's toJson() is not valid JSON (" + e.getMessage()
                        + "); give an audit whose toJson() returns one JSON object", e);
            }
            if (!(parsed instanceof Map)) {
                throw new IllegalArgumentException("the data audit's toJson() is not a JSON object; give an audit whose"
                        + " toJson() returns one JSON object");
            }
            once("dataAudit");
            this.dataAudit = audit;
            return this;
        }

        /**
         * The hyperparameter search that chose this model ({@code dev.attune.search.Search}): the page gets a
         * section with the objective against each parameter, the trials as they finished with the best so far,
         * and the leaderboard; the JSON gets the search's own JSON as {@code search}. Default: none.
         *
         * @throws IllegalStateException when set before
         */
        public Builder search(SearchResult result) {
            requireNonNull(result, "result");
            once("search");
            this.search = result;
            return this;
        }

        /**
         * The number of bootstrap resamples of the intervals. Default: 1000.
         *
         * @throws IllegalArgumentException when outside {@code [10, 10000000]}
         * @throws IllegalStateException when set before
         */
        public Builder resamples(int value) {
            Bootstrap.of(Metrics.accuracy()).resamples(value);
            once("resamples");
            this.resamples = value;
            return this;
        }

        /**
         * The seed of the bootstrap resampling. Default: 1.
         *
         * @throws IllegalStateException when set before
         */
        public Builder seed(long value) {
            once("seed");
            this.seed = value;
            return this;
        }

        /**
         * The confidence level of the intervals. Default: 0.95.
         *
         * @throws IllegalArgumentException when outside {@code (0, 1)}
         * @throws IllegalStateException when set before
         */
        public Builder level(double value) {
            if (!(value > 0 && value < 1)) {
                throw new IllegalArgumentException("confidence level must be in (0, 1), got " + value + "; for example 0.95");
            }
            once("level");
            this.level = value;
            return this;
        }

        /**
         * The number of equal-width bins of the reliability diagram. Default: 15.
         *
         * @throws IllegalArgumentException when outside {@code [1, 10000]}
         * @throws IllegalStateException when set before
         */
        public Builder bins(int value) {
            ReliabilityDiagram.checkBins(value);
            once("bins");
            this.bins = value;
            return this;
        }

        /**
         * Computes the report.
         *
         * @throws IllegalArgumentException when the run has no history, a metric is undefined on too
         *     many bootstrap resamples, a group metric on a group, or a fairness measure on a group column
         *     (the message names the group)
         */
        public EvaluationReport build() {
            if (result.history().isEmpty()) {
                throw new IllegalArgumentException("the fine-tuning result has no epoch in its history; "
                        + "report a result of FineTuner.fit, which trains at least one epoch");
            }
            return new EvaluationReport(this);
        }

        private void once(String option) {
            if (!set.add(option)) {
                throw new IllegalStateException(option + "(...) was already set; set each option once");
            }
        }
    }
}
