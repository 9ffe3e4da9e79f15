package dev.attune.search;

import dev.attune.FineTuneResult;
import java.util.Optional;

/**
 * Hears each trial of a {@link Search} end, one at a time, in the order trials finish (with parallel
 * trials that order varies from run to run). Trials read from the journal of a resumed search are not
 * announced again.
 */
@FunctionalInterface
public interface SearchListener {
    /**
     * A trial ended.
     *
     * @param trial its record, as the journal keeps it
     * @param result its fine-tuning result (the model, adapters, ...), empty when the trial failed
     */
    void onTrialEnd(TrialRecord trial, Optional<FineTuneResult> result);
}
