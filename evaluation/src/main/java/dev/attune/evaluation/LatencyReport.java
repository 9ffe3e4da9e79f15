package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Latency#measure} found: one row per model and batch size, the median per-round ratio
 * of every pair of models, and the conditions of the measurement (backend, cores, thread settings).
 * Immutable.
 *
 * @param rows one per model and batch size, in measurement order
 * @param ratios median per-round latency ratios by {@code "<model>/<other>@<batch>"}
 * @param warmup unmeasured calls per model and batch size
 * @param calls measured calls per model and batch size
 * @param backend the ND4J backend
 * @param cores available processors
 * @param threads the OpenMP / OpenBLAS thread settings
 */
public record LatencyReport(List<Row> rows, Map<String, Double> ratios, int warmup, int calls, String backend, int cores,
                            String threads) {
    /**
     * Latency of one model at one batch size, in microseconds per call.
     *
     * @param model the model's name
     * @param batch examples per call
     * @param p50 median
     * @param p95 95th percentile
     * @param p99 99th percentile
     * @param examplesPerSecond throughput over the measured calls
     */
    public record Row(String model, int batch, double p50, double p95, double p99, double examplesPerSecond) {
    }

    /** Copies the collections. */
    public LatencyReport {
        rows = List.copyOf(rows);
        ratios = Map.copyOf(ratios);
        requireNonNull(backend, "backend");
        requireNonNull(threads, "threads");
    }

    static String key(String model, String other, int batch) {
        return model + "/" + other + "@" + batch;
    }

    /**
     * The row of a model at a batch size.
     *
     * @throws IllegalArgumentException when it was not measured (the message lists what was)
     */
    public Row row(String model, int batch) {
        return rows.stream().filter(r -> r.model().equals(model) && r.batch() == batch).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no latency measured for model '" + model + "' at batch "
                        + batch + "; measured: " + rows.stream().map(r -> r.model() + "@" + r.batch()).toList()));
    }

    /**
     * The median over rounds of {@code latency(model) / latency(other)} at a batch size: below 1 when
     * {@code model} is faster.
     *
     * @throws IllegalArgumentException when either was not measured at that batch size
     */
    public double ratio(String model, String other, int batch) {
        row(model, batch);
        row(other, batch);
        return ratios.get(key(model, other, batch));
    }

    /**
     * A Markdown table: one line per model and batch size, with p50 / p95 / p99 in microseconds,
     * throughput, and the median per-call time ratio to the first model measured.
     */
    public String toMarkdown() {
        String first = rows.get(0).model();
        StringBuilder b = new StringBuilder();
        b.append("| model | batch | p50 (µs) | p95 (µs) | p99 (µs) | examples/s | time / ").append(first).append(" (median of per-call ratios) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %,.0f | %.3f |%n", r.model(), r.batch(),
                    r.p50(), r.p95(), r.p99(), r.examplesPerSecond(), ratio(r.model(), first, r.batch())));
        }
        return b.toString();
    }

    /** The conditions of the measurement, one line. */
    public String conditions() {
        return String.format(Locale.ROOT, "%d warm-up and %d measured calls per model and batch size, models in turn; %s, %d cores, %s",
                warmup, calls, backend, cores, threads);
    }
}
