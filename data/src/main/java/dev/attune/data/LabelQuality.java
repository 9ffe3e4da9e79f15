package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Finds examples whose given label is probably wrong, by confident learning (Northcutt, Jiang and
 * Chuang, 2021, as cleanlab's {@code find_label_issues}) on out-of-fold predicted probabilities:
 * probabilities of each example from a model that did not train on it ({@link #outOfFold}).
 *
 * <p>The threshold of class {@code c} is its average self-confidence: the mean predicted
 * probability of {@code c} over the examples labelled {@code c}. An example labelled {@code y} is
 * flagged when its predicted probability of {@code y} is below the threshold of {@code y}. Flagged
 * examples are ranked by their margin, the probability of the given label minus the largest
 * probability of another class, most negative (most likely wrong) first.
 *
 * <pre>{@code
 * Predictions outOfFold = LabelQuality.outOfFold(data, fineTuner, 5, 42);
 * LabelQuality.Report report = LabelQuality.find(outOfFold);
 * report.issues().get(0);   // the example most likely mislabelled, its given and suggested label
 * }</pre>
 */
public final class LabelQuality {
    /** The number of folds of {@link #outOfFold(LabeledData, FineTuner, long)}. */
    public static final int DEFAULT_FOLDS = 5;

    private LabelQuality() {
    }

    /**
     * Flags likely label errors from out-of-fold probabilities.
     *
     * @param labels the given class of each example
     * @param outOfFoldProbabilities one row of class probabilities per example, each summing to 1
     *     (within 1e-3), predicted by a model that did not train on that example
     * @throws IllegalArgumentException when there are no examples, fewer than 2 classes, lengths
     *     differ, a label is out of range, or a probability is NaN, outside {@code [0, 1]} or in a row
     *     that does not sum to 1
     */
    public static Report find(int[] labels, double[][] outOfFoldProbabilities) {
        requireNonNull(labels, "labels");
        requireNonNull(outOfFoldProbabilities, "outOfFoldProbabilities");
        return find(Predictions.of(labels, outOfFoldProbabilities));
    }

    /**
     * Flags likely label errors from out-of-fold predictions (as {@link #outOfFold} gives): the true
     * classes of {@code outOfFold} are the given labels to check. Example weights, if any, are not used.
     *
     * @throws IllegalArgumentException when the predictions have fewer than 2 classes
     */
    public static Report find(Predictions outOfFold) {
        requireNonNull(outOfFold, "outOfFold");
        int k = outOfFold.numClasses();
        if (k < 2) {
            throw new IllegalArgumentException("the probabilities have " + k + " class; label quality needs"
                    + " probabilities of 2 or more classes per example");
        }
        int n = outOfFold.size();
        double[] sum = new double[k];
        int[] count = new int[k];
        for (int i = 0; i < n; i++) {
            int y = outOfFold.actual(i);
            sum[y] += outOfFold.probability(i, y);
            count[y]++;
        }
        List<Double> thresholds = new ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            thresholds.add(count[c] == 0 ? Double.NaN : sum[c] / count[c]);
        }
        List<Issue> issues = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int y = outOfFold.actual(i);
            double given = outOfFold.probability(i, y);
            if (given < thresholds.get(y)) {
                int other = -1;
                for (int c = 0; c < k; c++) {
                    if (c != y && (other < 0 || outOfFold.probability(i, c) > outOfFold.probability(i, other))) {
                        other = c;
                    }
                }
                issues.add(new Issue(i, y, other, given, given - outOfFold.probability(i, other)));
            }
        }
        // Stable sort: examples with equal margins stay in index order.
        issues.sort(Comparator.comparingDouble(Issue::margin));
        return new Report(n, thresholds, issues);
    }

    /**
     * Out-of-fold predictions with the default {@value #DEFAULT_FOLDS} folds; see
     * {@link #outOfFold(LabeledData, FineTuner, int, long)}.
     */
    public static Predictions outOfFold(LabeledData data, FineTuner fineTuner, long seed) {
        return outOfFold(data, fineTuner, DEFAULT_FOLDS, seed);
    }

    /**
     * Predicts every example with a model that did not train on it, by stratified k-fold
     * cross-validation: the examples of each class are shuffled (seeded) and dealt to the folds in
     * turn, so every fold holds each class's share within one example and the folds' sizes differ by
     * at most one; for each fold, {@code fineTuner} is fit on the other folds (without a validation
     * set) and its model predicts the fold.
     *
     * <p>Each fit starts from the fine-tuner's base model with the fine-tuner's own seed; {@code seed}
     * chooses the folds. A fine-tuner with early stopping is refused by its {@code fit}, which needs a
     * validation set for it; one with a checkpoint store writes every fold's checkpoints to it.
     *
     * @param data the examples and their given labels
     * @param fineTuner how to train a model on the examples of the other folds
     * @param folds the number of folds, at least 2 and at most {@code data.size()}
     * @param seed the seed of the fold assignment
     * @return the given labels and, per example, the class probabilities of the model of its fold, in
     *     the order of {@code data}
     * @throws IllegalArgumentException when {@code folds} is out of range, or from {@code fineTuner}'s
     *     {@code fit} (for example when the other folds hold a single class)
     */
    public static Predictions outOfFold(LabeledData data, FineTuner fineTuner, int folds, long seed) {
        requireNonNull(data, "data");
        requireNonNull(fineTuner, "fineTuner");
        if (folds < 2 || folds > data.size()) {
            throw new IllegalArgumentException("folds must be in [2, " + data.size() + "] for " + data.size()
                    + " examples, got " + folds + "; " + DEFAULT_FOLDS + " is usual");
        }
        int[] fold = foldOf(data.labels(), data.numClasses(), folds, seed);
        double[][] probabilities = new double[data.size()][];
        for (int f = 0; f < folds; f++) {
            int[] held = indicesWhere(fold, f, true);
            int[] rest = indicesWhere(fold, f, false);
            Predictions p = fineTuner.fit(data.select(rest)).predict(data.select(held));
            for (int j = 0; j < held.length; j++) {
                double[] row = new double[data.numClasses()];
                for (int c = 0; c < row.length; c++) {
                    row[c] = p.probability(j, c);
                }
                probabilities[held[j]] = row;
            }
        }
        return Predictions.of(data.labels(), probabilities);
    }

    /**
     * The fold of every example: each class's examples, shuffled, then all classes one after another,
     * dealt to the folds in turn (so a class continues where the previous one stopped).
     */
    static int[] foldOf(int[] labels, int numClasses, int folds, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] fold = new int[labels.length];
        int next = 0;
        for (int c = 0; c < numClasses; c++) {
            int[] members = new int[labels.length];
            int m = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    members[m++] = i;
                }
            }
            for (int i = m - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = members[i];
                members[i] = members[j];
                members[j] = t;
            }
            for (int i = 0; i < m; i++) {
                fold[members[i]] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }

    private static int[] indicesWhere(int[] fold, int f, boolean in) {
        return IntStream.range(0, fold.length).filter(i -> (fold[i] == f) == in).toArray();
    }

    /**
     * An example whose given label is probably wrong.
     *
     * @param index the example's index in the data
     * @param givenLabel its label as given
     * @param suggestedLabel the most probable class other than the given one (the lowest index among ties)
     * @param givenProbability the predicted probability of the given label, below that class's threshold
     * @param margin {@code givenProbability} minus the probability of {@code suggestedLabel}, in
     *     {@code [-1, 1]}; the lower, the more likely the label is wrong
     */
    public record Issue(int index, int givenLabel, int suggestedLabel, double givenProbability, double margin) {
    }

    /**
     * What the check found. Immutable.
     *
     * @param examples the number of examples checked
     * @param thresholds per class, the mean predicted probability of the class over the examples
     *     labelled with it; {@code NaN} for a class no example is labelled with
     * @param issues the flagged examples, most negative margin first (index order among equal margins)
     */
    public record Report(int examples, List<Double> thresholds, List<Issue> issues) {
        /** Validates and copies. */
        public Report {
            thresholds = List.copyOf(requireNonNull(thresholds, "thresholds"));
            issues = List.copyOf(requireNonNull(issues, "issues"));
        }

        /** The indices of the flagged examples, in rank order (most likely wrong first). */
        public int[] indices() {
            return issues.stream().mapToInt(Issue::index).toArray();
        }

        /** The share of the examples flagged, in {@code [0, 1]}. */
        public double flaggedShare() {
            return (double) issues.size() / examples;
        }

        @Override
        public String toString() {
            return "LabelQuality.Report[" + issues.size() + " of " + examples + " examples flagged, thresholds "
                    + Arrays.toString(thresholds.stream().mapToDouble(Double::doubleValue).toArray()) + "]";
        }
    }
}
