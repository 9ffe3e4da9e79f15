package dev.attune;

/**
 * Rebalances the training data of a fit: by resampling the examples, by weighting each example's
 * loss, or both. {@link FineTuner.Builder#balance} applies it to the training data only, once per
 * fit; validation and test data never pass through it. Built-in balancers come from
 * {@code dev.attune.data.Balancing}; implement this interface for a rule of your own.
 */
@FunctionalInterface
public interface Balancer {
    /**
     * The data to train on and, optionally, a loss weight per example of that data. Must not change
     * {@code train}, and must give the same result for the same data and seed.
     *
     * @param train the training examples as given to {@code fit}
     * @param seed the run's seed, the source of every random choice
     * @throws IllegalArgumentException when the data cannot be balanced this way (say why and what to do)
     */
    Balanced balance(LabeledData train, long seed);

    /** A human-readable description for the run's provenance (the class name by default). */
    default String describe() {
        return getClass().getSimpleName();
    }
}
