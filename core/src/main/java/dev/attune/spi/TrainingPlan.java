package dev.attune.spi;

/**
 * What a handle needs to build a network to train.
 *
 * @param headClasses classes of a new output head, or 0 to keep the model's head
 * @param headName the name of the new head
 * @param freeze which layers to freeze
 * @param optimizer the optimizer of the trainable layers
 * @param seed the run's seed (head initialisation, dropout)
 * @param adapter the adapter method, or {@code null} for none
 */
public record TrainingPlan(int headClasses, String headName, FreezePolicy freeze, Optimizer optimizer, long seed,
                           AdapterMethod adapter) {
    /** A plan without an adapter. */
    public TrainingPlan(int headClasses, String headName, FreezePolicy freeze, Optimizer optimizer, long seed) {
        this(headClasses, headName, freeze, optimizer, seed, null);
    }
}
