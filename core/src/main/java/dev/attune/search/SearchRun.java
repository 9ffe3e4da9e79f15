package dev.attune.search;

import dev.attune.AttuneException;
import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.StopCondition;
import dev.attune.TrainingListener;
import dev.attune.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of a {@link Search}: it hands the planned trials, in order, to a pool of {@code parallelism}
 * threads as the thread and memory budgets allow, records and journals each trial as it ends, and makes
 * the result. A trial that throws anything but an {@link IllegalStateException} abandons the search,
 * which then rethrows it once the running trials have stopped.
 */
final class SearchRun {
    private final Search.Settings s;
    private final List<Strategy.Planned> plan;
    private final Map<String, Object> setup;
    private final LabeledData train;
    private final LabeledData validation;
    private final Rungs rungs;
    private final List<TrialRecord> records = new ArrayList<>();
    private final Set<FineTuner.Builder> builders = Collections.newSetFromMap(new IdentityHashMap<>());
    private final AtomicInteger finishOrder = new AtomicInteger();
    private TrialRecord best;
    private FineTuneResult bestResult;
    private int running;
    private long usedBytes;
    private Throwable fatal;
    private volatile boolean abandoned;

    SearchRun(Search.Settings s, List<Strategy.Planned> plan, Map<String, Object> setup, List<TrialRecord> resumed,
              LabeledData train, LabeledData validation) {
        this.s = s;
        this.plan = plan;
        this.setup = setup;
        this.train = train;
        this.validation = validation;
        this.rungs = new Rungs(s.objective(), plan);
        for (TrialRecord r : resumed) {
            records.add(r);
            rungs.finished(plan.get(r.index()), r.history(), r.maxEpochs());
            finishOrder.set(Math.max(finishOrder.get(), r.finishOrder() + 1));
        }
    }

    SearchResult run() {
        List<Integer> finished = records.stream().map(TrialRecord::index).toList();
        ExecutorService pool = Executors.newFixedThreadPool(s.parallelism(), r -> {
            Thread t = new Thread(r, "attune-search-trial");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Strategy.Planned p : plan) {
                if (finished.contains(p.index())) {
                    continue;
                }
                if (failedAlready()) {
                    break;
                }
                Trial trial = prepare(p);
                if (!admit(trial.bytes)) {
                    break;
                }
                pool.execute(() -> trial.run());
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            pool.shutdown();
            awaitQuietly(pool);
        }
        synchronized (this) {
            if (fatal instanceof RuntimeException e) {
                throw e;
            }
            if (fatal instanceof Error e) {
                throw e;
            }
        }
        return new SearchResult(s.space(), s.objective(), s.strategy().toString(), setup, records,
                best != null && best.equals(records.stream().min(SearchResult.ranking(s.objective())).orElse(null))
                        ? bestResult : null);
    }

    private void awaitQuietly(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.DAYS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
                abandon();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Calls the mapping and builds the trial's fine-tuner with the search's listener and stop condition. */
    private Trial prepare(Strategy.Planned p) {
        FineTuner.Builder b = s.mapping().apply(p.point());
        if (b == null) {
            throw new IllegalArgumentException("the trial mapping returned null for " + p.point() + "; return a new"
                    + " FineTuner.builder(...) for every point");
        }
        if (!builders.add(b)) {
            throw new IllegalArgumentException("the trial mapping returned, for trial " + p.index() + ", a builder it"
                    + " returned for an earlier trial; make a new FineTuner.builder(...) inside the mapping for every"
                    + " point, so that no listener, early stopping or option is shared between trials");
        }
        Trial trial = new Trial(p);
        FineTuner tuner = b.listener(trial).stopWhen(trial).build();
        trial.tuner = tuner;
        trial.bytes = tuner.estimatedMemoryBytes();
        if (trial.bytes > s.memoryBudget()) {
            throw new IllegalArgumentException("trial " + p.index() + " " + p.point().labels() + " needs about "
                    + trial.bytes + " bytes (FineTuner.estimatedMemoryBytes(): its model's parameters, gradients and"
                    + " optimizer state) but the memory budget is " + s.memoryBudget() + " bytes; raise"
                    + " memoryBudget(...) to at least " + trial.bytes + " or search smaller models");
        }
        return trial;
    }

    /** Waits for a thread and memory for a trial; false when the search failed meanwhile. */
    private synchronized boolean admit(long bytes) {
        try {
            while (fatal == null && (running >= s.parallelism() || usedBytes + bytes > s.memoryBudget())) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IllegalStateException("the search was interrupted while it waited to start a trial", e));
        }
        if (fatal != null) {
            return false;
        }
        running++;
        usedBytes += bytes;
        return true;
    }

    private synchronized void release(long bytes) {
        running--;
        usedBytes -= bytes;
        notifyAll();
    }

    private synchronized boolean failedAlready() {
        return fatal != null;
    }

    private synchronized void fail(Throwable t) {
        if (fatal == null && !(t instanceof Rungs.Abandoned)) {
            fatal = t;
        }
        abandon();
        notifyAll();
    }

    private void abandon() {
        abandoned = true;
        rungs.abandon();
    }

    /** Records, journals and announces a trial that ended. */
    private void finish(TrialRecord r, FineTuneResult result) {
        synchronized (this) {
            records.add(r);
            if (r.scored() && (best == null || SearchResult.ranking(s.objective()).compare(r, best) < 0)) {
                best = r;
                bestResult = result;
            }
            if (s.journal() != null) {
                writeJournal(s.journal());
            }
            for (SearchListener l : s.listeners()) {
                l.onTrialEnd(r, Optional.ofNullable(result));
            }
        }
    }

    private void writeJournal(Path file) {
        SearchResult now = new SearchResult(s.space(), s.objective(), s.strategy().toString(), setup, records, null);
        String json = now.toJson();
        try {
            AtomicFiles.write(file, tmp -> Files.writeString(tmp, json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AttuneException("could not write the search journal " + file + ": " + e.getMessage(), e);
        }
    }

    /** One trial: its fine-tuner, and the listener and stop condition the search gives it. */
    private final class Trial implements TrainingListener, StopCondition {
        private final Strategy.Planned p;
        private final List<EpochRecord> history = new ArrayList<>();
        private FineTuner tuner;
        private long bytes;
        private int maxEpochs;
        private boolean stoppedAtRung;

        Trial(Strategy.Planned p) {
            this.p = p;
        }

        void run() {
            long t0 = System.nanoTime();
            try {
                FineTuneResult result = null;
                TrialRecord record;
                try {
                    result = tuner.fit(train, validation);
                    record = record(result, Duration.ofNanos(System.nanoTime() - t0));
                } catch (IllegalStateException e) {
                    record = new TrialRecord(p.index(), p.bracket(), p.point(), TrialRecord.Status.FAILED, Double.NaN, 0,
                            history.size(), maxEpochs, false, history, tuner.config(), Map.of(),
                            String.valueOf(e.getMessage()), Duration.ofNanos(System.nanoTime() - t0),
                            finishOrder.getAndIncrement());
                }
                if (!abandoned) {
                    finish(record, result);
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            } finally {
                rungs.done(p.index());
                release(bytes);
            }
        }

        private TrialRecord record(FineTuneResult r, Duration wall) {
            TrialRecord.Status status = stoppedAtRung ? TrialRecord.Status.STOPPED : TrialRecord.Status.COMPLETED;
            return new TrialRecord(p.index(), p.bracket(), p.point(), status, s.objective().of(r.best()), r.bestEpoch(),
                    r.history().size(), maxEpochs, r.stoppedEarly(), r.history(), tuner.config(), r.provenance().asText(),
                    "", wall, finishOrder.getAndIncrement());
        }

        @Override
        public void onFitStart(FitStart event) {
            maxEpochs = event.epochs();
            if (p.maxEpochs() > 0 && maxEpochs != p.maxEpochs()) {
                throw new IllegalArgumentException("the strategy " + s.strategy() + " trains every trial up to "
                        + p.maxEpochs() + " epochs but trial " + p.index() + "'s fine-tuner trains up to " + maxEpochs
                        + "; set epochs(" + p.maxEpochs() + ") in the mapping");
            }
        }

        @Override
        public void onEpochEnd(EpochEnd event) {
            history.add(event.record());
        }

        @Override
        public boolean stopAfter(EpochRecord record) {
            if (abandoned) {
                throw new Rungs.Abandoned();
            }
            double value = s.objective().of(record);
            if (!p.isRung(record.epoch(), maxEpochs)) {
                rungs.progress(p.index(), record.epoch());
                return false;
            }
            // At a rung the value and the progress are recorded together, so that no later trial sees the trial
            // past the rung without its value.
            try {
                stoppedAtRung = !rungs.keep(p, record.epoch(), value);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Rungs.Abandoned();
            }
            return stoppedAtRung;
        }
    }
}
