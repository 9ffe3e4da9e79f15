package dev.attune;

/**
 * Ends training after an epoch when it says so: a general hook in the training loop, set with
 * {@link FineTuner.Builder#stopWhen}. It is asked after every epoch, once the epoch's record is made
 * and the listeners have heard it (also after the last epoch, where stopping changes nothing). When it
 * answers {@code true} before the last configured epoch, the run ends as early stopping ends it:
 * {@link FineTuneResult#stoppedEarly()} is true and, when early stopping is configured, the best
 * epoch's weights are restored.
 *
 * <pre>{@code
 * .stopWhen(record -> record.metric("accuracy") >= 0.99)   // good enough: stop
 * }</pre>
 *
 * A condition runs on the training thread; an exception it throws ends the fit with that exception.
 */
@FunctionalInterface
public interface StopCondition {
    /**
     * Whether training stops after the epoch that {@code record} describes.
     *
     * @param record what the epoch measured (validation metrics and loss when fit had a validation set)
     */
    boolean stopAfter(EpochRecord record);
}
