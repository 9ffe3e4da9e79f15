package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.Predictions;
import dev.attune.Provenance;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a fine-tuning run learned and how its model does on a test set, in one value that renders as
 * JSON ({@link #toJson()}, schema {@value #SCHEMA}, its fields listed in the README) and as one
 * self-contained HTML page ({@link #toHtml()}: inline SVG charts, no script, no network).
 *
 * <pre>{@code
 * EvaluationReport report = EvaluationReport.builder(result, result.predict(testSet))
 *         .classNames(List.of("t-shirt", "trouser", "pullover"))
 *         .latency(latencyReport)                 // optional
 *         .build();
 * Files.writeString(dir.resolve("report.html"), report.toHtml());
 * Files.writeString(dir.resolve("report.json"), report.toJson());
 * }</pre>
 *
 * <p>It holds the run's training history (train and validation loss and the validation metrics per
 * epoch, the best epoch, whether early stopping ended training) and provenance; on the test set the
 * accuracy and macro F1 with bootstrap percentile intervals ({@link Bootstrap}), the confusion
 * matrix, precision, recall and F1 per class, the reliability diagram and its expected calibration
 * error; and, when given, a latency measurement. Immutable.
 */
public final class EvaluationReport {
    /** The name and version of the JSON schema, the value of its {@code "schema"} field. */
    public static final String SCHEMA = "attune-evaluation/1";

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

    /** The test confusion matrix. */
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

    /** The report as JSON of schema {@value #SCHEMA}: one object, fields as the README lists them. */
    public String toJson() {
        return ReportJson.render(this);
    }

    /**
     * The report as one HTML page that needs nothing else: inline CSS and SVG charts (learning curves,
     * confusion matrix, reliability diagram, per-class scores), tables of the headline numbers,
     * latency (when given) and provenance; no script and no link to anything outside the page.
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
         * @throws IllegalArgumentException when the run has no history, or a metric is undefined on too
         *     many bootstrap resamples
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
