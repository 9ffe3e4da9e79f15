package dev.attune.internal.train;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything a training run needs to continue exactly where it was: where it is (the epoch, the
 * mini-batches of it done, the optimizer steps done, which set the learning-rate schedule), the loss
 * summed over the epoch so far, ND4J's global random state (dropout draws from it), early stopping's
 * bookkeeping, the epochs recorded so far, every parameter and the optimizer's state.
 *
 * <p>The shuffle needs no state of its own: each epoch's order is the seed's generator applied to the
 * previous epoch's order, so the order and the generator at the start of epoch {@code e} are made again
 * by shuffling {@code e - 1} times from the seed. The tensors are references: live views when the state
 * is captured to be written, fresh arrays when it was read.
 *
 * @param epoch the epoch in progress, from 1 ({@code epochs + 1} once every epoch ran)
 * @param step the mini-batches of {@code epoch} done (0 at an epoch's start)
 * @param iteration the optimizer steps done in the whole run
 * @param lossSum the sum of loss times rows over the mini-batches of {@code epoch} done
 * @param randomRoot ND4J's global generator's root state
 * @param randomNode ND4J's global generator's node state
 * @param stopping early stopping's bookkeeping
 * @param history the epochs recorded so far, in order
 * @param params every parameter of the network being trained
 * @param optimizer the optimizer's state by name, as {@code TrainableModel.optimizerState()} names it
 */
public record RunState(int epoch, int step, int iteration, double lossSum, long randomRoot, long randomNode,
                       Stopping stopping, List<Epoch> history, INDArray params, Map<String, INDArray> optimizer) {
    /** Copies the lists and maps. */
    public RunState {
        requireNonNull(stopping, "stopping");
        history = List.copyOf(history);
        requireNonNull(params, "params");
        optimizer = Map.copyOf(optimizer);
    }

    /**
     * Early stopping's bookkeeping.
     *
     * @param best the best monitored value so far (NaN for none)
     * @param bestEpoch the best epoch so far (0 for none)
     * @param sinceBest the epochs since the best one
     * @param bestParams the best epoch's parameters, or {@code null} when none was kept
     */
    public record Stopping(double best, int bestEpoch, int sinceBest, INDArray bestParams) {
    }

    /**
     * One epoch's record.
     *
     * @param epoch the epoch, from 1
     * @param trainLoss its mean training loss
     * @param validationLoss its validation loss (NaN without validation data)
     * @param metrics its validation metrics by name
     * @param nanos how long it took
     * @param learningRate the learning rate of its last step
     */
    public record Epoch(int epoch, double trainLoss, double validationLoss, Map<String, Double> metrics, long nanos,
                        double learningRate) {
        /** Copies the metrics. */
        public Epoch {
            metrics = Map.copyOf(metrics);
        }
    }
}
