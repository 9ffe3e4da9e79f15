package dev.attune.benchmarks;

import dev.attune.AdaptedNetwork;
import dev.attune.MultiAdapterNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.internal.dl4j.DenseRows;
import dev.attune.internal.multi.Gather;
import dev.attune.internal.multi.RowsAdapter;
import dev.attune.internal.multi.RowsBank;
import dev.attune.spi.AdapterWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Many LoRA adapters on one base in mixed batches: the peer benchmark's MLP 784-1024-1024-10 with a
 * rank-8 LoRA adapter on every layer, 1, 10 and 100 adapters, each request a batch of rows whose
 * adapters are drawn at random. Served side by side, under the same bounded closed-loop load (a fixed
 * number of clients, each sending its next request when the last is answered, for a fixed time): one
 * merged model (every row through one adapter folded into the weights), by {@code Network.output} and by
 * the lock-free per-row pass with every row on the base, each with 1 and with the given clients (the
 * fastest of the four is the reference of the ratios), the multi-adapter
 * network (each row's update as two BLAS matrix-vector products, in the batch's own order), the same
 * with two products per group of rows of one adapter instead (SGMV), with each row's {@code A}
 * and {@code B} gathered into {@code [rows, in, r]} tensors (BGMV), and one {@code AdaptedNetwork} that
 * switches adapters between the request's per-adapter sub-batches. Prints throughput and p50/p95/p99
 * latency and the load average before and after, and writes {@code target/attune/multi-adapter/results.json}.
 *
 * <p>Arguments: seconds per condition (8), rows per request (32), clients (2).
 */
public final class MultiAdapterJob {
    static final Path RESULTS = Path.of("target/attune/multi-adapter/results.json");
    private static final int[] COUNTS = {1, 10, 100};

    private MultiAdapterJob() {
    }

    /** Runs every condition in turn and writes the results. */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 8;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        System.out.println("load average before: " + loadBefore);

        MultiLayerNetwork mln = PeerBenchmark.mlp(3);
        Network base = Network.of(mln);
        AdapterWeights template = AdaptedNetwork.of(base)
                .add("new", Lora.rank(8).alpha(16).targets("dense0", "dense1", "out"), 1).adapter("new");
        List<String> names = new ArrayList<>();
        Map<String, AdapterWeights> adapters = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            // Trained-looking adapters: random A and B, so that every adapter path does real work.
            Nd4j.getRandom().setSeed(100 + i);
            Map<String, INDArray> t = new LinkedHashMap<>();
            template.tensors().forEach((k, v) -> t.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5).muli(0.01)));
            String name = "a" + i;
            names.add(name);
            adapters.put(name, new AdapterWeights(template.method(), null, t, template.baseFingerprint(), Map.of()));
        }
        MultiAdapterNetwork multi = MultiAdapterNetwork.of(base);
        adapters.forEach(multi::put);
        DenseRows gatheredModel = DenseRows.of(mln, Gather.GATHERED);
        List<RowsAdapter> prepared = new ArrayList<>();
        adapters.forEach((n, w) -> prepared.add(gatheredModel.prepare(n, w, w.method().lowRank().orElseThrow())));
        RowsBank gathered = gatheredModel.bank(prepared);
        DenseRows segmentsModel = DenseRows.of(mln, Gather.SEGMENTS);
        List<RowsAdapter> preparedSegments = new ArrayList<>();
        adapters.forEach((n, w) -> preparedSegments.add(segmentsModel.prepare(n, w, w.method().lowRank().orElseThrow())));
        RowsBank segments = segmentsModel.bank(preparedSegments);
        Network merged = AdaptedNetwork.of(base).add("a0", adapters.get("a0")).merge().toNetwork();

        // The merged model by its two paths: Network.output (DL4J serialises a network's output calls, so
        // two clients take turns) and the lock-free per-row pass with every row on the base (no adapter).
        MultiAdapterNetwork mergedRows = MultiAdapterNetwork.of(merged);
        List<Map<String, Object>> rows = new ArrayList<>();
        Requests single = Requests.of(batch, 1, 7);
        for (int c : clients == 1 ? new int[] {1} : new int[] {1, clients}) {
            rows.add(measure("merged, Network.output", 1, seconds, c, batch, i -> merged.output(single.features(i))));
            rows.add(measure("merged, lock-free per-row pass", 1, seconds, c, batch,
                    i -> mergedRows.output(single.features(i), (String) null)));
        }
        int mergedConditions = rows.size();
        for (int count : COUNTS) {
            Requests r = Requests.of(batch, count, 7 + count);
            rows.add(measure("multi-adapter", count, seconds, clients, batch,
                    i -> multi.output(r.features(i), r.names(i))));
            rows.add(measure("multi-adapter (segments only)", count, seconds, clients, batch,
                    i -> segments.output(r.features(i), r.slots(i))));
            rows.add(measure("multi-adapter (gathered rows)", count, seconds, clients, batch,
                    i -> gathered.output(r.features(i), r.slots(i))));
            AdaptedNetwork switching = AdaptedNetwork.of(base);
            for (int k = 0; k < count; k++) {
                switching.add(names.get(k), adapters.get(names.get(k)));
            }
            rows.add(measure("switching adapters", count, seconds, clients, batch, i -> {
                for (Map.Entry<String, INDArray> g : r.groups(i).entrySet()) {
                    synchronized (switching) {
                        switching.activate(g.getKey()).output(g.getValue());
                    }
                }
            }));
        }
        Map<String, Object> loadAfter = RunEnvironment.loadAverage();

        System.out.printf(Locale.ROOT, "%nmulti-adapter serving: MLP 784-1024-1024-10, LoRA r=8 on every layer, %d rows per"
                + " request, %d closed-loop clients, %.0f s per condition%n%n", batch, clients, seconds);
        System.out.println("| condition | adapters | clients | requests | rows/s | p50 ms | p95 ms | p99 ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Map<String, Object> m : rows) {
            System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.2f | %.2f | %.2f |%n", m.get("condition"),
                    m.get("adapters"), m.get("clients"), m.get("requests"), m.get("rowsPerSecond"), m.get("p50Ms"),
                    m.get("p95Ms"), m.get("p99Ms"));
        }
        // The reference is the merged model's best figure, whichever path and number of clients gave it.
        Map<String, Object> best = rows.get(0);
        for (Map<String, Object> m : rows.subList(0, mergedConditions)) {
            if ((double) m.get("rowsPerSecond") > (double) best.get("rowsPerSecond")) {
                best = m;
            }
        }
        double reference = (double) best.get("rowsPerSecond");
        System.out.printf(Locale.ROOT, "reference: %s, %s clients, %.0f rows/s%n", best.get("condition"), best.get("clients"),
                reference);
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (Map<String, Object> m : rows) {
            if (m == best) {
                continue;
            }
            String key = m.get("condition") + " x" + m.get("adapters") + ", " + m.get("clients") + " clients / best merged";
            ratios.put(key, (double) m.get("rowsPerSecond") / reference);
            System.out.printf(Locale.ROOT, "throughput %s: %.3f%n", key, (double) m.get("rowsPerSecond") / reference);
        }
        System.out.println("load average after: " + loadAfter);

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("job", "multi-adapter");
        results.put("model", "MLP 784-1024-1024-10, LoRA r=8 alpha 16 on dense0, dense1, out; random adapters");
        results.put("rowsPerRequest", batch);
        results.put("clients", clients);
        results.put("secondsPerCondition", seconds);
        results.put("conditions", rows);
        results.put("reference", best.get("condition") + ", " + best.get("clients") + " clients");
        results.put("throughputRatios", ratios);
        results.put("environment", RunEnvironment.environment(loadBefore, loadAfter));
        RunEnvironment.write(RESULTS, results);
        System.out.println("results: " + RESULTS.toAbsolutePath());
    }

    /** Sixteen requests of {@code batch} random rows, each row's adapter drawn from the first {@code count}. */
    private record Requests(INDArray[] features, List<List<String>> names, int[][] slots,
                            List<Map<String, INDArray>> groups) {
        static Requests of(int batch, int count, long seed) {
            Random r = new Random(seed);
            Nd4j.getRandom().setSeed(seed);
            int n = 16;
            INDArray[] x = new INDArray[n];
            List<List<String>> names = new ArrayList<>();
            int[][] slots = new int[n][];
            List<Map<String, INDArray>> groups = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                x[i] = Nd4j.rand(DataType.FLOAT, batch, 784);
                slots[i] = new int[batch];
                List<String> perRow = new ArrayList<>();
                Map<String, List<Integer>> byName = new LinkedHashMap<>();
                for (int j = 0; j < batch; j++) {
                    slots[i][j] = r.nextInt(count);
                    perRow.add("a" + slots[i][j]);
                    byName.computeIfAbsent("a" + slots[i][j], k -> new ArrayList<>()).add(j);
                }
                names.add(perRow);
                Map<String, INDArray> g = new LinkedHashMap<>();
                INDArray xi = x[i];
                byName.forEach((k, v) -> g.put(k, Nd4j.pullRows(xi, 1, v.stream().mapToInt(Integer::intValue).toArray())));
                groups.add(g);
            }
            return new Requests(x, names, slots, groups);
        }

        INDArray features(int i) {
            return features[i % features.length];
        }

        List<String> names(int i) {
            return names.get(i % features.length);
        }

        int[] slots(int i) {
            return slots[i % features.length];
        }

        Map<String, INDArray> groups(int i) {
            return groups.get(i % features.length);
        }
    }

    /**
     * A bounded closed loop: {@code clients} threads, each sending request after request (the request's
     * index to {@code call}) for one second of warm-up, then for {@code seconds} measured.
     */
    static Map<String, Object> measure(String condition, int adapters, double seconds, int clients, int batch,
                                       IntConsumer call) throws InterruptedException {
        run(1.0, clients, call, null);
        List<long[]> latencies = new ArrayList<>();
        long start = System.nanoTime();
        run(seconds, clients, call, latencies);
        double elapsed = (System.nanoTime() - start) / 1e9;
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("condition", condition);
        m.put("adapters", adapters);
        m.put("clients", clients);
        m.put("requests", all.length);
        m.put("rowsPerSecond", all.length * (double) batch / elapsed);
        m.put("p50Ms", percentile(all, 0.50));
        m.put("p95Ms", percentile(all, 0.95));
        m.put("p99Ms", percentile(all, 0.99));
        System.out.printf(Locale.ROOT, "%s x%d, %d clients: %d requests, %.0f rows/s, p50 %.2f ms, p99 %.2f ms%n", condition,
                adapters, clients,
                all.length, m.get("rowsPerSecond"), m.get("p50Ms"), m.get("p99Ms"));
        return m;
    }

    private static void run(double seconds, int clients, IntConsumer call, List<long[]> out) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<long[]> results = new ArrayList<>();
        RuntimeException[] failure = new RuntimeException[1];
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                long[] buf = new long[1024];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        call.accept((int) next.getAndIncrement());
                        long took = System.nanoTime() - t0;
                        if (n == buf.length) {
                            buf = Arrays.copyOf(buf, n * 2);
                        }
                        buf[n++] = took;
                    }
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
                synchronized (results) {
                    results.add(Arrays.copyOf(buf, n));
                }
            }, "client-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        if (out != null) {
            out.addAll(results);
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e6;
    }
}
