package dev.attune.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Latency per batch of {@link MultiAdapterServer}s, in three cases measured in one interleaved loop:
 * a batch of one language right after a batch of another (the adapter switches), the same batch again
 * (no switch), and a mixed batch holding rows of every language. A server's round calls, for each
 * language in turn, its batch twice (switch, then no switch), then the mixed batch once; each round runs
 * every server's round in turn, so the servers share the machine's load alike; the warm-up rounds are
 * not measured. Wall time of each call, nearest-rank percentiles, and throughput: the rows of the
 * measured calls over their summed wall time.
 */
final class ServingLatency {
    static final String SWITCH = "one language, adapter switched before the batch";
    static final String SAME = "one language, same adapter as the batch before";
    static final String MIXED = "mixed: every language in the batch";

    private ServingLatency() {
    }

    /**
     * The batches to serve.
     *
     * @param perLanguage one batch per adapter name, each served with that adapter
     * @param mixedAdapters the adapter of each row of {@code mixed}
     */
    record Batches(Map<String, INDArray> perLanguage, List<String> mixedAdapters, INDArray mixed) {
    }

    /** One server's figures in one case. */
    record Result(String server, String scenario, int batch, int calls, double p50Millis, double p95Millis,
                  double rowsPerSecond) {
    }

    /**
     * Measures every server, one after the other.
     *
     * @throws IllegalArgumentException for no rounds or a negative warm-up
     */
    static List<Result> measure(List<? extends MultiAdapterServer> servers, Batches batches, int warmupRounds, int rounds) {
        if (rounds < 1 || warmupRounds < 0) {
            throw new IllegalArgumentException("rounds must be at least 1 and warm-up rounds at least 0; got "
                    + rounds + " and " + warmupRounds);
        }
        List<Map<String, List<Long>>> nanos = new ArrayList<>();
        for (int k = 0; k < servers.size(); k++) {
            Map<String, List<Long>> n = new LinkedHashMap<>();
            for (String s : List.of(SWITCH, SAME, MIXED)) {
                n.put(s, new ArrayList<>());
            }
            nanos.add(n);
        }
        for (int round = 0; round < warmupRounds + rounds; round++) {
            boolean measured = round >= warmupRounds;
            for (int k = 0; k < servers.size(); k++) {
                MultiAdapterServer server = servers.get(k);
                for (Map.Entry<String, INDArray> b : batches.perLanguage().entrySet()) {
                    List<String> names = Collections.nCopies((int) b.getValue().size(0), b.getKey());
                    long t = time(server, names, b.getValue());
                    long u = time(server, names, b.getValue());
                    if (measured) {
                        nanos.get(k).get(SWITCH).add(t);
                        nanos.get(k).get(SAME).add(u);
                    }
                }
                long m = time(server, batches.mixedAdapters(), batches.mixed());
                if (measured) {
                    nanos.get(k).get(MIXED).add(m);
                }
            }
        }
        int perLanguageBatch = (int) batches.perLanguage().values().iterator().next().size(0);
        List<Result> results = new ArrayList<>();
        for (int k = 0; k < servers.size(); k++) {
            for (Map.Entry<String, List<Long>> e : nanos.get(k).entrySet()) {
                long[] v = e.getValue().stream().mapToLong(Long::longValue).toArray();
                int batch = e.getKey().equals(MIXED) ? (int) batches.mixed().size(0) : perLanguageBatch;
                long total = Arrays.stream(v).sum();
                results.add(new Result(servers.get(k).name(), e.getKey(), batch, v.length, percentile(v, 0.50) / 1e6,
                        percentile(v, 0.95) / 1e6, (double) batch * v.length / (Math.max(1, total) / 1e9)));
            }
        }
        return results;
    }

    private static long time(MultiAdapterServer server, List<String> names, INDArray features) {
        long t0 = System.nanoTime();
        server.output(names, features);
        return System.nanoTime() - t0;
    }

    /**
     * The nearest-rank percentile: the smallest value with at least {@code p} of the values at or below it.
     *
     * @throws IllegalArgumentException for no values or {@code p} outside (0, 1]
     */
    static long percentile(long[] values, double p) {
        if (values.length == 0 || !(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("need at least one value and p in (0, 1]; got " + values.length
                    + " values and p = " + p);
        }
        long[] s = values.clone();
        Arrays.sort(s);
        return s[(int) Math.ceil(p * s.length) - 1];
    }

    /** The results as a Markdown table. */
    static String table(List<Result> results) {
        StringBuilder s = new StringBuilder("| server | batch | rows per batch | calls | p50 (ms) | p95 (ms) | rows/s |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.1f | %.1f | %.1f |%n", r.server(), r.scenario(),
                    r.batch(), r.calls(), r.p50Millis(), r.p95Millis(), r.rowsPerSecond()));
        }
        return s.toString();
    }

    /** The results for {@code results.json}. */
    static List<Object> json(List<Result> results) {
        List<Object> list = new ArrayList<>();
        for (Result r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", r.server());
            m.put("batch", r.scenario());
            m.put("rowsPerBatch", r.batch());
            m.put("calls", r.calls());
            m.put("p50Millis", r.p50Millis());
            m.put("p95Millis", r.p95Millis());
            m.put("rowsPerSecond", r.rowsPerSecond());
            list.add(m);
        }
        return list;
    }
}
