package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Predictions;
import java.util.ArrayList;
import java.util.List;

/**
 * The reliability diagram of predictions: their top-class confidence (the probability of the
 * predicted class) in equal-width bins, and in each bin how often the prediction was right. Bin
 * {@code b} of {@code M} holds the confidences in {@code (b / M, (b + 1) / M]}; bin 0 also holds 0.
 * Example weights, if any, weigh every count and mean. Immutable; made by
 * {@link Metrics#reliability(Predictions, int)}.
 *
 * <p>The expected calibration error is {@code sum_b (W_b / W) |accuracy_b - confidence_b|} and the
 * maximum calibration error {@code max_b |accuracy_b - confidence_b|} over the non-empty bins
 * (Guo et al., 2017, "On Calibration of Modern Neural Networks"), with {@code W_b} the weight in bin
 * {@code b} and {@code W} the total weight.
 */
public final class ReliabilityDiagram {
    /**
     * One bin of the diagram.
     *
     * @param lower the bin's lower edge (excluded, except 0 for the first bin)
     * @param upper the bin's upper edge (included)
     * @param count the number of examples whose confidence falls in the bin
     * @param weight the total weight of those examples (the count when unweighted)
     * @param meanConfidence their mean top-class confidence, NaN when the bin has no weight
     * @param accuracy the share of them predicted right, NaN when the bin has no weight
     */
    public record Bin(double lower, double upper, int count, double weight, double meanConfidence, double accuracy) {
        /** {@code |accuracy - meanConfidence|}, NaN for an empty bin. */
        public double gap() {
            return Math.abs(accuracy - meanConfidence);
        }
    }

    private final List<Bin> bins;
    private final double totalWeight;

    private ReliabilityDiagram(List<Bin> bins, double totalWeight) {
        this.bins = List.copyOf(bins);
        this.totalWeight = totalWeight;
    }

    static ReliabilityDiagram of(Predictions p, int binCount) {
        requireNonNull(p, "predictions");
        checkBins(binCount);
        double[] edges = new double[binCount + 1];
        for (int b = 0; b <= binCount; b++) {
            edges[b] = b / (double) binCount; // exact quotients, so that b / M lands in bin b - 1
        }
        int[] counts = new int[binCount];
        double[] weights = new double[binCount];
        double[] confidence = new double[binCount];
        double[] correct = new double[binCount];
        double total = 0;
        for (int i = 0; i < p.size(); i++) {
            double c = p.probability(i, p.predicted(i));
            // the first b with c <= edges[b + 1]: a guess from c * M, corrected against the edges
            int b = Math.min(Math.max((int) (c * binCount), 0), binCount - 1);
            while (b > 0 && c <= edges[b]) {
                b--;
            }
            while (b < binCount - 1 && c > edges[b + 1]) {
                b++;
            }
            double w = p.weight(i);
            counts[b]++;
            weights[b] += w;
            confidence[b] += w * c;
            correct[b] += p.actual(i) == p.predicted(i) ? w : 0;
            total += w;
        }
        List<Bin> list = new ArrayList<>(binCount);
        for (int b = 0; b < binCount; b++) {
            boolean empty = weights[b] == 0;
            list.add(new Bin(edges[b], edges[b + 1], counts[b], weights[b],
                    empty ? Double.NaN : confidence[b] / weights[b], empty ? Double.NaN : correct[b] / weights[b]));
        }
        return new ReliabilityDiagram(list, total);
    }

    static void checkBins(int bins) {
        if (bins < 1 || bins > 10_000) {
            throw new IllegalArgumentException("the number of calibration bins must be in [1, 10000], got " + bins
                    + "; 15 is the default");
        }
    }

    /** Every bin, from the lowest confidence up, empty ones included. */
    public List<Bin> bins() {
        return bins;
    }

    /** The expected calibration error: the bins' gaps weighted by their share of the examples, in {@code [0, 1]}. */
    public double expectedCalibrationError() {
        double sum = 0;
        for (Bin b : bins) {
            if (b.weight() > 0) {
                sum += b.weight() / totalWeight * b.gap();
            }
        }
        return sum;
    }

    /** The maximum calibration error: the largest gap of a non-empty bin, in {@code [0, 1]}. */
    public double maximumCalibrationError() {
        double max = 0;
        for (Bin b : bins) {
            if (b.weight() > 0) {
                max = Math.max(max, b.gap());
            }
        }
        return max;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("confidence        count  mean confidence  accuracy");
        for (Bin b : bins) {
            s.append(String.format(java.util.Locale.ROOT, "%n(%.3f, %.3f]  %6d  %15.4f  %8.4f",
                    b.lower(), b.upper(), b.count(), b.meanConfidence(), b.accuracy()));
        }
        return s.toString();
    }
}
