package dev.attune.search;

/**
 * The training a search spent against what its trials would have spent run to their ends.
 *
 * @param epochsRun the epochs every trial trained, summed (trials of a resumed search's journal included)
 * @param epochsToTheEnd the epochs every trial would have trained without stopping early (by the strategy or
 *     its own early stopping): each trial's {@code epochs}, summed; for a grid, the full grid run to the end
 * @param trialsStopped the trials that the strategy stopped at a rung
 */
public record Compute(long epochsRun, long epochsToTheEnd, int trialsStopped) {
    /** The share of {@link #epochsToTheEnd()} that was not spent, in {@code [0, 1]} (0 when nothing was planned). */
    public double savedFraction() {
        return epochsToTheEnd == 0 ? 0 : 1 - (double) epochsRun / epochsToTheEnd;
    }
}
