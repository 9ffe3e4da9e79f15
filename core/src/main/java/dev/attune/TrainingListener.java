package dev.attune;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Hears what happens during {@link FineTuner#fit}. Every method has an empty default, so a
 * listener implements only what it needs. Events are immutable; listeners run on the training
 * thread, so keep them quick.
 */
public interface TrainingListener {
    /** Called once before the first epoch. */
    default void onFitStart(FitStart event) {
    }

    /**
     * Called when the run finds something that deserves attention but does not stop it (for example
     * validation examples that copy training examples, under {@link LeakagePolicy#WARN}); right after
     * {@link #onFitStart}, once per finding.
     */
    default void onWarning(Warning event) {
    }

    /** Called after every optimizer step. */
    default void onBatchEnd(BatchEnd event) {
    }

    /** Called after every epoch, with validation done. */
    default void onEpochEnd(EpochEnd event) {
    }

    /** Called once when training ends, normally or early. */
    default void onFitEnd(FitEnd event) {
    }

    /**
     * Training is about to start.
     *
     * @param epochs the maximum number of epochs
     * @param batchesPerEpoch optimizer steps per epoch
     * @param trainExamples training examples
     * @param trainableParams parameters being trained
     * @param frozenParams parameters held frozen
     * @param cachedFrozenFeatures whether the frozen layers' outputs were computed once and reused
     */
    record FitStart(int epochs, int batchesPerEpoch, int trainExamples, long trainableParams, long frozenParams,
                    boolean cachedFrozenFeatures) {
    }

    /**
     * Something about the run deserves attention; it is also kept in {@link Provenance#warnings()}.
     *
     * @param topic what the warning is about, for example {@code "leakage"}
     * @param message what was found and what to do about it
     */
    record Warning(String topic, String message) {
        /** Checks that both parts are given. */
        public Warning {
            requireNonNull(topic, "topic");
            requireNonNull(message, "message");
        }
    }

    /**
     * One optimizer step is done.
     *
     * @param epoch the epoch, from 1
     * @param batch the step within the epoch, from 1
     * @param batchesPerEpoch steps per epoch
     * @param loss the mini-batch loss (over the accumulated mini-batches, with gradient accumulation)
     * @param sinceStart wall time since training started
     * @param learningRate the learning rate of the step (of the top layer group, with discriminative rates),
     *     as the schedule made it
     */
    record BatchEnd(int epoch, int batch, int batchesPerEpoch, double loss, Duration sinceStart, double learningRate) {
        /** A step without a recorded learning rate (NaN). */
        public BatchEnd(int epoch, int batch, int batchesPerEpoch, double loss, Duration sinceStart) {
            this(epoch, batch, batchesPerEpoch, loss, sinceStart, Double.NaN);
        }
    }

    /**
     * One epoch is done.
     *
     * @param record what the epoch measured
     * @param epochs the maximum number of epochs
     * @param improved whether this epoch is the best so far by the early-stopping criterion
     * @param sinceStart wall time since training started
     */
    record EpochEnd(EpochRecord record, int epochs, boolean improved, Duration sinceStart) {
    }

    /**
     * Training is over.
     *
     * @param epochsRun the number of epochs run
     * @param bestEpoch the epoch whose weights the result holds
     * @param stoppedEarly whether early stopping ended training before the last configured epoch
     * @param wallTime total training time
     */
    record FitEnd(int epochsRun, int bestEpoch, boolean stoppedEarly, Duration wallTime) {
    }
}
