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
 * layer norm, and scale + mask + softmax. Only {@code erf} runs as one ND4J op per layer. It needs
 * ND4J's CPU backend ({@link #supports}); elsewhere callers run the graph.
 *
 * <p>The activations live in arrays kept for the next call of the same batch shape; sequences go
 * through in chunks of at most {@value #MAX_ROWS} token rows. Not thread-safe: callers serialise.
 */
final class BertForward {
    /** Token rows per chunk: bounds the activations' memory however many sequences a call gets. */
    static final int MAX_ROWS = 4096;

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
            erf = FlatArray.create(dt, rows, c.intermediateSize());
            scores = FlatArray.create(dt, c.numHeads(), len, len);
            down = FlatArray.create(dt, rows, Math.max(c.hiddenSize(), c.intermediateSize()));
        }
    }

    private void encode(Weights w, Activations a, int[][] id, double[][] m, int from, int to) {
        int h = c.hiddenSize();
        int len = a.len;
        // Embeddings: (word + position) + token type 0, then the layer norm, one pass per row.
        FlatArray words = w.get(BertGraph.WORDS);
        FlatArray positions = w.get("embeddings.position_embeddings.weight");
        FlatArray types = w.get("embeddings.token_type_embeddings.weight");
        FlatArray gain = w.get("embeddings.LayerNorm.weight");
        FlatArray bias = w.get("embeddings.LayerNorm.bias");
        double[] row = new double[Math.max(h, len)];
        for (int b = from; b < to; b++) {
            for (int l = 0; l < len; l++) {
                int word = id[b][l] * h;
                int pos = l * h;
                for (int j = 0; j < h; j++) {
                    row[j] = round(round(words.get(word + j) + positions.get(pos + j)) + types.get(j));
                }
                layerNorm(row, h, gain, bias, a.x, ((b - from) * len + l) * h);
            }
        }
        double[][] additive = new double[to - from][len];
        for (int b = from; b < to; b++) {
            for (int l = 0; l < len; l++) {
                additive[b - from][l] = round((1 - m[b][l]) * BertGraph.MASK_VALUE);
            }
        }
        for (int n = 0; n < c.numLayers(); n++) {
            layer(w, a, "encoder." + n + ".", additive, row);
        }
    }

    private void layer(Weights w, Activations a, String p, double[][] additive, double[] row) {
        int h = c.hiddenSize();
        int rows = a.rows;
        int len = a.len;
        int heads = c.numHeads();
        int size = c.headSize();
        dense(w, a, a.x, p + "attention.self.query", a.q, h, h);
        dense(w, a, a.x, p + "attention.self.key", a.k, h, h);
        dense(w, a, a.x, p + "attention.self.value", a.v, h, h);
        addBias(a.q, w.get(p + "attention.self.query.bias"), rows, h);
        addBias(a.k, w.get(p + "attention.self.key.bias"), rows, h);
        addBias(a.v, w.get(p + "attention.self.value.bias"), rows, h);

        double alpha = round(1 / Math.sqrt(size));
        for (int b = 0; b < a.batch; b++) {
            long first = (long) b * len * h;
            for (int hd = 0; hd < heads; hd++) {
                FlatArray.gemm(false, true, len, len, size, alpha, a.q, first + (long) hd * size, h, a.k,
                        first + (long) hd * size, h, 0, a.scores, (long) hd * len * len, len);
            }
            softmax(a.scores, heads * len, len, additive[b], row);
            for (int hd = 0; hd < heads; hd++) {
                FlatArray.gemm(false, false, len, size, len, 1, a.scores, (long) hd * len * len, len, a.v,
                        first + (long) hd * size, h, 0, a.context, first + (long) hd * size, h);
            }
        }

        dense(w, a, a.context, p + "attention.output.dense", a.dense, h, h);
        biasResidualNorm(a.dense, w.get(p + "attention.output.dense.bias"), a.x, w.get(p + "attention.output.LayerNorm.weight"),
                w.get(p + "attention.output.LayerNorm.bias"), a.attended, rows, row);

        int inner = c.intermediateSize();
        dense(w, a, a.attended, p + "intermediate.dense", a.inner, h, inner);
        FlatArray b1 = w.get(p + "intermediate.dense.bias");
        double invSqrt2 = round(1 / Math.sqrt(2.0));
        for (int r = 0, i = 0; r < rows; r++) {
            for (int j = 0; j < inner; j++, i++) {
                double y = round(a.inner.get(i) + b1.get(j));
                a.inner.set(i, y);
                a.erf.set(i, y * invSqrt2);
            }
        }
        Nd4j.exec(new Erf(a.erf.array(), a.erf.array()));
        for (int i = 0, n = rows * inner; i < n; i++) {
            double y = a.inner.get(i);
            a.inner.set(i, round(round(y * round(a.erf.get(i) + 1)) * 0.5));
        }
        dense(w, a, a.inner, p + "output.dense", a.dense, inner, h);
        biasResidualNorm(a.dense, w.get(p + "output.dense.bias"), a.attended, w.get(p + "output.LayerNorm.weight"),
                w.get(p + "output.LayerNorm.bias"), a.x, rows, row);
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

    private void addBias(FlatArray x, FlatArray bias, int rows, int width) {
        for (int r = 0, i = 0; r < rows; r++) {
            for (int j = 0; j < width; j++, i++) {
                x.set(i, x.get(i) + bias.get(j));
            }
        }
    }

    /** {@code out = layerNorm((z + bias) + residual)}, one row at a time. */
    private void biasResidualNorm(FlatArray z, FlatArray bias, FlatArray residual, FlatArray gain, FlatArray beta,
                                  FlatArray out, int rows, double[] row) {
        int h = c.hiddenSize();
        for (int r = 0; r < rows; r++) {
            int at = r * h;
            for (int j = 0; j < h; j++) {
                row[j] = round(round(z.get(at + j) + bias.get(j)) + residual.get(at + j));
            }
            layerNorm(row, h, gain, beta, out, at);
        }
    }

    /** The layer norm of {@code row[0, width)} (biased variance, as PyTorch's) into {@code out} at {@code at}. */
    private void layerNorm(double[] row, int width, FlatArray gain, FlatArray beta, FlatArray out, int at) {
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
        double sd = Math.sqrt(squares / width + c.layerNormEps());
        for (int j = 0; j < width; j++) {
            out.set(at + j, (row[j] - mean) / sd * gain.get(j) + beta.get(j));
        }
    }

    /** Softmax of each of {@code rows} rows of {@code width} scores, the additive mask added first. */
    private void softmax(FlatArray s, int rows, int width, double[] additive, double[] row) {
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < width; j++) {
                double x = round(s.get(at + j) + additive[j]);
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
                s.set(at + j, row[j] / sum);
            }
        }
    }

    /** The mean of each sequence's last hidden states over the tokens its mask keeps. */
    private void pool(Activations a, double[][] m, int from, int to, FlatArray out) {
        int h = c.hiddenSize();
        double[] sum = new double[h];
        for (int b = from; b < to; b++) {
            java.util.Arrays.fill(sum, 0);
            double tokens = 0;
            for (int l = 0; l < a.len; l++) {
                double keep = m[b][l];
                if (keep == 0) {
                    continue;
                }
                tokens += keep;
                int at = ((b - from) * a.len + l) * h;
                for (int j = 0; j < h; j++) {
                    sum[j] += a.x.get(at + j) * keep;
                }
            }
            for (int j = 0; j < h; j++) {
                out.set(b * h + j, sum[j] / tokens);
            }
        }
    }

    /** A value rounded to the model's type, where the graph rounds between two operations. */
    private double round(double v) {
        return dt == DataType.FLOAT ? (float) v : v;
    }
}
