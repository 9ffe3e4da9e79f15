package dev.attune.search;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Metric;
import dev.attune.internal.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A hyperparameter search: points of a {@link SearchSpace}, each mapped to a fine-tuner and fitted as a
 * trial, under a {@link Strategy}, scored by an {@link Objective} on the validation set.
 *
 * <pre>{@code
 * SearchResult result = Search.over(SearchSpace.of(
 *                 Param.choice("rank", 4, 8, 16),
 *                 Param.logUniform("lr", 1e-3, 1e-2)))
 *         .trials(point -> FineTuner.builder(base)
 *                 .replaceHead(10)
 *                 .adapter(Lora.rank(point.getInt("rank")).alpha(2 * point.getInt("rank")).targets("dense0"))
 *                 .optimizer(Optimizer.adam(point.getDouble("lr")))
 *                 .metrics(Metrics.f1Macro())
 *                 .epochs(9).seed(point.seed()))
 *         .maximize(Metrics.f1Macro())
 *         .strategy(Strategy.random(12).halving(1, 3))
 *         .parallelism(2)
 *         .journal(Path.of("target/search.json"))
 *         .run(train, validation);
 * System.out.println(result.leaderboard());
 * }</pre>
 *
 * <p>Each trial is isolated: the mapping is called once per trial and must return a new builder (a
 * builder returned twice is refused), so that its listeners, early stopping and options are its own; the
 * search adds a listener and a {@link dev.attune.StopCondition} of the trial's own and builds it. Each
 * trial has its own seed ({@link Point#seed()}, drawn from the search's seed and the trial's number), which
 * the mapping passes to {@code seed(...)}: a trial gives the same weights alone, in a serial search and in
 * a parallel one. Trials run on {@code parallelism} threads, started in their numbers' order, as long as
 * the sum of their {@link FineTuner#estimatedMemoryBytes()} stays within the memory budget.
 *
 * <p>With a journal, the search writes every finished trial to one JSON file, rewritten atomically after
 * each trial; run again with the same journal, space, strategy, objective and seed, it reads the finished
 * trials and runs only the others (trials cut off mid-way, by a crash or a kill, run again from the
 * start).
 *
 * <p>A trial whose training throws an {@link IllegalStateException} (a diverging loss at a high learning
 * rate) is recorded as failed and the search goes on; any other exception stops the search, and is thrown
 * by {@link #run} once the running trials have stopped. Options may each be set once.
 */
public final class Search {
    private final SearchSpace space;
    private Function<Point, FineTuner.Builder> mapping;
    private Objective objective;
    private Strategy strategy;
    private Integer parallelism;
    private Long memoryBudget;
    private Long seed;
    private Path journal;
    private final List<SearchListener> listeners = new ArrayList<>();

    private Search(SearchSpace space) {
        this.space = space;
    }

    /** The settings of a run, as read by {@link SearchRun}. */
    record Settings(SearchSpace space, Function<Point, FineTuner.Builder> mapping, Objective objective,
                    Strategy strategy, int parallelism, long memoryBudget, long seed, Path journal,
                    List<SearchListener> listeners) {
    }

    /** A search over the given space. */
    public static Search over(SearchSpace space) {
        return new Search(requireNonNull(space, "space"));
    }

    /**
     * How a point becomes a trial: a new {@code FineTuner.builder(...)} with the point's values in its
     * options and {@code seed(point.seed())}, not yet built. Its fine-tuners must record the objective's
     * metric on the validation set ({@code metrics(...)}).
     */
    public Search trials(Function<Point, FineTuner.Builder> mapping) {
        once(this.mapping, "trials");
        this.mapping = requireNonNull(mapping, "mapping");
        return this;
    }

    /** What to optimise. */
    public Search objective(Objective value) {
        once(this.objective, "objective");
        this.objective = requireNonNull(value, "objective");
        return this;
    }

    /** Maximises a validation metric: {@code objective(Objective.maximize(metric))}. */
    public Search maximize(Metric metric) {
        return objective(Objective.maximize(metric));
    }

    /** Minimises a validation metric: {@code objective(Objective.minimize(metric))}. */
    public Search minimize(Metric metric) {
        return objective(Objective.minimize(metric));
    }

    /** The strategy (default {@link Strategy#grid()}). */
    public Search strategy(Strategy value) {
        once(this.strategy, "strategy");
        this.strategy = requireNonNull(value, "strategy");
        return this;
    }

    /**
     * Trials that train at the same time, each on a thread of its own (default 1).
     *
     * @throws IllegalArgumentException when below 1
     */
    public Search parallelism(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1 trial at a time, got " + threads
                    + "; 1 runs the trials one after another");
        }
        once(this.parallelism, "parallelism");
        this.parallelism = threads;
        return this;
    }

    /**
     * The most memory the running trials may hold together, by their {@link FineTuner#estimatedMemoryBytes()}
     * (default: no limit beyond the parallelism). A trial waits until the running ones leave room for it;
     * a trial larger than the whole budget stops the search with an {@link IllegalArgumentException}
     * before it trains.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Search memoryBudget(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("the memory budget must be a positive number of bytes, got " + bytes);
        }
        once(this.memoryBudget, "memoryBudget");
        this.memoryBudget = bytes;
        return this;
    }

    /** The seed of the random points and of the trials' seeds (default 42). */
    public Search seed(long value) {
        once(this.seed, "seed");
        this.seed = value;
        return this;
    }

    /**
     * The JSON file that keeps every finished trial, so that a search run again with it resumes (default:
     * none). The file is {@link SearchResult#toJson()} of the trials so far, rewritten atomically.
     */
    public Search journal(Path file) {
        once(this.journal, "journal");
        this.journal = requireNonNull(file, "file");
        return this;
    }

    /** Adds a listener of finished trials; may be called several times. */
    public Search listener(SearchListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Runs the trials not yet in the journal and returns every trial's record.
     *
     * @param train the training data of every trial
     * @param validation the validation data, on which the objective is measured every epoch
     * @throws IllegalArgumentException on a bad set-up (the first trial shows most: a metric the trials do not
     *     record, a trial larger than the memory budget, a journal of another search), or as a trial's
     *     {@code fit} throws it
     * @throws IllegalStateException when {@link #trials} or the objective is missing
     */
    public SearchResult run(LabeledData train, LabeledData validation) {
        requireNonNull(train, "train");
        if (validation == null) {
            throw new IllegalArgumentException("a search needs a validation set, on which it measures the objective"
                    + " every epoch; call run(train, validation)");
        }
        Settings s = settings();
        List<Strategy.Planned> plan = s.strategy().plan(space, s.seed());
        Map<String, Object> setup = SearchJson.setup(space, s.strategy(), s.objective(), s.seed(), plan.size());
        List<TrialRecord> resumed = s.journal() == null ? List.of() : resume(s.journal(), setup, plan);
        return new SearchRun(s, plan, setup, resumed, train, validation).run();
    }

    /**
     * Fits a trial again from its record: its point through the same mapping, with its seed, stopped after
     * the epochs it ran; on the same data this gives the trial's weights bit for bit.
     *
     * @throws IllegalArgumentException when the trial is not of this search's space, or failed
     */
    public FineTuneResult rerun(TrialRecord trial, LabeledData train, LabeledData validation) {
        requireNonNull(trial, "trial");
        if (!trial.point().values().keySet().equals(new java.util.LinkedHashSet<>(space.names()))) {
            throw new IllegalArgumentException("trial " + trial.index() + " has parameters " + trial.point().values().keySet()
                    + " but this search's space has " + space.names() + "; rerun it with the search that made it");
        }
        if (trial.status() == TrialRecord.Status.FAILED) {
            throw new IllegalArgumentException("trial " + trial.index() + " failed (" + trial.failure()
                    + "); there are no weights to make again");
        }
        Settings s = settings();
        FineTuner.Builder b = requireNonNull(s.mapping().apply(trial.point()), "the mapping's builder");
        int epochs = trial.epochsRun();
        if (epochs < trial.maxEpochs()) {
            b.stopWhen(r -> r.epoch() >= epochs);
        }
        return b.build().fit(train, validation);
    }

    private Settings settings() {
        if (mapping == null) {
            throw new IllegalStateException("no trials(...) mapping; give one that turns a point into a"
                    + " FineTuner.builder(...)");
        }
        if (objective == null) {
            throw new IllegalStateException("no objective; call maximize(metric), minimize(metric) or"
                    + " objective(Objective.validationLoss())");
        }
        return new Settings(space, mapping, objective, strategy == null ? Strategy.grid() : strategy,
                parallelism == null ? 1 : parallelism, memoryBudget == null ? Long.MAX_VALUE : memoryBudget,
                seed == null ? 42 : seed, journal, List.copyOf(listeners));
    }

    /** The finished trials of an existing journal, checked against this search's plan. */
    private static List<TrialRecord> resume(Path file, Map<String, Object> setup, List<Strategy.Planned> plan) {
        if (!Files.exists(file)) {
            return List.of();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AttuneException("could not read the search journal " + file + ": " + e.getMessage(), e);
        }
        SearchJson.Journal j = SearchJson.read(text, file.toString());
        String mine = Json.write(setup);
        String theirs = Json.write(j.setup());
        if (!mine.equals(theirs)) {
            throw new IllegalArgumentException("the search journal " + file + " was written by another search (it has "
                    + theirs.replaceAll("\\s+", " ").strip() + ", this search is " + mine.replaceAll("\\s+", " ").strip()
                    + "); give this search another journal path, or delete the file to start afresh");
        }
        List<TrialRecord> done = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, Object>> e : j.trials().entrySet()) {
            int i = e.getKey();
            if (i < 0 || i >= plan.size()) {
                throw new IllegalArgumentException("the search journal " + file + " holds trial " + i + " but the search"
                        + " plans " + plan.size() + "; delete the file to start afresh");
            }
            Point p = plan.get(i).point();
            Object labels = e.getValue().get("labels");
            Object seed = e.getValue().get("seed");
            if (!p.labels().equals(labels) || !(seed instanceof Number n) || n.longValue() != p.seed()) {
                throw new IllegalArgumentException("trial " + i + " of the search journal " + file + " is " + labels
                        + " with seed " + seed + " but this search's trial " + i + " is " + p.labels() + " with seed "
                        + p.seed() + "; give this search another journal path, or delete the file to start afresh");
            }
            done.add(SearchJson.trial(e.getValue(), p));
        }
        return done;
    }

    private static void once(Object current, String option) {
        if (current != null) {
            throw new IllegalStateException(option + "(...) was already set; set each option once");
        }
    }
}
