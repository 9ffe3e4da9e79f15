package dev.attune;

/**
 * What a handle needs to build a network to train.
 *
 * @param headClasses classes of a new output head, or 0 to keep the model's head
 * @param headName the name of the new head
 * @param freeze which layers to freeze
 * @param optimizer the optimizer of the trainable layers
 * @param seed the run's seed (head initialisation, dropout)
 */
record TrainingPlan(int headClasses, String headName, FreezePolicy freeze, Optimizer optimizer, long seed) {
}
