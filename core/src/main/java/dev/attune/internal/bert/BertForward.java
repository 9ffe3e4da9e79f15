package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mean-pooled embeddings of a BERT encoder computed without SameDiff: the function of
 * {@link BertGraph} (embeddings, masked multi-head attention, exact GELU feed-forward, residuals, layer
 * norms, LoRA on the adapted projections, mean pooling), for inference only, so nothing is kept for a
 * backward pass. Every matrix product is one row-major BLAS call on the activations where they lie
 * (per sequence and head for attention, at offsets into the projections, no copies); the row work
 * between products is fused into single passes in plain loops: bias, bias + GELU, bias + residual +
 * layer norm, and scale + mask + softmax. In double, {@code erf} runs as one ND4J op per layer. It needs
 * ND4J's CPU backend ({@link #supports}); elsewhere callers run the graph.
 *
 * <p>The activations live in arrays kept for the next call of the same batch shape; sequences go
 * through in chunks of at most {@value #MAX_ROWS} token rows. Not thread-safe: callers serialise.
 */
final class BertForward {
    /** Token rows per chunk: bounds the activations' memory however many sequences a call gets. */
    static final int MAX_ROWS = 4096;
    /** Row work of fewer elements stays on the calling thread. */
    private static final long SPLIT_ELEMENTS = 262_144;
    /**
     * Whether large row work is split over two threads. Off: on the shared 2-core machine it was
     * measured on (load average 8 to 10), handing half the rows to a second thread made batch 32
     * slower (median 2.4 s against 1.7 s a pass), the helper waiting for a core. A switch for measurements.
     */
    static volatile boolean splitRows = false;
    /** The second thread for row work, on a machine with more than one core; {@code null} on one core. */
    private static final java.util.concurrent.ExecutorService HELPER = Runtime.getRuntime().availableProcessors() < 2 ? null
            : java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "attune-bert-rows");
                t.setDaemon(true);
                return t;
            });

    private final BertConfig c;
    private final DataType dt;
    private Activations act;

    /** Whether the pass computes in this type (float and double; other types run the SameDiff graph). */
    static boolean supports(DataType type) {
        return (type == DataType.FLOAT || type == DataType.DOUBLE) && FlatArray.available();
    }

    BertForward(BertConfig config, DataType dataType) {
        this.c = config;
        this.dt = dataType;
    }

    /**
     * The mean-pooled last hidden states {@code [n, hidden]} of the model's data type.
     *
     * @param t the encoder's tensors (contiguous, of {@link BertGraph#parameterShapes}; with LoRA each
     *     adapted module's {@code lora_A} and {@code lora_B})
     * @param adapted the modules whose adapter path runs (adapters not merged into their weight)
     * @param scale the adapters' scale
     * @param ids {@code [n, seqLen]} token ids, checked by the caller
     * @param mask {@code [n, seqLen]} 0/1, at least one token per row, checked by the caller
     */
    INDArray pooled(Map<String, INDArray> t, Set<String> adapted, double scale, INDArray ids, INDArray mask) {
        int n = (int) ids.size(0);
        int len = (int) ids.size(1);
        int[][] id = ids.toIntMatrix();
        double[][] m = mask.toDoubleMatrix();
        Weights w = new Weights(t, adapted, scale);
        INDArray out = Nd4j.create(dt, n, c.hiddenSize());
        FlatArray pooled = FlatArray.of(out);
        int chunk = Math.max(1, Math.min(n, MAX_ROWS / len));
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            Activations a = activations(to - from, len);
            encode(w, a, id, m, from, to);
            pool(a, m, from, to, pooled);
        }
        return out;
    }

    private Activations activations(int batch, int len) {
        if (act == null || act.batch != batch || act.len != len) {
            act = new Activations(batch, len);
        }
        return act;
    }

    /** The tensors of one call, wrapped once. */
    private final class Weights {
        private final Map<String, INDArray> t;
        private final Set<String> adapted;
        private final double scale;
        private final Map<String, FlatArray> wrapped = new java.util.HashMap<>();

        Weights(Map<String, INDArray> t, Set<String> adapted, double scale) {
            this.t = t;
            this.adapted = adapted;
            this.scale = scale;
        }

        /** A vector tensor's first {@code n} values. */
        double[] vector(String name, int n) {
            double[] v = new double[n];
            get(name).read(0, v, n);
            return v;
        }

        FlatArray get(String name) {
            return wrapped.computeIfAbsent(name, k -> {
                INDArray x = t.get(k);
                if (x == null) {
                    throw new IllegalStateException("the encoder has no tensor '" + k + "'");
                }
                return FlatArray.of(x.dataType() == dt ? x : x.castTo(dt));
            });
        }
    }

    /** The work arrays of one batch shape. */
    private final class Activations {
        final int batch;
        final int len;
        final int rows;
        final FlatArray x;
        final FlatArray q;
        final FlatArray k;
        final FlatArray v;
        final FlatArray context;
        final FlatArray attended;
        final FlatArray dense;
        final FlatArray inner;
        final FlatArray erf;
        final FlatArray scores;
        final FlatArray down;
        final Scratch[] scratch;

        Activations(int batch, int len) {
            this.batch = batch;
            this.len = len;
            this.rows = batch * len;
            int h = c.hiddenSize();
            x = FlatArray.create(dt, rows, h);
            q = FlatArray.create(dt, rows, h);
            k = FlatArray.create(dt, rows, h);
            v = FlatArray.create(dt, rows, h);
            context = FlatArray.create(dt, rows, h);
            attended = FlatArray.create(dt, rows, h);
            dense = FlatArray.create(dt, rows, h);
            inner = FlatArray.create(dt, rows, c.intermediateSize());
            erf = dt == DataType.DOUBLE ? FlatArray.create(dt, rows, c.intermediateSize()) : null; // float: erf in Java
            scores = FlatArray.create(dt, c.numHeads(), len, len);
            down = FlatArray.create(dt, rows, Math.max(c.hiddenSize(), c.intermediateSize()));
            int width = Math.max(Math.max(c.hiddenSize(), c.intermediateSize()), len);
            scratch = new Scratch[] {new Scratch(width), new Scratch(width)};
        }
    }

    private void encode(Weights w, Activations a, int[][] id, double[][] m, int from, int to) {
        int h = c.hiddenSize();
        int len = a.len;
        boolean f = dt == DataType.FLOAT;
        // Embeddings: (word + position) + token type 0, then the layer norm, one pass per row.
        FlatArray words = w.get(BertGraph.WORDS);
        FlatArray positions = w.get("embeddings.position_embeddings.weight");
        double[] type = w.vector("embeddings.token_type_embeddings.weight", h);
        double[] gain = w.vector("embeddings.LayerNorm.weight", h);
        double[] beta = w.vector("embeddings.LayerNorm.bias", h);
        double eps = c.layerNormEps();
        rows(a, a.rows, h, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                int b = from + r / len;
                int l = r % len;
                words.read(id[b][l] * h, s.a, h);
                positions.read(l * h, s.b, h);
                double[] x = s.a;
                double[] p = s.b;
                for (int j = 0; j < h; j++) {
                    x[j] = round(round(x[j] + p[j], f) + type[j], f);
                }
                layerNorm(x, h, gain, beta, eps);
                a.x.write(r * h, x, h);
            }
        });
        double[][] additive = new double[to - from][len];
        for (int b = from; b < to; b++) {
            for (int l = 0; l < len; l++) {
                additive[b - from][l] = round((1 - m[b][l]) * BertGraph.MASK_VALUE, f);
            }
        }
        for (int n = 0; n < c.numLayers(); n++) {
            layer(w, a, "encoder." + n + ".", additive);
        }
    }

    private void layer(Weights w, Activations a, String p, double[][] additive) {
        int h = c.hiddenSize();
        int len = a.len;
        int heads = c.numHeads();
        int size = c.headSize();
        boolean f = dt == DataType.FLOAT;
        dense(w, a, a.x, p + "attention.self.query", a.q, h, h);
        dense(w, a, a.x, p + "attention.self.key", a.k, h, h);
        dense(w, a, a.x, p + "attention.self.value", a.v, h, h);
        double[] bq = w.vector(p + "attention.self.query.bias", h);
        double[] bk = w.vector(p + "attention.self.key.bias", h);
        double[] bv = w.vector(p + "attention.self.value.bias", h);
        rows(a, a.rows, 3 * h, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                addBias(a.q, bq, r * h, h, s.a, f);
                addBias(a.k, bk, r * h, h, s.a, f);
                addBias(a.v, bv, r * h, h, s.a, f);
            }
        });

        double alpha = round(1 / Math.sqrt(size), f);
        for (int b = 0; b < a.batch; b++) {
            long first = (long) b * len * h;
            for (int hd = 0; hd < heads; hd++) {
                FlatArray.gemm(false, true, len, len, size, alpha, a.q, first + (long) hd * size, h, a.k,
                        first + (long) hd * size, h, 0, a.scores, (long) hd * len * len, len);
            }
            double[] mask = additive[b];
            rows(a, heads * len, len, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    a.scores.read(r * len, s.a, len);
                    softmax(s.a, len, mask, f);
                    a.scores.write(r * len, s.a, len);
                }
            });
            for (int hd = 0; hd < heads; hd++) {
                FlatArray.gemm(false, false, len, size, len, 1, a.scores, (long) hd * len * len, len, a.v,
                        first + (long) hd * size, h, 0, a.context, first + (long) hd * size, h);
            }
        }

        dense(w, a, a.context, p + "attention.output.dense", a.dense, h, h);
        biasResidualNorm(a, a.dense, w.vector(p + "attention.output.dense.bias", h), a.x,
                w.vector(p + "attention.output.LayerNorm.weight", h), w.vector(p + "attention.output.LayerNorm.bias", h),
                a.attended);

        int inner = c.intermediateSize();
        dense(w, a, a.attended, p + "intermediate.dense", a.inner, h, inner);
        double[] b1 = w.vector(p + "intermediate.dense.bias", inner);
        double invSqrt2 = round(1 / Math.sqrt(2.0), f);
        if (f) {
            // GELU in float: x (1 + erf(x / sqrt 2)) / 2 on x = z + b in one pass, erf to float accuracy.
            rows(a, a.rows, inner, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    a.inner.read(r * inner, s.a, inner);
                    double[] y = s.a;
                    for (int j = 0; j < inner; j++) {
                        double x = round(y[j] + b1[j], true);
                        y[j] = x * (1 + erf(x * invSqrt2)) * 0.5;
                    }
                    a.inner.write(r * inner, y, inner);
                }
            });
        } else {
            // In double, erf as one ND4J op (libnd4j's, exact to double) between two row passes.
            rows(a, a.rows, inner, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    a.inner.read(r * inner, s.a, inner);
                    double[] y = s.a;
                    double[] t = s.b;
                    for (int j = 0; j < inner; j++) {
                        y[j] += b1[j];
                        t[j] = y[j] * invSqrt2;
                    }
                    a.inner.write(r * inner, y, inner);
                    a.erf.write(r * inner, t, inner);
                }
            });
            Nd4j.exec(new Erf(a.erf.array(), a.erf.array()));
            rows(a, a.rows, inner, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    a.inner.read(r * inner, s.a, inner);
                    a.erf.read(r * inner, s.b, inner);
                    double[] y = s.a;
                    double[] e = s.b;
                    for (int j = 0; j < inner; j++) {
                        y[j] = y[j] * (e[j] + 1) * 0.5;
                    }
                    a.inner.write(r * inner, y, inner);
                }
            });
        }
        dense(w, a, a.inner, p + "output.dense", a.dense, inner, h);
        biasResidualNorm(a, a.dense, w.vector(p + "output.dense.bias", h), a.attended,
                w.vector(p + "output.LayerNorm.weight", h), w.vector(p + "output.LayerNorm.bias", h), a.x);
    }

    /** {@code out = in W} ({@code [rows, width]}), plus {@code (s in A^T) B^T} on an adapted module; no bias. */
    private void dense(Weights w, Activations a, FlatArray in, String module, FlatArray out, int inWidth, int width) {
        int rows = a.rows;
        FlatArray.gemm(false, false, rows, width, inWidth, 1, in, 0, inWidth, w.get(module + ".weight"), 0, width, 0,
                out, 0, width);
        if (w.adapted.contains(module)) {
            FlatArray la = w.get(module + ".lora_A"); // [r, in]
            int r = (int) la.array().size(0);
            FlatArray.gemm(false, true, rows, r, inWidth, w.scale, in, 0, inWidth, la, 0, inWidth, 0, a.down, 0, r);
            FlatArray.gemm(false, true, rows, width, r, 1, a.down, 0, r, w.get(module + ".lora_B"), 0, r, 1, out, 0,
                    width);
        }
    }

    private static void addBias(FlatArray x, double[] bias, int at, int width, double[] row, boolean f) {
        x.read(at, row, width);
        for (int j = 0; j < width; j++) {
            row[j] = round(row[j] + bias[j], f);
        }
        x.write(at, row, width);
    }

    /** {@code out = layerNorm((z + bias) + residual)}, one row at a time. */
    private void biasResidualNorm(Activations a, FlatArray z, double[] bias, FlatArray residual, double[] gain,
                                  double[] beta, FlatArray out) {
        int h = c.hiddenSize();
        boolean f = dt == DataType.FLOAT;
        double eps = c.layerNormEps();
        rows(a, a.rows, h, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                z.read(r * h, s.a, h);
                residual.read(r * h, s.b, h);
                double[] x = s.a;
                double[] res = s.b;
                for (int j = 0; j < h; j++) {
                    x[j] = round(round(x[j] + bias[j], f) + res[j], f);
                }
                layerNorm(x, h, gain, beta, eps);
                out.write(r * h, x, h);
            }
        });
    }

    /** The layer norm of {@code row[0, width)} in place (biased variance, as PyTorch's). */
    private static void layerNorm(double[] row, int width, double[] gain, double[] beta, double eps) {
        double sum = 0;
        for (int j = 0; j < width; j++) {
            sum += row[j];
        }
        double mean = sum / width;
        double squares = 0;
        for (int j = 0; j < width; j++) {
            double d = row[j] - mean;
            squares += d * d;
        }
        double sd = Math.sqrt(squares / width + eps);
        for (int j = 0; j < width; j++) {
            row[j] = (row[j] - mean) / sd * gain[j] + beta[j];
        }
    }

    /**
     * {@code erf(x)} to float accuracy without {@code exp}: the rational fit on {@code [-4, 4]} that
     * Eigen and TensorFlow use for float ({@code x P(x^2) / Q(x^2)}), saturating to 1 beyond.
     */
    static double erf(double x) {
        double z = Math.max(-4, Math.min(4, x));
        double z2 = z * z;
        double p = -2.72614225801306e-10;
        p = p * z2 + 2.77068142495902e-08;
        p = p * z2 - 2.10102402082508e-06;
        p = p * z2 - 5.69250639462346e-05;
        p = p * z2 - 7.34990630326855e-04;
        p = p * z2 - 2.95459980854025e-03;
        p = p * z2 - 1.60960333262415e-02;
        double q = -1.45660718464996e-05;
        q = q * z2 - 2.13374055278905e-04;
        q = q * z2 - 1.68282697438203e-03;
        q = q * z2 - 7.37332916720468e-03;
        q = q * z2 - 1.42647390514189e-02;
        return z * p / q;
    }

    /** Softmax of one row of scores in place, the additive mask added first. */
    private static void softmax(double[] row, int width, double[] additive, boolean f) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < width; j++) {
            double x = round(row[j] + additive[j], f);
            row[j] = x;
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int j = 0; j < width; j++) {
            double e = Math.exp(row[j] - max);
            row[j] = e;
            sum += e;
        }
        for (int j = 0; j < width; j++) {
            row[j] /= sum;
        }
    }

    /** The mean of each sequence's last hidden states over the tokens its mask keeps. */
    private void pool(Activations a, double[][] m, int from, int to, FlatArray out) {
        int h = c.hiddenSize();
        double[] sum = new double[h];
        double[] row = new double[h];
        for (int b = from; b < to; b++) {
            java.util.Arrays.fill(sum, 0);
            double tokens = 0;
            for (int l = 0; l < a.len; l++) {
                double keep = m[b][l];
                if (keep == 0) {
                    continue;
                }
                tokens += keep;
                a.x.read(((b - from) * a.len + l) * h, row, h);
                for (int j = 0; j < h; j++) {
                    sum[j] += row[j] * keep;
                }
            }
            for (int j = 0; j < h; j++) {
                sum[j] /= tokens;
            }
            out.write(b * h, sum, h);
        }
    }

    /** Work on rows {@code [from, to)} with a thread's scratch rows. */
    @FunctionalInterface
    private interface RowTask {
        void run(int from, int to, Scratch scratch);
    }

    /** Rows of scratch space, one set per thread. */
    private static final class Scratch {
        final double[] a;
        final double[] b;

        Scratch(int width) {
            a = new double[width];
            b = new double[width];
        }
    }

    /**
     * Runs {@code task} over rows {@code [0, n)}: with {@link #splitRows}, split in two halves over this
     * thread and the helper thread when the work is large enough to pay for the hand-over
     * ({@value #SPLIT_ELEMENTS} elements; BLAS is idle meanwhile), else on this thread.
     */
    private static void rows(Activations a, int n, int width, RowTask task) {
        if (HELPER == null || !splitRows || (long) n * width < SPLIT_ELEMENTS || n < 2) {
            task.run(0, n, a.scratch[0]);
            return;
        }
        int mid = n / 2;
        java.util.concurrent.Future<?> other = HELPER.submit(() -> task.run(mid, n, a.scratch[1]));
        task.run(0, mid, a.scratch[0]);
        try {
            other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the row work of a BERT forward pass ran", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A value rounded to float when {@code f}, where the graph rounds between two operations. */
    private static double round(double v, boolean f) {
        return f ? (float) v : v;
    }
}
