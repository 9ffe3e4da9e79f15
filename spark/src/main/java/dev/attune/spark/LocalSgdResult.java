package dev.attune.spark;

import dev.attune.Network;
import java.util.List;

/**
 * What a local-SGD run ({@link SparkFineTuner#fitLocalSgd}) gives.
 *
 * @param model the trained network (adapters merged)
 * @param validationLoss the validation log loss after each epoch (empty without validation data)
 * @param validationAccuracy the validation accuracy after each epoch (empty without validation data)
 * @param rounds the averaging rounds run
 * @param exchangedBytesPerRound trained values sent to the tasks and back per round
 * @param stepMillis the driver's wall time per local step (a round's time divided by its steps)
 */
public record LocalSgdResult(Network model, List<Double> validationLoss, List<Double> validationAccuracy, long rounds,
                             double exchangedBytesPerRound, double stepMillis) {
    /** Copies the lists. */
    public LocalSgdResult {
        validationLoss = List.copyOf(validationLoss);
        validationAccuracy = List.copyOf(validationAccuracy);
    }
}
