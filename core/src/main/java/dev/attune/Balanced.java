package dev.attune;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What a {@link Balancer} gives: the examples to train on and, optionally, one loss weight per
 * example. A weight scales that example's term of the mini-batch loss (and so its gradient); the
 * loss stays divided by the number of examples in the mini-batch. Immutable.
 */
public final class Balanced {
    private final LabeledData data;
    private final double[] weights;

    private Balanced(LabeledData data, double[] weights) {
        this.data = data;
        this.weights = weights;
    }

    /** Examples to train on with equal weights (a resampled set, or the training data itself). */
    public static Balanced of(LabeledData data) {
        return new Balanced(requireNonNull(data, "data"), null);
    }

    /**
     * Examples with one loss weight each.
     *
     * @param weights one weight per example of {@code data}, each finite and at least 0, not all 0
     * @throws IllegalArgumentException when the length differs from the number of examples or a
     *     weight is negative, NaN or infinite, or every weight is 0
     */
    public static Balanced weighted(LabeledData data, double[] weights) {
        requireNonNull(data, "data");
        requireNonNull(weights, "weights");
        if (weights.length != data.size()) {
            throw new IllegalArgumentException("got " + weights.length + " weights for " + data.size()
                    + " examples; give one weight per example");
        }
        boolean anyPositive = false;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weight " + weights[i] + " of example " + i
                        + " is not a finite number >= 0; give finite, non-negative weights");
            }
            anyPositive |= weights[i] > 0;
        }
        if (!anyPositive) {
            throw new IllegalArgumentException("every weight is 0, so nothing would be learned; give some example a weight above 0");
        }
        return new Balanced(data, weights.clone());
    }

    /** The examples to train on. */
    public LabeledData data() {
        return data;
    }

    /** A copy of the loss weights, one per example of {@link #data()}; empty when all are equal. */
    public Optional<double[]> weights() {
        return weights == null ? Optional.empty() : Optional.of(weights.clone());
    }

    /** The weights without a copy, for the trainer; {@code null} without weights. */
    double[] weightsView() {
        return weights;
    }

    @Override
    public String toString() {
        return "Balanced[" + data + (weights == null ? "" : ", weighted") + "]";
    }
}
