package dev.attune.spi;

/**
 * Where a run's gradients are computed when each optimizer step is spread over several machines
 * (data-parallel training, such as {@code attune-spark}'s): the trainer hands over the model it prepared
 * and trains the model this returns under the controlled update, so the optimizer's step stays on the
 * machine that runs the trainer while {@link TrainableModel#computeGradients} may run anywhere.
 */
@FunctionalInterface
public interface GradientExchange {
    /**
     * The model to train in place of {@code prepared}.
     *
     * @param prepared the model prepared from {@code base} and {@code plan}: the returned model's
     *     {@link TrainableModel#gradientTensors()} must be {@code prepared}'s (the optimizer's step
     *     updates these values) and its {@link TrainableModel#computeGradients} must write the mini-batch's
     *     gradient sums into their gradient arrays
     * @param base the base model it was prepared from
     * @param plan the plan it was prepared with
     * @return the model the trainer trains
     */
    TrainableModel distribute(TrainableModel prepared, ModelHandle base, TrainingPlan plan);
}
