package dev.attune.search;

import dev.attune.EpochRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Successive halving's bookkeeping, shared by the trials of one search: each trial's progress and its
 * objective at every rung it reached. A trial at a rung is compared with the lower-numbered trials of
 * its bracket that reached the rung, after waiting for those still training below it, so a decision
 * never depends on which trial happened to run faster.
 */
final class Rungs {
    private final Objective objective;
    private final List<Strategy.Planned> plan;
    /** Epochs finished by each started trial. */
    private final Map<Integer, Integer> progress = new HashMap<>();
    /** The trials that ended (or never will train in this run). */
    private final Map<Integer, Boolean> done = new HashMap<>();
    /** Objective at each rung, by trial. */
    private final Map<Integer, Map<Integer, Double>> values = new HashMap<>();
    private boolean aborted;

    Rungs(Objective objective, List<Strategy.Planned> plan) {
        this.objective = objective;
        this.plan = plan;
    }

    /** Thrown into a trial that waits at a rung when the search is being abandoned. */
    static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("the search was abandoned while this trial waited at a rung", null, false, false);
        }
    }

    /** A trial from the journal: done, with its values at every rung it reached below its last epoch. */
    synchronized void finished(Strategy.Planned p, List<EpochRecord> history, int maxEpochs) {
        for (EpochRecord r : history) {
            if (p.isRung(r.epoch(), maxEpochs)) {
                values.computeIfAbsent(p.index(), k -> new HashMap<>()).put(r.epoch(), objective.of(r));
            }
        }
        done.put(p.index(), true);
        notifyAll();
    }

    /** A trial has finished an epoch. */
    synchronized void progress(int index, int epoch) {
        progress.put(index, epoch);
        notifyAll();
    }

    /** A trial ended, however. */
    synchronized void done(int index) {
        done.put(index, true);
        notifyAll();
    }

    /** Wakes every waiting trial, which then throws {@link Abandoned}. */
    synchronized void abandon() {
        aborted = true;
        notifyAll();
    }

    /**
     * Records trial {@code p}'s objective at a rung and tells whether it goes on: whether its value is in
     * the top {@code ceil(k / eta)} of the {@code k} trials of its bracket, numbered up to it, that reached
     * the rung.
     */
    synchronized boolean keep(Strategy.Planned p, int rung, double value) throws InterruptedException {
        values.computeIfAbsent(p.index(), k -> new HashMap<>()).put(rung, value);
        progress.put(p.index(), rung);
        notifyAll();
        while (!aborted && !earlierPassed(p, rung)) {
            wait();
        }
        if (aborted) {
            throw new Abandoned();
        }
        int reached = 0;
        int better = 0;
        for (Strategy.Planned q : plan) {
            if (q.index() > p.index()) {
                break;
            }
            if (q.bracket() != p.bracket()) {
                continue;
            }
            Double v = values.getOrDefault(q.index(), Map.of()).get(rung);
            if (v == null) {
                continue;
            }
            reached++;
            if (q.index() != p.index() && (objective.better(v, value)
                    || (q.index() < p.index() && !objective.better(value, v)))) {
                better++;
            }
        }
        int kept = (reached + p.eta() - 1) / p.eta();
        return better < kept;
    }

    /** Whether every lower-numbered trial of the bracket has passed the rung or ended. */
    private boolean earlierPassed(Strategy.Planned p, int rung) {
        for (Strategy.Planned q : plan) {
            if (q.index() >= p.index()) {
                return true;
            }
            if (q.bracket() == p.bracket() && !done.containsKey(q.index()) && progress.getOrDefault(q.index(), 0) < rung) {
                return false;
            }
        }
        return true;
    }
}
