package dev.attune.internal.bert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.attune.BertEncoderParityTest;
import dev.attune.internal.math.FlatArray;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pooled-embedding inference of all-MiniLM-L6-v2 in one JVM: the written-out pass ({@link BertForward}),
 * the SameDiff graph it replaced, and ONNX Runtime on the same ONNX file (its last hidden state: it
 * does not pool), at batch 1 and 32 of 64 tokens, in alternating rounds, with medians and the load
 * average before and after. Also the matrix products alone, as the pass calls them (same shapes, same
 * BLAS calls), for their GFLOP/s and their share of the time. A measurement to run by hand, not a test:
 * {@code java -cp <core test class path> dev.attune.internal.bert.BertInferenceThroughput [rounds]}.
 */
public final class BertInferenceThroughput {
    private static final int LENGTH = 64;

    private BertInferenceThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        byte[] bytes;
        try (InputStream in = BertInferenceThroughput.class.getResourceAsStream(BertEncoderParityTest.MODEL)) {
            bytes = in.readAllBytes();
        }
        OnnxBertWeights.Loaded loaded = OnnxBertWeights.load(OnnxModel.read(bytes, "model"), "model");
        BertConfig c = loaded.config();
        BertGraph g = BertGraph.build(c, loaded.weights(), DataType.FLOAT, BertGraph.Lookup.GATHER);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double loadBefore = load();
        System.out.printf(Locale.ROOT, "all-MiniLM-L6-v2, %d tokens, %d rounds, %d cores, OMP_NUM_THREADS=%s%n", LENGTH,
                rounds, Runtime.getRuntime().availableProcessors(), System.getenv("OMP_NUM_THREADS"));
        try (OrtSession session = env.createSession(bytes, new OrtSession.SessionOptions())) {
            for (int batch : new int[] {1, 32}) {
                long[][] ids = ids(batch);
                long[][] ones = new long[batch][LENGTH];
                for (long[] r : ones) {
                    Arrays.fill(r, 1);
                }
                INDArray idArray = Nd4j.createFromArray(ids);
                INDArray mask = Nd4j.createFromArray(ones).castTo(DataType.FLOAT);
                try (OnnxTensor i = OnnxTensor.createTensor(env, ids);
                        OnnxTensor m = OnnxTensor.createTensor(env, ones);
                        OnnxTensor t = OnnxTensor.createTensor(env, new long[batch][LENGTH])) {
                    Map<String, OnnxTensor> in = Map.of("input_ids", i, "attention_mask", m, "token_type_ids", t);
                    Map<String, Runnable> variants = new LinkedHashMap<>();
                    variants.put("written-out", () -> g.pooled(idArray, mask));
                    variants.put("one thread", () -> {
                        RowThreads.twoThreads = false; // no work handed to the helper thread
                        try {
                            g.pooled(idArray, mask);
                        } finally {
                            RowThreads.twoThreads = true;
                        }
                    });
                    variants.put("SameDiff", () -> g.run(idArray, mask, BertGraph.POOLED));
                    variants.put("ONNX Runtime", () -> {
                        try {
                            session.run(in).close();
                        } catch (ai.onnxruntime.OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    Products products = new Products(c, batch, LENGTH);
                    variants.put("products only", products::run);
                    Map<String, double[]> ms = time(variants, rounds);
                    double flops = products.flops();
                    System.out.printf(Locale.ROOT, "batch %d x %d: %.2f GFLOP of matrix products per pass%n", batch, LENGTH,
                            flops / 1e9);
                    ms.forEach((name, t2) -> System.out.printf(Locale.ROOT,
                            "  %-15s median %8.2f ms (min %8.2f, max %8.2f)  %7.1f sequences/s  %6.1f GFLOP/s%n", name,
                            median(t2), min(t2), max(t2), batch / (median(t2) / 1e3), flops / (median(t2) / 1e3) / 1e9));
                    double ours = median(ms.get("written-out"));
                    System.out.printf(Locale.ROOT, "  written-out / ONNX Runtime speed %.2f, / SameDiff %.2f;"
                                    + " products %.0f%% of the written-out time%n", median(ms.get("ONNX Runtime")) / ours,
                            median(ms.get("SameDiff")) / ours, 100 * median(ms.get("products only")) / ours);
                }
            }
        }
        System.out.printf(Locale.ROOT, "load average %.2f before, %.2f after%n", loadBefore, load());
    }

    /**
     * Each variant once per round, in turn, after warm-up rounds (5 s and at least two, so that the JIT
     * has compiled the passes' loops at batch 1 too), a pause after each: milliseconds per round.
     */
    static Map<String, double[]> time(Map<String, Runnable> variants, int rounds) {
        long warm = System.nanoTime();
        for (int w = 0; w < 2 || System.nanoTime() - warm < 5e9; w++) { // until compiled: 5 s and 2 rounds at least
            variants.values().forEach(Runnable::run);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        variants.keySet().forEach(k -> out.put(k, new double[rounds]));
        List<String> names = new ArrayList<>(variants.keySet());
        for (int r = 0; r < rounds; r++) {
            for (int v = 0; v < names.size(); v++) {
                String name = names.get((v + r) % names.size()); // rotate the order too
                long t0 = System.nanoTime();
                variants.get(name).run();
                out.get(name)[r] = (System.nanoTime() - t0) / 1e6;
                settle();
            }
        }
        return out;
    }

    /**
     * A pause between two timings, so that threads still spinning after one variant (ONNX Runtime's pool
     * spins a while after each run) do not take the cores from the next.
     */
    private static void settle() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The pass's matrix products alone, on arrays of its shapes (random weights: timing only). */
    private static final class Products {
        private final BertConfig c;
        private final int batch;
        private final int len;
        private final FlatArray x;
        private final FlatArray out;
        private final FlatArray inner;
        private final FlatArray w;
        private final FlatArray w1;
        private final FlatArray w2;
        private final FlatArray scores;

        Products(BertConfig c, int batch, int len) {
            this.c = c;
            this.batch = batch;
            this.len = len;
            int rows = batch * len;
            int h = c.hiddenSize();
            int i = c.intermediateSize();
            x = FlatArray.of(Nd4j.rand(DataType.FLOAT, rows, h));
            out = FlatArray.of(Nd4j.rand(DataType.FLOAT, rows, h));
            inner = FlatArray.of(Nd4j.rand(DataType.FLOAT, rows, i));
            w = FlatArray.of(Nd4j.rand(DataType.FLOAT, h, h));
            w1 = FlatArray.of(Nd4j.rand(DataType.FLOAT, h, i));
            w2 = FlatArray.of(Nd4j.rand(DataType.FLOAT, i, h));
            scores = FlatArray.of(Nd4j.rand(DataType.FLOAT, c.numHeads(), len, len));
        }

        double flops() {
            long rows = (long) batch * len;
            long h = c.hiddenSize();
            long dense = rows * (4 * h * h + 2 * h * c.intermediateSize());
            long attention = (long) batch * c.numHeads() * 2L * len * len * c.headSize();
            return 2.0 * c.numLayers() * (dense + attention);
        }

        void run() {
            int rows = batch * len;
            int h = c.hiddenSize();
            int i = c.intermediateSize();
            int size = c.headSize();
            for (int n = 0; n < c.numLayers(); n++) {
                for (int p = 0; p < 3; p++) {
                    FlatArray.gemm(false, false, rows, h, h, 1, x, 0, h, w, 0, h, 0, out, 0, h);
                }
                for (int b = 0; b < batch; b++) {
                    long first = (long) b * len * h;
                    for (int hd = 0; hd < c.numHeads(); hd++) {
                        FlatArray.gemm(false, true, len, len, size, 1, x, first + (long) hd * size, h, out,
                                first + (long) hd * size, h, 0, scores, (long) hd * len * len, len);
                    }
                    for (int hd = 0; hd < c.numHeads(); hd++) {
                        FlatArray.gemm(false, false, len, size, len, 1, scores, (long) hd * len * len, len, x,
                                first + (long) hd * size, h, 0, out, first + (long) hd * size, h);
                    }
                }
                FlatArray.gemm(false, false, rows, h, h, 1, x, 0, h, w, 0, h, 0, out, 0, h);
                FlatArray.gemm(false, false, rows, i, h, 1, x, 0, h, w1, 0, i, 0, inner, 0, i);
                FlatArray.gemm(false, false, rows, h, i, 1, inner, 0, i, w2, 0, h, 0, out, 0, h);
            }
        }
    }

    static long[][] ids(int batch) {
        Random rng = new Random(1);
        long[][] ids = new long[batch][LENGTH];
        for (long[] row : ids) {
            for (int j = 0; j < LENGTH; j++) {
                row[j] = j == 0 ? 101 : j == LENGTH - 1 ? 102 : 1000 + rng.nextInt(29000);
            }
        }
        return ids;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
