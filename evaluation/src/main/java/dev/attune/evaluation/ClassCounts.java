package dev.attune.evaluation;

import dev.attune.Predictions;

/**
 * Weighted per-class counts of single-label predictions, and precision, recall and F1 from them as
 * scikit-learn's {@code precision_recall_fscore_support} computes them ({@code zero_division=0}).
 */
final class ClassCounts {
    final double[] truePositives;
    final double[] predictedTotals;
    final double[] actualTotals;
    /** Whether the class occurs among the actual or the predicted classes, whatever its weight. */
    final boolean[] occurs;

    private ClassCounts(int k) {
        truePositives = new double[k];
        predictedTotals = new double[k];
        actualTotals = new double[k];
        occurs = new boolean[k];
    }

    static ClassCounts of(Predictions p) {
        ClassCounts counts = new ClassCounts(p.numClasses());
        for (int i = 0; i < p.size(); i++) {
            int a = p.actual(i);
            int q = p.predicted(i);
            double w = p.weight(i);
            counts.actualTotals[a] += w;
            counts.predictedTotals[q] += w;
            if (a == q) {
                counts.truePositives[a] += w;
            }
            counts.occurs[a] = true;
            counts.occurs[q] = true;
        }
        return counts;
    }

    double precision(int c) {
        return predictedTotals[c] == 0 ? 0 : truePositives[c] / predictedTotals[c];
    }

    double recall(int c) {
        return actualTotals[c] == 0 ? 0 : truePositives[c] / actualTotals[c];
    }

    double f1(int c) {
        return f1(precision(c), recall(c));
    }

    static double f1(double precision, double recall) {
        double sum = precision + recall;
        return sum == 0 ? 0 : 2 * precision * recall / sum;
    }

    /** One of precision ({@code 0}), recall ({@code 1}) or F1 ({@code 2}) of class {@code c}. */
    double score(int kind, int c) {
        return kind == 0 ? precision(c) : kind == 1 ? recall(c) : f1(c);
    }

    double average(int kind, Average average) {
        int k = occurs.length;
        switch (average) {
            case MICRO: {
                double tp = 0;
                double predicted = 0;
                double actual = 0;
                for (int c = 0; c < k; c++) {
                    tp += truePositives[c];
                    predicted += predictedTotals[c];
                    actual += actualTotals[c];
                }
                double precision = predicted == 0 ? 0 : tp / predicted;
                double recall = actual == 0 ? 0 : tp / actual;
                return kind == 0 ? precision : kind == 1 ? recall : f1(precision, recall);
            }
            case WEIGHTED: {
                double sum = 0;
                double support = 0;
                for (int c = 0; c < k; c++) {
                    if (occurs[c]) {
                        sum += score(kind, c) * actualTotals[c];
                        support += actualTotals[c];
                    }
                }
                return support == 0 ? 0 : sum / support;
            }
            default: {
                double sum = 0;
                int present = 0;
                for (int c = 0; c < k; c++) {
                    if (occurs[c]) {
                        sum += score(kind, c);
                        present++;
                    }
                }
                // Predictions are never empty, so at least one class occurs.
                return sum / present;
            }
        }
    }
}
