package dev.attune.search;

import dev.attune.EpochRecord;
import dev.attune.internal.io.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A search as JSON of schema {@value #SCHEMA}: its set-up, its compute, and every finished trial. The
 * journal of a running search is the same document with {@code "complete": false}, rewritten atomically
 * after every trial.
 */
final class SearchJson {
    static final String SCHEMA = "attune-search/1";
    /** A search document nests a few levels; the limit keeps the reader's recursion short. */
    static final int MAX_DEPTH = 16;

    private SearchJson() {
    }

    /** The set-up fields that a journal must share with the search that resumes from it. */
    static Map<String, Object> setup(SearchSpace space, Strategy strategy, Objective objective, long seed, int planned) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("space", space.params().stream().map(Param::describe).toList());
        m.put("strategy", strategy.toString());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", objective.name());
        o.put("higherIsBetter", objective.higherIsBetter());
        m.put("objective", o);
        m.put("seed", seed);
        m.put("plannedTrials", planned);
        return m;
    }

    static String render(Map<String, Object> setup, List<TrialRecord> trials, boolean complete, Compute compute,
                         TrialRecord best, Objective objective) {
        Map<String, Object> m = new LinkedHashMap<>(setup);
        m.put("complete", complete);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("epochsRun", compute.epochsRun());
        c.put("epochsToTheEnd", compute.epochsToTheEnd());
        c.put("savedFraction", compute.savedFraction());
        c.put("trialsStopped", compute.trialsStopped());
        m.put("compute", c);
        m.put("best", best == null ? null : best.index());
        List<Object> list = new ArrayList<>();
        for (TrialRecord t : trials) {
            list.add(trial(t));
        }
        m.put("trials", list);
        return Json.write(m);
    }

    private static Map<String, Object> trial(TrialRecord t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", t.index());
        m.put("bracket", t.bracket());
        m.put("seed", t.seed());
        Map<String, Object> values = new LinkedHashMap<>();
        t.point().values().forEach((k, v) -> values.put(k, jsonValue(v, t.point().labels().get(k))));
        m.put("point", values);
        m.put("labels", new LinkedHashMap<>(t.point().labels()));
        m.put("status", t.status().name());
        m.put("score", t.score());
        m.put("bestEpoch", t.bestEpoch());
        m.put("epochsRun", t.epochsRun());
        m.put("maxEpochs", t.maxEpochs());
        m.put("stoppedEarly", t.stoppedEarly());
        m.put("failure", t.failure());
        m.put("seconds", t.wallTime().toNanos() / 1e9);
        m.put("finishOrder", t.finishOrder());
        List<Object> history = new ArrayList<>();
        for (EpochRecord r : t.history()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("epoch", r.epoch());
            e.put("trainLoss", r.trainLoss());
            e.put("validationLoss", r.validationLoss());
            e.put("seconds", r.time().toNanos() / 1e9);
            e.put("metrics", new LinkedHashMap<String, Object>(new TreeMap<>(r.metrics())));
            history.add(e);
        }
        m.put("history", history);
        m.put("config", new LinkedHashMap<String, Object>(new TreeMap<>(t.config())));
        m.put("provenance", new LinkedHashMap<String, Object>(t.provenance()));
        return m;
    }

    private static Object jsonValue(Object v, String label) {
        if (v instanceof Integer || v instanceof Long || v instanceof Double || v instanceof Float || v instanceof Boolean
                || v instanceof String) {
            return v;
        }
        if (v instanceof Short || v instanceof Byte) {
            return ((Number) v).intValue();
        }
        return label;
    }

    /** A journal read back: its set-up fields and its trials by index. */
    record Journal(Map<String, Object> setup, Map<Integer, Map<String, Object>> trials) {
    }

    static Journal read(String text, String where) {
        Object parsed;
        try {
            parsed = Json.parse(text, MAX_DEPTH, Json.Numbers.LONGS_WHEN_INTEGRAL);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the search journal " + where + " is not valid JSON (" + e.getMessage()
                    + "); give another journal path, or delete the file to start the search afresh", e);
        }
        if (!(parsed instanceof Map<?, ?> m) || !SCHEMA.equals(m.get("schema")) || !(m.get("trials") instanceof List)) {
            throw new IllegalArgumentException("the file " + where + " is not a search journal of schema " + SCHEMA
                    + "; give another journal path, or delete the file to start the search afresh");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) m;
        Map<String, Object> setup = new LinkedHashMap<>();
        for (String key : List.of("schema", "space", "strategy", "objective", "seed", "plannedTrials")) {
            setup.put(key, map.get(key));
        }
        Map<Integer, Map<String, Object>> trials = new TreeMap<>();
        for (Object o : (List<?>) map.get("trials")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> t = (Map<String, Object>) o;
            trials.put(((Number) t.get("index")).intValue(), t);
        }
        return new Journal(setup, trials);
    }

    /** A trial of a journal, on the point the plan gives it. */
    static TrialRecord trial(Map<String, Object> t, Point point) {
        List<EpochRecord> history = new ArrayList<>();
        for (Object o : (List<?>) t.get("history")) {
            Map<?, ?> e = (Map<?, ?>) o;
            Map<String, Double> metrics = new LinkedHashMap<>();
            ((Map<?, ?>) e.get("metrics")).forEach((k, v) -> metrics.put((String) k, number(v)));
            history.add(new EpochRecord(((Number) e.get("epoch")).intValue(), number(e.get("trainLoss")),
                    number(e.get("validationLoss")), metrics, seconds(e.get("seconds"))));
        }
        return new TrialRecord(((Number) t.get("index")).intValue(), ((Number) t.get("bracket")).intValue(), point,
                TrialRecord.Status.valueOf((String) t.get("status")), number(t.get("score")),
                ((Number) t.get("bestEpoch")).intValue(), ((Number) t.get("epochsRun")).intValue(),
                ((Number) t.get("maxEpochs")).intValue(), (Boolean) t.get("stoppedEarly"), history,
                strings(t.get("config")), strings(t.get("provenance")), (String) t.get("failure"),
                seconds(t.get("seconds")), ((Number) t.get("finishOrder")).intValue());
    }

    private static double number(Object v) {
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    private static Duration seconds(Object v) {
        return Duration.ofNanos(Math.round(number(v) * 1e9));
    }

    private static Map<String, String> strings(Object v) {
        Map<String, String> m = new LinkedHashMap<>();
        ((Map<?, ?>) v).forEach((k, x) -> m.put((String) k, (String) x));
        return m;
    }
}
