package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.Provenance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference latency of one or more models side by side: p50 / p95 / p99 per call and throughput, at
 * several batch sizes, after a warm-up. The models are called in turn, call by call, in an order that
 * rotates every round, so that a slow moment of the machine falls on all of them alike; the
 * {@linkplain LatencyReport#ratio ratio} of two models is the median of their per-round ratios. The
 * same harness serves a base model, the same with a live adapter and with the adapter merged.
 *
 * <pre>{@code
 * LatencyReport r = Latency.calls(500).batchSizes(1, 8, 64)
 *         .measure(Map.of("base", base::output, "merged", merged::output), test.features());
 * r.ratio("merged", "base", 64);   // 1.00 when merging costs nothing
 * }</pre>
 *
 * Defaults: 50 warm-up calls and 300 measured calls per model and batch size, batch sizes 1, 8 and
 * 64. Immutable; each option returns a new value, validated at once.
 */
public final class Latency {
    private final int warmup;
    private final int calls;
    private final int[] batchSizes;

    private Latency(int warmup, int calls, int[] batchSizes) {
        this.warmup = warmup;
        this.calls = calls;
        this.batchSizes = batchSizes;
    }

    /** The defaults: 50 warm-up calls, 300 measured calls, batch sizes 1, 8 and 64. */
    public static Latency defaults() {
        return new Latency(50, 300, new int[] {1, 8, 64});
    }

    /**
     * The defaults with this many measured calls per model and batch size.
     *
     * @throws IllegalArgumentException when below 1
     */
    public static Latency calls(int calls) {
        return defaults().measuredCalls(calls);
    }

    /**
     * Measured calls per model and batch size.
     *
     * @throws IllegalArgumentException when below 1
     */
    public Latency measuredCalls(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("measured calls must be at least 1, got " + value + "; 300 is the default");
        }
        return new Latency(warmup, value, batchSizes);
    }

    /**
     * Unmeasured calls per model and batch size before the measured ones (JIT compilation, workspaces).
     *
     * @throws IllegalArgumentException when negative
     */
    public Latency warmup(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("warm-up calls must be 0 or more, got " + value + "; 50 is the default");
        }
        return new Latency(value, calls, batchSizes);
    }

    /**
     * The batch sizes to measure, each at least 1.
     *
     * @throws IllegalArgumentException when none is given or one is below 1
     */
    public Latency batchSizes(int... sizes) {
        requireNonNull(sizes, "sizes");
        if (sizes.length == 0) {
            throw new IllegalArgumentException("give at least one batch size, for example batchSizes(1, 8, 64)");
        }
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("batch sizes must be at least 1, got " + s + " in " + Arrays.toString(sizes));
            }
        }
        return new Latency(warmup, calls, sizes.clone());
    }

    /**
     * Measures every model on batches drawn from {@code examples} (rows, cycled when a batch is
     * larger than the rows given; batches are built before timing). Models are identified by their
     * names in the map's iteration order.
     *
     * @throws IllegalArgumentException when no model or no example is given
     */
    public LatencyReport measure(Map<String, ? extends UnaryOperator<INDArray>> models, INDArray examples) {
        return measure(models, examples, System::nanoTime);
    }

    /** {@link #measure(Map, INDArray)} with the given nanosecond clock. */
    LatencyReport measure(Map<String, ? extends UnaryOperator<INDArray>> models, INDArray examples, LongSupplier clock) {
        requireNonNull(models, "models");
        requireNonNull(examples, "examples");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("give at least one model to measure, by name");
        }
        if (examples.rank() < 2 || examples.size(0) == 0) {
            throw new IllegalArgumentException("examples must hold at least one row, got shape "
                    + Arrays.toString(examples.shape()));
        }
        List<String> names = new ArrayList<>(models.keySet());
        List<UnaryOperator<INDArray>> fns = new ArrayList<>();
        names.forEach(n -> fns.add(requireNonNull(models.get(n), n)));
        int m = names.size();
        List<LatencyReport.Row> rows = new ArrayList<>();
        Map<String, double[]> ratios = new LinkedHashMap<>();
        for (int batch : batchSizes) {
            INDArray x = batch(examples, batch);
            for (int i = 0; i < warmup; i++) {
                for (UnaryOperator<INDArray> f : fns) {
                    f.apply(x);
                }
            }
            long[][] nanos = new long[m][calls];
            for (int c = 0; c < calls; c++) {
                for (int k = 0; k < m; k++) {
                    int j = (c + k) % m;
                    long t0 = clock.getAsLong();
                    fns.get(j).apply(x);
                    nanos[j][c] = clock.getAsLong() - t0;
                }
            }
            for (int j = 0; j < m; j++) {
                double[] micros = Arrays.stream(nanos[j]).mapToDouble(t -> t / 1e3).toArray();
                double total = Arrays.stream(micros).sum();
                rows.add(new LatencyReport.Row(names.get(j), batch, percentile(micros, 50), percentile(micros, 95),
                        percentile(micros, 99), batch * calls / (total / 1e6)));
                for (int k = 0; k < m; k++) {
                    double[] r = new double[calls];
                    for (int c = 0; c < calls; c++) {
                        r[c] = (double) nanos[j][c] / Math.max(1, nanos[k][c]);
                    }
                    ratios.put(LatencyReport.key(names.get(j), names.get(k), batch), new double[] {percentile(r, 50)});
                }
            }
        }
        Map<String, Double> medianRatios = new LinkedHashMap<>();
        ratios.forEach((k, v) -> medianRatios.put(k, v[0]));
        return new LatencyReport(rows, medianRatios, warmup, calls, Provenance.currentBackend(),
                Runtime.getRuntime().availableProcessors(), threadSettings());
    }

    /** {@code batch} rows of {@code examples}, cycled, as one new array. */
    static INDArray batch(INDArray examples, int batch) {
        long n = examples.size(0);
        int[] rows = new int[batch];
        Arrays.setAll(rows, i -> (int) (i % n));
        long[] shape = examples.shape().clone();
        shape[0] = batch;
        INDArray flat = examples.reshape('c', n, examples.length() / n);
        return Nd4j.pullRows(flat, 1, rows).reshape('c', shape);
    }

    /**
     * The {@code q}-th percentile with linear interpolation between closest ranks (NumPy's default,
     * {@code numpy.percentile(values, q)}).
     */
    static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = q / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    /** The thread settings of the environment that shape latency. */
    static String threadSettings() {
        StringBuilder b = new StringBuilder();
        for (String k : List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT")) {
            String v = System.getenv(k);
            b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v == null ? "(unset)" : v);
        }
        return b.toString();
    }
}
