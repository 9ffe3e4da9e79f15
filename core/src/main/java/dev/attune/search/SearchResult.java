package dev.attune.search;

import dev.attune.FineTuneResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Search} found: every trial's record, the best trial, the leaderboard, and the compute
 * spent against running every trial to its end. Immutable.
 */
public final class SearchResult {
    private final SearchSpace space;
    private final Objective objective;
    private final String strategy;
    private final Map<String, Object> setup;
    private final List<TrialRecord> trials;
    private final FineTuneResult bestResult;

    SearchResult(SearchSpace space, Objective objective, String strategy, Map<String, Object> setup,
                 List<TrialRecord> trials, FineTuneResult bestResult) {
        this.space = space;
        this.objective = objective;
        this.strategy = strategy;
        this.setup = setup;
        this.trials = trials.stream().sorted(Comparator.comparingInt(TrialRecord::index)).toList();
        this.bestResult = bestResult;
    }

    /** The space searched. */
    public SearchSpace space() {
        return space;
    }

    /** What was optimised. */
    public Objective objective() {
        return objective;
    }

    /** The strategy, as text (for example {@code grid().halving(1, 3)}). */
    public String strategy() {
        return strategy;
    }

    /** Every trial, by number. */
    public List<TrialRecord> trials() {
        return trials;
    }

    /** The trials from best to worst by score (ties: the lower number first; failed trials last). */
    public List<TrialRecord> ranked() {
        List<TrialRecord> r = new ArrayList<>(trials);
        r.sort(ranking(objective));
        return List.copyOf(r);
    }

    /** Better score first; equal scores (and failed trials, last) by number. */
    static Comparator<TrialRecord> ranking(Objective objective) {
        return (a, b) -> {
            double x = a.scored() ? a.score() : Double.NaN;
            double y = b.scored() ? b.score() : Double.NaN;
            if (objective.better(x, y)) {
                return -1;
            }
            if (objective.better(y, x)) {
                return 1;
            }
            return Integer.compare(a.index(), b.index());
        };
    }

    /**
     * The trial with the best score.
     *
     * @throws IllegalStateException when no trial has a score (every one failed)
     */
    public TrialRecord best() {
        TrialRecord b = ranked().get(0);
        if (!b.scored()) {
            throw new IllegalStateException("no trial of the search has a score: all " + trials.size()
                    + " failed (first: " + trials.get(0).failure() + "); lower the learning rates or fix the set-up");
        }
        return b;
    }

    /**
     * The best trial's fine-tuning result (its model, adapters, ...) when it ran in this process; empty when
     * it was read from the journal of a resumed search: {@link Search#rerun} makes it again.
     */
    public Optional<FineTuneResult> bestResult() {
        return Optional.ofNullable(bestResult);
    }

    /** The epochs spent against every trial run to its end. */
    public Compute compute() {
        long run = 0;
        long end = 0;
        int stopped = 0;
        for (TrialRecord t : trials) {
            run += t.epochsRun();
            end += t.maxEpochs();
            stopped += t.status() == TrialRecord.Status.STOPPED ? 1 : 0;
        }
        return new Compute(run, end, stopped);
    }

    /**
     * The leaderboard as a Markdown table, best first: place, trial, each parameter (doubles to 4
     * significant digits), the objective at the trial's best epoch, best epoch, epochs run of the trial's
     * maximum, and how it ended; then a line with the compute spent.
     */
    public String leaderboard() {
        List<String> names = space.names();
        StringBuilder t = new StringBuilder("| place | trial |");
        names.forEach(n -> t.append(' ').append(n).append(" |"));
        t.append(' ').append(objective.name()).append(" | best epoch | epochs | status |\n|---:|---:|");
        t.append("---|".repeat(names.size())).append("---:|---:|---:|---|\n");
        int rank = 0;
        for (TrialRecord r : ranked()) {
            rank++;
            t.append("| ").append(r.scored() ? String.valueOf(rank) : "-").append(" | ").append(r.index()).append(" |");
            r.point().formatted(names).forEach(l -> t.append(' ').append(cell(l)).append(" |"));
            t.append(' ').append(r.scored() ? String.format(Locale.ROOT, "%.4f", r.score()) : "-").append(" | ")
                    .append(r.bestEpoch()).append(" | ").append(r.epochsRun()).append(" of ").append(r.maxEpochs())
                    .append(" | ").append(r.describeStatus()).append(" |\n");
        }
        Compute c = compute();
        t.append(String.format(Locale.ROOT, "%n%d trials (%s, %s): %d epochs run of %d to the end of every trial,"
                + " %.1f%% saved; %d stopped at a rung%n", trials.size(), strategy, objective, c.epochsRun(),
                c.epochsToTheEnd(), 100 * c.savedFraction(), c.trialsStopped()));
        return t.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /**
     * The search as JSON of schema {@code attune-search/1}: {@code space}, {@code strategy}, {@code objective},
     * {@code seed}, {@code plannedTrials}, {@code complete}, {@code compute}, {@code best} (a trial number) and
     * {@code trials} (each with its point, status, score, epochs, history, configuration and provenance).
     */
    public String toJson() {
        return SearchJson.render(setup, trials, trials.size() == ((Number) setup.get("plannedTrials")).intValue(), compute(),
                trials.stream().anyMatch(TrialRecord::scored) ? best() : null, objective);
    }

    @Override
    public String toString() {
        return "SearchResult[" + trials.size() + " trials, " + strategy + ", " + objective + "]";
    }
}
