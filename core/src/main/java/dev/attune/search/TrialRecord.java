package dev.attune.search;

import static java.util.Objects.requireNonNull;

import dev.attune.EpochRecord;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one trial of a {@link Search} was and did: its point (and seed), the fine-tuner's configuration,
 * every epoch's record, and its provenance. Immutable; the journal keeps it, so a resumed search holds
 * the records of trials run before.
 *
 * @param index the trial's number in the strategy's plan, from 0
 * @param bracket the Hyperband bracket, from 0 (0 for the other strategies)
 * @param point the sampled values and the trial's seed
 * @param status how the trial ended
 * @param score the objective at the epoch whose weights the trial's model holds (its best epoch); NaN for a
 *     failed trial
 * @param bestEpoch the epoch whose weights the trial's model holds (0 for a failed trial)
 * @param epochsRun the epochs the trial trained
 * @param maxEpochs the epochs the trial would have trained to its end (its fine-tuner's {@code epochs})
 * @param stoppedEarly whether the trial ended before its last epoch (by its early stopping or the strategy)
 * @param history every epoch's record, in order (empty for a failed trial)
 * @param config the trial's {@code FineTuner.config()}, every option as text
 * @param provenance the trial's {@code Provenance.asText()} (empty for a failed trial)
 * @param failure why a failed trial failed, else empty
 * @param wallTime the time the trial took
 * @param finishOrder the trial's place in the order in which trials finished, from 0
 */
public record TrialRecord(int index, int bracket, Point point, Status status, double score, int bestEpoch,
                          int epochsRun, int maxEpochs, boolean stoppedEarly, List<EpochRecord> history,
                          Map<String, String> config, Map<String, String> provenance, String failure,
                          Duration wallTime, int finishOrder) {
    /** How a trial ended. */
    public enum Status {
        /** It trained to its last epoch, or its own early stopping ended it. */
        COMPLETED,
        /** The strategy stopped it at a rung: its objective was not in the top 1/eta there. */
        STOPPED,
        /** Training threw an {@link IllegalStateException} (a diverging loss, say); the search went on. */
        FAILED
    }

    /** Validates and copies. */
    public TrialRecord {
        requireNonNull(point, "point");
        requireNonNull(status, "status");
        history = List.copyOf(requireNonNull(history, "history"));
        config = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(config, "config")));
        provenance = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(provenance, "provenance")));
        requireNonNull(failure, "failure");
        requireNonNull(wallTime, "wallTime");
    }

    /** The trial's seed, as its fine-tuner was given it ({@link Point#seed()}). */
    public long seed() {
        return point.seed();
    }

    /** Whether the trial has a score: it did not fail. */
    public boolean scored() {
        return status != Status.FAILED && !Double.isNaN(score);
    }

    /** The status in words: {@code completed}, {@code early-stopped at epoch 7}, {@code stopped at rung 3}, {@code failed}. */
    public String describeStatus() {
        return switch (status) {
            case COMPLETED -> stoppedEarly ? "early-stopped at epoch " + epochsRun : "completed";
            case STOPPED -> "stopped at rung " + epochsRun;
            case FAILED -> "failed";
        };
    }
}
