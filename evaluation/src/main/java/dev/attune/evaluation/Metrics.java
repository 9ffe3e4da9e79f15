package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Metric;
import dev.attune.Predictions;

/**
 * The built-in classification metrics, the confusion matrix and the reliability diagram. Each metric
 * is stateless, immutable and safe to share between threads, and computes what scikit-learn 1.2
 * computes under the name given in its Javadoc, on the same labels, probabilities and
 * {@code sample_weight} (the predictions' {@linkplain Predictions#withWeights weights}; every weight is
 * 1 unless given). The predicted class of an example is its most probable class, the lowest index
 * among ties.
 *
 * <pre>{@code
 * double f1 = predictions.score(Metrics.f1Macro());
 * double auc = predictions.withWeights(weights).score(Metrics.rocAucOvr());
 * System.out.println(Metrics.confusionMatrix(predictions));
 * }</pre>
 *
 * <p><b>Binary and multi-class.</b> {@link #rocAuc()}, {@link #averagePrecision()} and
 * {@link #brierScore()} are binary metrics: they need a 2-class task and score class 1, the positive
 * class. {@link #rocAucOvr()}, {@link #rocAucOvrWeighted()}, {@link #averagePrecisionOvr()} and
 * {@link #topKAccuracy(int)} need 3 or more classes. Asked of the other kind of task, they throw
 * {@link IllegalArgumentException} naming the metric to use instead. The others serve both.
 *
 * <p><b>Classes that do not occur.</b> Precision, recall and F1 follow scikit-learn's
 * {@code labels=None} and {@code zero_division=0}: averages run over the classes that occur among the
 * actual or predicted classes, and a ratio with a zero denominator is 0 (where scikit-learn warns).
 * Balanced accuracy averages the recall of the classes that occur among the actual classes, as
 * scikit-learn does. The ranking metrics leave out a class that does not occur among the actual
 * classes (scikit-learn refuses such input); ROC-AUC and average precision are undefined, and
 * refused, when the labels hold a single class.
 */
public final class Metrics {
    private static final int DEFAULT_BINS = 15;
    private static final Metric ACCURACY = new NamedMetric("accuracy", true, Metrics::accuracyOf);
    private static final Metric BALANCED_ACCURACY = new NamedMetric("balanced_accuracy", true, Metrics::balancedAccuracyOf);
    private static final Metric ROC_AUC = new NamedMetric("roc_auc", true, p -> binaryRanking(p, "roc_auc", true));
    private static final Metric AVERAGE_PRECISION =
            new NamedMetric("average_precision", true, p -> binaryRanking(p, "average_precision", false));
    private static final Metric ROC_AUC_OVR =
            new NamedMetric("roc_auc_ovr", true, p -> oneVsRest(p, "roc_auc_ovr", true, false));
    private static final Metric ROC_AUC_OVR_WEIGHTED =
            new NamedMetric("roc_auc_ovr_weighted", true, p -> oneVsRest(p, "roc_auc_ovr_weighted", true, true));
    private static final Metric AVERAGE_PRECISION_OVR =
            new NamedMetric("average_precision_ovr", true, p -> oneVsRest(p, "average_precision_ovr", false, false));
    private static final Metric LOG_LOSS = new NamedMetric("log_loss", false, Metrics::logLossOf);
    private static final Metric BRIER = new NamedMetric("brier", false, Metrics::brierOf);
    private static final Metric BRIER_MULTICLASS = new NamedMetric("brier_multiclass", false, Metrics::brierMulticlassOf);

    private Metrics() {
    }

    /**
     * The share of examples whose predicted class is the actual class, in {@code [0, 1]}:
     * {@code accuracy_score}. Named {@code "accuracy"}; higher is better.
     */
    public static Metric accuracy() {
        return ACCURACY;
    }

    /**
     * The mean recall of the classes that occur among the actual classes, in {@code [0, 1]}:
     * {@code balanced_accuracy_score} (not adjusted for chance). Named {@code "balanced_accuracy"};
     * higher is better.
     */
    public static Metric balancedAccuracy() {
        return BALANCED_ACCURACY;
    }

    /**
     * The share of examples whose actual class is among the {@code k} most probable, in {@code [0, 1]}:
     * {@code top_k_accuracy_score(y, probabilities, k=k, labels=range(numClasses))}. Among classes of
     * equal probability the higher class index ranks first, as in scikit-learn. Named
     * {@code "top_<k>_accuracy"}; higher is better. Needs a task of more than {@code k} classes: with
     * {@code k} classes or fewer every example would count.
     *
     * @param k how many of the most probable classes count, at least 1
     * @throws IllegalArgumentException when {@code k} is below 1, and from {@code compute} when the task
     *     has {@code k} classes or fewer
     */
    public static Metric topKAccuracy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k accuracy needs k >= 1, got " + k + "; k = 1 is the accuracy");
        }
        String name = "top_" + k + "_accuracy";
        return new NamedMetric(name, true, p -> topKAccuracyOf(p, k, name));
    }

    /**
     * The unweighted mean of the per-class F1 scores, in {@code [0, 1]}: {@code f1_score(average="macro")}.
     * The same as {@code f1(Average.MACRO)}. Named {@code "f1_macro"}; higher is better.
     *
     * <p>The mean runs over the classes that occur among the actual or the predicted classes; a class
     * of the task that occurs in neither does not count. The F1 of class {@code c} is
     * {@code 2TP / (2TP + FP + FN)}; a class that is never predicted therefore scores 0 (scikit-learn
     * warns and gives 0 in that case too).
     */
    public static Metric f1Macro() {
        return f1(Average.MACRO);
    }

    /**
     * Precision ({@code TP / (TP + FP)}) averaged over the classes, in {@code [0, 1]}:
     * {@code precision_score(average=...)}. Named {@code "precision_<average>"}, for example
     * {@code "precision_macro"}; higher is better.
     */
    public static Metric precision(Average average) {
        return averaged(0, "precision", average);
    }

    /**
     * Recall ({@code TP / (TP + FN)}) averaged over the classes, in {@code [0, 1]}:
     * {@code recall_score(average=...)}. Named {@code "recall_<average>"}; higher is better.
     */
    public static Metric recall(Average average) {
        return averaged(1, "recall", average);
    }

    /**
     * F1 (the harmonic mean of precision and recall) averaged over the classes, in {@code [0, 1]}:
     * {@code f1_score(average=...)}. Named {@code "f1_<average>"}; higher is better.
     */
    public static Metric f1(Average average) {
        return averaged(2, "f1", average);
    }

    /**
     * The precision of one class, in {@code [0, 1]}, 0 when the class is never predicted:
     * {@code precision_score(labels=[c], average=None)[0]}. Named {@code "precision_class_<c>"}.
     *
     * @throws IllegalArgumentException when {@code c} is negative, and from {@code compute} when it is
     *     not a class of the task
     */
    public static Metric precisionOfClass(int c) {
        return perClass(0, "precision", c);
    }

    /** The recall of one class, 0 when it never occurs among the actual classes; as {@link #precisionOfClass}. */
    public static Metric recallOfClass(int c) {
        return perClass(1, "recall", c);
    }

    /** The F1 of one class, 0 when it has no true positive; as {@link #precisionOfClass}. */
    public static Metric f1OfClass(int c) {
        return perClass(2, "f1", c);
    }

    /**
     * The area under the ROC curve of class 1 scored by its probability, in {@code [0, 1]}, for a
     * binary task: {@code roc_auc_score(y, probabilities[:, 1])}. Tied scores form one point of the
     * curve, so a tie between a positive and a negative counts half. Named {@code "roc_auc"}; higher is
     * better.
     *
     * @throws IllegalArgumentException from {@code compute} when the task has more than 2 classes (use
     *     {@link #rocAucOvr()}) or the labels hold a single class
     */
    public static Metric rocAuc() {
        return ROC_AUC;
    }

    /**
     * The one-vs-rest ROC-AUC of each class scored by its probability, averaged without weights, for a
     * task of 3 or more classes: {@code roc_auc_score(y, probabilities, multi_class="ovr",
     * average="macro")}. A class that does not occur among the labels (of positive weight) is left out
     * of the mean, where scikit-learn refuses the input. Named {@code "roc_auc_ovr"}; higher is better.
     *
     * @throws IllegalArgumentException from {@code compute} when the task has 2 classes (use
     *     {@link #rocAuc()}) or the labels hold a single class
     */
    public static Metric rocAucOvr() {
        return ROC_AUC_OVR;
    }

    /**
     * The one-vs-rest ROC-AUC of each class scored by its probability, averaged with each class weighted
     * by its prevalence, for a task of 3 or more classes: {@code roc_auc_score(y, probabilities,
     * multi_class="ovr", average="weighted")}. A class's weight is the sum of the example weights of its
     * examples (their number when the predictions carry no weights), so frequent classes count more than
     * in {@link #rocAucOvr()}. A class that does not occur among the labels (of positive weight) weighs
     * nothing and is left out, where scikit-learn refuses the input. Named
     * {@code "roc_auc_ovr_weighted"}; higher is better.
     *
     * @throws IllegalArgumentException from {@code compute} when the task has 2 classes (use
     *     {@link #rocAuc()}) or the labels hold a single class
     */
    public static Metric rocAucOvrWeighted() {
        return ROC_AUC_OVR_WEIGHTED;
    }

    /**
     * The area under the precision-recall curve of class 1 as average precision, in {@code [0, 1]},
     * for a binary task: {@code average_precision_score(y, probabilities[:, 1])}, the sum over the
     * distinct scores of the recall gained there times the precision there (no interpolation). Named
     * {@code "average_precision"}; higher is better.
     *
     * @throws IllegalArgumentException from {@code compute} when the task has more than 2 classes (use
     *     {@link #averagePrecisionOvr()}) or the labels hold a single class
     */
    public static Metric averagePrecision() {
        return AVERAGE_PRECISION;
    }

    /**
     * The average precision of each class against the rest, averaged without weights, for a task of 3
     * or more classes: {@code average_precision_score(one_hot(y), probabilities, average="macro")}. A
     * class that does not occur among the labels is left out of the mean. Named
     * {@code "average_precision_ovr"}; higher is better.
     *
     * @throws IllegalArgumentException from {@code compute} when the task has 2 classes (use
     *     {@link #averagePrecision()}) or the labels hold a single class
     */
    public static Metric averagePrecisionOvr() {
        return AVERAGE_PRECISION_OVR;
    }

    /**
     * The mean negative natural log of the probability of the actual class, in {@code [0, 34.54]}:
     * {@code log_loss(y, probabilities, labels=range(numClasses))} as scikit-learn 1.2 computes it,
     * probabilities clipped to {@code [1e-15, 1 - 1e-15]} and each row then divided by its sum. Named
     * {@code "log_loss"}; lower is better.
     */
    public static Metric logLoss() {
        return LOG_LOSS;
    }

    /**
     * The mean squared difference between the probability of class 1 and the label (1 for class 1, 0
     * for class 0), in {@code [0, 1]}, for a binary task: {@code brier_score_loss(y, probabilities[:, 1])}.
     * Named {@code "brier"}; lower is better.
     *
     * @throws IllegalArgumentException from {@code compute} when the task has more than 2 classes (use
     *     {@link #brierScoreMulticlass()})
     */
    public static Metric brierScore() {
        return BRIER;
    }

    /**
     * The multi-class Brier score (Brier, 1950): the mean over examples of the sum over classes of the
     * squared difference between the probability and the one-hot label, in {@code [0, 2]}. On a binary
     * task it is twice {@link #brierScore()}. Named {@code "brier_multiclass"}; lower is better.
     */
    public static Metric brierScoreMulticlass() {
        return BRIER_MULTICLASS;
    }

    /**
     * The expected calibration error over 15 equal-width bins of the top-class confidence, in
     * {@code [0, 1]}; see {@link ReliabilityDiagram}. Named {@code "ece"}; lower is better.
     */
    public static Metric expectedCalibrationError() {
        return expectedCalibrationError(DEFAULT_BINS);
    }

    /**
     * The expected calibration error over {@code bins} equal-width bins. Named {@code "ece"} for 15
     * bins, {@code "ece_<bins>"} otherwise; lower is better.
     *
     * @throws IllegalArgumentException when {@code bins} is outside {@code [1, 10000]}
     */
    public static Metric expectedCalibrationError(int bins) {
        ReliabilityDiagram.checkBins(bins);
        return new NamedMetric(bins == DEFAULT_BINS ? "ece" : "ece_" + bins, false,
                p -> ReliabilityDiagram.of(p, bins).expectedCalibrationError());
    }

    /**
     * The maximum calibration error over 15 equal-width bins of the top-class confidence, in
     * {@code [0, 1]}; see {@link ReliabilityDiagram}. Named {@code "mce"}; lower is better.
     */
    public static Metric maximumCalibrationError() {
        return maximumCalibrationError(DEFAULT_BINS);
    }

    /**
     * The maximum calibration error over {@code bins} equal-width bins. Named {@code "mce"} for 15
     * bins, {@code "mce_<bins>"} otherwise; lower is better.
     *
     * @throws IllegalArgumentException when {@code bins} is outside {@code [1, 10000]}
     */
    public static Metric maximumCalibrationError(int bins) {
        ReliabilityDiagram.checkBins(bins);
        return new NamedMetric(bins == DEFAULT_BINS ? "mce" : "mce_" + bins, false,
                p -> ReliabilityDiagram.of(p, bins).maximumCalibrationError());
    }

    /**
     * The reliability diagram of the predictions over {@code bins} equal-width bins of the top-class
     * confidence, with their expected and maximum calibration error.
     *
     * @throws IllegalArgumentException when {@code bins} is outside {@code [1, 10000]}
     */
    public static ReliabilityDiagram reliability(Predictions predictions, int bins) {
        return ReliabilityDiagram.of(predictions, bins);
    }

    /**
     * The confusion matrix of the predictions: per (actual, predicted) class pair both the number of
     * examples ({@link ConfusionMatrix#counts()}) and their summed example weights
     * ({@link ConfusionMatrix#weights()}, scikit-learn's {@code confusion_matrix} with
     * {@code sample_weight}).
     *
     * @param predictions the predictions to count
     * @return an immutable {@code numClasses x numClasses} matrix, rows actual, columns predicted
     */
    public static ConfusionMatrix confusionMatrix(Predictions predictions) {
        return ConfusionMatrix.of(predictions);
    }

    private static double accuracyOf(Predictions p) {
        double correct = 0;
        double total = 0;
        for (int i = 0; i < p.size(); i++) {
            double w = p.weight(i);
            correct += p.actual(i) == p.predicted(i) ? w : 0;
            total += w;
        }
        return correct / total;
    }

    private static double balancedAccuracyOf(Predictions p) {
        ClassCounts counts = ClassCounts.of(p);
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < p.numClasses(); c++) {
            if (counts.actualTotals[c] > 0) {
                sum += counts.recall(c);
                classes++;
            }
        }
        return sum / classes;
    }

    private static double topKAccuracyOf(Predictions p, int k, String name) {
        if (p.numClasses() <= k) {
            throw new IllegalArgumentException(name + " needs more than " + k + " classes, got " + p.numClasses()
                    + ": every class is among the top " + k + "; use a smaller k or Metrics.accuracy()");
        }
        double hits = 0;
        double total = 0;
        for (int i = 0; i < p.size(); i++) {
            int a = p.actual(i);
            double score = p.probability(i, a);
            int ahead = 0;
            for (int c = 0; c < p.numClasses(); c++) {
                double s = p.probability(i, c);
                if (s > score || (s == score && c > a)) {
                    ahead++;
                }
            }
            double w = p.weight(i);
            hits += ahead < k ? w : 0;
            total += w;
        }
        return hits / total;
    }

    private static Metric averaged(int kind, String what, Average average) {
        requireNonNull(average, "average");
        return new NamedMetric(what + "_" + average.suffix(), true, p -> ClassCounts.of(p).average(kind, average));
    }

    private static Metric perClass(int kind, String what, int c) {
        if (c < 0) {
            throw new IllegalArgumentException("class index must be 0 or more, got " + c);
        }
        String name = what + "_class_" + c;
        return new NamedMetric(name, true, p -> {
            if (c >= p.numClasses()) {
                throw new IllegalArgumentException(name + ": class " + c + " is outside [0, " + p.numClasses()
                        + ") of this " + p.numClasses() + "-class task");
            }
            return ClassCounts.of(p).score(kind, c);
        });
    }

    private static void requireBinary(Predictions p, String name, String instead) {
        if (p.numClasses() != 2) {
            throw new IllegalArgumentException(name + " is a binary metric and needs 2 classes, got " + p.numClasses()
                    + "; use Metrics." + instead + "() for a multi-class task");
        }
    }

    private static double binaryRanking(Predictions p, String name, boolean auc) {
        requireBinary(p, name, auc ? "rocAucOvr" : "averagePrecisionOvr");
        Ranking r = Ranking.of(p, 1);
        if (!r.hasPositives() || (auc && !r.hasNegatives())) {
            throw new IllegalArgumentException(name + " is undefined: the labels hold only class "
                    + (r.hasPositives() ? 1 : 0) + " (" + p.size() + " examples); evaluate on a set with both classes");
        }
        return auc ? r.rocAuc() : r.averagePrecision();
    }

    private static double oneVsRest(Predictions p, String name, boolean auc, boolean byPrevalence) {
        if (p.numClasses() < 3) {
            throw new IllegalArgumentException(name + " is a one-vs-rest metric for 3 or more classes, got "
                    + p.numClasses() + "; use Metrics." + (auc ? "rocAuc" : "averagePrecision") + "() for a binary task");
        }
        double sum = 0;
        double total = 0;
        int only = -1;
        for (int c = 0; c < p.numClasses(); c++) {
            Ranking r = Ranking.of(p, c);
            if (!r.hasPositives()) {
                continue;
            }
            if (!r.hasNegatives()) {
                only = c;
                break;
            }
            double weight = byPrevalence ? r.positiveWeight() : 1;
            sum += weight * (auc ? r.rocAuc() : r.averagePrecision());
            total += weight;
        }
        if (only >= 0) {
            throw new IllegalArgumentException(name + " is undefined: the labels hold only class " + only + " ("
                    + p.size() + " examples); evaluate on a set with at least two classes");
        }
        return sum / total;
    }

    private static double logLossOf(Predictions p) {
        double eps = 1e-15;
        double sum = 0;
        double total = 0;
        for (int i = 0; i < p.size(); i++) {
            double rowSum = 0;
            for (int c = 0; c < p.numClasses(); c++) {
                rowSum += clip(p.probability(i, c), eps);
            }
            double w = p.weight(i);
            sum -= w * Math.log(clip(p.probability(i, p.actual(i)), eps) / rowSum);
            total += w;
        }
        return sum / total;
    }

    private static double clip(double v, double eps) {
        return Math.min(Math.max(v, eps), 1 - eps);
    }

    private static double brierOf(Predictions p) {
        requireBinary(p, "brier", "brierScoreMulticlass");
        double sum = 0;
        double total = 0;
        for (int i = 0; i < p.size(); i++) {
            double d = p.probability(i, 1) - p.actual(i);
            double w = p.weight(i);
            sum += w * d * d;
            total += w;
        }
        return sum / total;
    }

    private static double brierMulticlassOf(Predictions p) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < p.size(); i++) {
            double row = 0;
            for (int c = 0; c < p.numClasses(); c++) {
                double d = p.probability(i, c) - (p.actual(i) == c ? 1 : 0);
                row += d * d;
            }
            double w = p.weight(i);
            sum += w * row;
            total += w;
        }
        return sum / total;
    }
}
