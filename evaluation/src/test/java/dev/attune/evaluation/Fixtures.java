package dev.attune.evaluation;

import dev.attune.Predictions;

/** Builds predictions from class indices, for tests. */
final class Fixtures {
    private Fixtures() {
    }

    /**
     * Predictions whose most probable class is {@code predicted[i]}: 0.7 on it, the rest shared out
     * evenly, so that argmax is unambiguous whatever the class count.
     */
    static Predictions predictions(int numClasses, int[] actual, int[] predicted) {
        double[][] probabilities = new double[actual.length][numClasses];
        for (int i = 0; i < actual.length; i++) {
            java.util.Arrays.fill(probabilities[i], 0.3 / (numClasses - 1));
            probabilities[i][predicted[i]] = 0.7;
        }
        return Predictions.of(actual, probabilities);
    }
}
