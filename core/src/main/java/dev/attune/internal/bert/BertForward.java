package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;
import java.util.List;
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
 * (Q, K and V side by side in one array; per sequence and head for attention, at offsets into it, no
 * copies); the row work between products is fused into single passes in plain loops: bias, bias + GELU,
 * bias + residual + layer norm, and scale + mask + softmax. In float, GELU, softmax and the layer norms
 * run as float kernels on float rows read and written in bulk copies ({@link RowMath}: {@code erf} a
 * rational fit, {@code exp} Cephes' method); in double, {@code erf} runs as one ND4J op per layer. Large row work and the attention of many
 * sequences are split over this thread and one helper thread ({@link RowThreads}), the products
 * themselves threaded by OpenBLAS. It needs ND4J's CPU backend ({@link #supports}); elsewhere callers
 * run the graph.
 *
 * <p>LoRA runs per range of sequences ({@link Adapter}): an adapted encoder's one adapter over every
 * sequence, or, for many adapters served in one pass ({@link BertRows}), each adapter's products on its
 * sequences' tokens while every base product runs once for all.
 *
 * <p>Padding takes no work: the tokens each mask keeps are packed row after row ({@link PackedTokens})
 * and attention runs per sequence over its own tokens. The activations live in arrays kept while they
 * are large enough; sequences go through in chunks of at most {@value #MAX_ROWS} positions. Not thread-safe: callers serialise (the
 * helper thread is shared by all instances, a daemon, and only ever runs work its caller waits for).
 */
final class BertForward {
    /** Token rows per chunk: bounds the activations' memory however many sequences a call gets. */
    static final int MAX_ROWS = 4096;
    /**
     * Row work of fewer elements, and attention of fewer scores, stays on the calling thread; larger
     * work is split over two ({@link RowThreads}). On the 2-core machine it was measured on, batch 32 of
     * 64 tokens took a median 0.32 s a pass split against 0.38 s unsplit (load average 0.8 before the
     * run); batch 1 is below the threshold.
     */
    private static final long SPLIT_ELEMENTS = 262_144;

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
     * The adapter of sequences {@code [from, to)} of a call: per adapted module its {@code lora_A}
     * ({@code [r, in]}) and {@code lora_B} ({@code [out, r]}), contiguous, and its scale.
     */
    record Adapter(int from, int to, Map<String, INDArray[]> lora, double scale) {
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
        Map<String, INDArray[]> lora = new java.util.HashMap<>();
        for (String m : adapted) {
            lora.put(m, new INDArray[] {t.get(m + ".lora_A"), t.get(m + ".lora_B")});
        }
        return pooled(t, lora.isEmpty() ? List.of() : List.of(new Adapter(0, (int) ids.size(0), lora, scale)), ids,
                mask);
    }

    /**
     * The mean-pooled last hidden states {@code [n, hidden]}, each sequence through the adapter whose range
     * holds it (none: the encoder alone): every base product runs once for all tokens, each adapter's LoRA
     * products on its sequences' tokens.
     *
     * @param t the encoder's tensors (contiguous, of {@link BertGraph#parameterShapes})
     * @param adapters adapters over ranges of sequences that do not overlap
     * @param ids {@code [n, seqLen]} token ids, checked by the caller
     * @param mask {@code [n, seqLen]} 0/1, at least one token per row, checked by the caller
     */
    INDArray pooled(Map<String, INDArray> t, List<Adapter> adapters, INDArray ids, INDArray mask) {
        int n = (int) ids.size(0);
        int len = (int) ids.size(1);
        int[][] id = ids.toIntMatrix();
        double[][] m = mask.toDoubleMatrix();
        Weights w = new Weights(t, adapters);
        INDArray out = Nd4j.create(dt, n, c.hiddenSize());
        FlatArray pooled = FlatArray.of(out);
        int chunk = Math.max(1, Math.min(n, MAX_ROWS / len));
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            PackedTokens pk = PackedTokens.of(m, from, to, c.numHeads());
            Activations a = activations(pk, (to - from) * len, len);
            a.from = from;
            encode(w, a, id, from, len);
            pool(a, from, pooled);
        }
        return out;
    }

    /** The work arrays for these packed tokens, kept while they are large enough ({@code capacity} rows, {@code len} positions). */
    private Activations activations(PackedTokens pk, int capacity, int len) {
        if (act == null || act.capacity < pk.rows() || act.len < pk.maxLength()) {
            act = null; // the old arrays can go before the new ones are made
            act = new Activations(capacity, len);
        }
        act.pk = pk;
        act.rows = pk.rows();
        return act;
    }

    /** The tensors of one call, wrapped once. */
    private final class Weights {
        private final Map<String, INDArray> t;
        private final List<Adapter> adapters;
        private final Map<String, FlatArray> wrapped = new java.util.HashMap<>();
        private final Map<INDArray, FlatArray> wrappedLora = new java.util.IdentityHashMap<>();

        Weights(Map<String, INDArray> t, List<Adapter> adapters) {
            this.t = t;
            this.adapters = adapters;
        }

        /** An adapter's tensor as a flat array of the pass's type. */
        FlatArray lora(INDArray x) {
            return wrappedLora.computeIfAbsent(x, k -> FlatArray.of(k.dataType() == dt ? k : k.castTo(dt)));
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
        /** Rows the arrays hold. */
        final int capacity;
        /** The longest sequence the score slots hold. */
        final int len;
        /** The tokens of the current chunk, packed, and their number; its first sequence in the call. */
        PackedTokens pk;
        int rows;
        int from;
        final FlatArray x;
        final FlatArray qkv;
        final FlatArray context;
        final FlatArray attended;
        final FlatArray dense;
        final FlatArray inner;
        final FlatArray erf;
        final FlatArray scores;
        final FlatArray down;
        final RowThreads.Scratch[] scratch;

        Activations(int capacity, int len) {
            this.capacity = capacity;
            this.len = len;
            int rows = capacity;
            int h = c.hiddenSize();
            x = FlatArray.create(dt, rows, h);
            qkv = FlatArray.create(dt, rows, 3 * h);
            context = FlatArray.create(dt, rows, h);
            attended = FlatArray.create(dt, rows, h);
            dense = FlatArray.create(dt, rows, h);
            inner = FlatArray.create(dt, rows, c.intermediateSize());
            erf = dt == DataType.DOUBLE ? FlatArray.create(dt, rows, c.intermediateSize()) : null; // float: erf in Java
            scores = FlatArray.create(dt, 2, len, len); // one score slot per thread
            down = FlatArray.create(dt, rows, Math.max(c.hiddenSize(), c.intermediateSize()));
            int width = Math.max(Math.max(3 * c.hiddenSize(), c.intermediateSize()), len);
            scratch = RowThreads.Scratch.pair(width);
        }
    }

    private void encode(Weights w, Activations a, int[][] id, int from, int len) {
        int h = c.hiddenSize();
        boolean f = dt == DataType.FLOAT;
        // Embeddings: (word + position) + token type 0, then the layer norm, one pass per row.
        FlatArray words = w.get(BertGraph.WORDS);
        FlatArray positions = w.get("embeddings.position_embeddings.weight");
        double[] type = w.vector("embeddings.token_type_embeddings.weight", h);
        double[] gain = w.vector("embeddings.LayerNorm.weight", h);
        double[] beta = w.vector("embeddings.LayerNorm.bias", h);
        double eps = c.layerNormEps();
        RowThreads.split(a.rows, h, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                int o = a.pk.origin()[r];
                RowMath.embedding(words, positions, type, id[from + o / len][o % len], o % len, h, f, s);
                RowMath.layerNorm(s.a, h, gain, beta, eps);
                RowMath.write(a.x, r * h, s.a, h, s.f);
            }
        });
        for (int n = 0; n < c.numLayers(); n++) {
            layer(w, a, "encoder." + n + ".");
        }
    }

    private void layer(Weights w, Activations a, String p) {
        int h = c.hiddenSize();
        int heads = c.numHeads();
        int size = c.headSize();
        boolean f = dt == DataType.FLOAT;
        // Q, K and V side by side in the rows of one [rows, 3 hidden] array.
        String[] qkv = {p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"};
        for (int j = 0; j < 3; j++) {
            dense(w, a, a.x, qkv[j], a.qkv, j * h, 3 * h, h, h);
        }
        double[] bias = new double[3 * h];
        for (int j = 0; j < 3; j++) {
            System.arraycopy(w.vector(qkv[j] + ".bias", h), 0, bias, j * h, h);
        }
        if (f) {
            float[] biasF = RowMath.floats(bias);
            FlatArray.Floats qkvF = (FlatArray.Floats) a.qkv;
            RowThreads.split(a.rows, 3 * h, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
                float[] row = s.f;
                for (int r = r0; r < r1; r++) {
                    qkvF.read(r * 3 * h, row, 3 * h);
                    for (int j = 0; j < 3 * h; j++) {
                        row[j] += biasF[j];
                    }
                    qkvF.write(r * 3 * h, row, 3 * h);
                }
            });
        } else {
            RowThreads.split(a.rows, 3 * h, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    addBias(a.qkv, bias, r * 3 * h, 3 * h, s, f);
                }
            });
        }

        double alpha = RowMath.round(1 / Math.sqrt(size), f);
        int items = a.pk.sequences() * heads;
        RowThreads.split(items, a.pk.scores() / items, SPLIT_ELEMENTS, a.scratch,
                (from, to, s) -> {
                    long slot = (s == a.scratch[0] ? 0L : 1L) * a.len * a.len; // each thread's scores
                    for (int i = from; i < to; i++) {
                        a.pk.attend(i, heads, size, alpha, a.qkv, a.scores, slot, a.context, s);
                    }
                });

        dense(w, a, a.context, p + "attention.output.dense", a.dense, h, h);
        biasResidualNorm(a, a.dense, w.vector(p + "attention.output.dense.bias", h), a.x,
                w.vector(p + "attention.output.LayerNorm.weight", h), w.vector(p + "attention.output.LayerNorm.bias", h),
                a.attended);

        int inner = c.intermediateSize();
        dense(w, a, a.attended, p + "intermediate.dense", a.inner, h, inner);
        double[] b1 = w.vector(p + "intermediate.dense.bias", inner);
        double invSqrt2 = RowMath.round(1 / Math.sqrt(2.0), f);
        if (f) {
            // GELU in float: x (1 + erf(x / sqrt 2)) / 2 on x = z + b in one pass, erf to float accuracy.
            float[] b1f = new float[inner];
            for (int j = 0; j < inner; j++) {
                b1f[j] = (float) b1[j];
            }
            float root = (float) invSqrt2;
            FlatArray.Floats z = (FlatArray.Floats) a.inner;
            RowThreads.split(a.rows, inner, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
                float[] y = s.f;
                for (int r = r0; r < r1; r++) {
                    z.read(r * inner, y, inner);
                    gelu(y, b1f, inner, root);
                    z.write(r * inner, y, inner);
                }
            });
        } else {
            // In double, erf as one ND4J op (libnd4j's, exact to double) between two row passes.
            RowThreads.split(a.rows, inner, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
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
            RowThreads.split(a.rows, inner, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
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
        dense(w, a, in, module, out, 0, width, inWidth, width);
    }

    /** {@link #dense} into the columns of {@code out} from {@code at} of rows {@code ld} apart. */
    private void dense(Weights w, Activations a, FlatArray in, String module, FlatArray out, long at, int ld,
                       int inWidth, int width) {
        FlatArray.gemm(false, false, a.rows, width, inWidth, 1, in, 0, inWidth, w.get(module + ".weight"), 0, width, 0,
                out, at, ld);
        lora(w, a, in, module, out, at, ld, inWidth, width);
    }

    /**
     * On each adapter's tokens in the chunk, {@code out += (s in A^T) B^T} into the columns of {@code out}
     * from {@code at} when the adapter adapts the module.
     */
    private void lora(Weights w, Activations a, FlatArray in, String module, FlatArray out, long at, int ld,
                      int inWidth, int width) {
        int sequences = a.pk.sequences();
        for (Adapter ad : w.adapters) {
            INDArray[] ab = ad.lora().get(module);
            int lo = Math.max(ad.from(), a.from) - a.from;
            int hi = Math.min(ad.to(), a.from + sequences) - a.from;
            if (ab == null || lo >= hi) {
                continue;
            }
            int first = a.pk.start()[lo];
            int rows = a.pk.start()[hi] - first;
            FlatArray la = w.lora(ab[0]); // [r, in]
            int r = (int) ab[0].size(0);
            FlatArray.gemm(false, true, rows, r, inWidth, ad.scale(), in, (long) first * inWidth, inWidth, la, 0,
                    inWidth, 0, a.down, 0, r);
            FlatArray.gemm(false, true, rows, width, r, 1, a.down, 0, r, w.lora(ab[1]), 0, r, 1, out,
                    at + (long) first * ld, ld);
        }
    }

    private static void addBias(FlatArray x, double[] bias, int at, int width, RowThreads.Scratch s, boolean f) {
        double[] row = s.a;
        RowMath.read(x, at, row, width, s.f);
        for (int j = 0; j < width; j++) {
            row[j] = RowMath.round(row[j] + bias[j], f);
        }
        RowMath.write(x, at, row, width, s.f);
    }

    /** {@code out = RowMath.layerNorm((z + bias) + residual)}, one row at a time. */
    private void biasResidualNorm(Activations a, FlatArray z, double[] bias, FlatArray residual, double[] gain,
                                  double[] beta, FlatArray out) {
        int h = c.hiddenSize();
        boolean f = dt == DataType.FLOAT;
        double eps = c.layerNormEps();
        if (f) {
            // In float on float rows: the same sums (float adds), the norm's statistics in double.
            float[] biasF = RowMath.floats(bias);
            float[] gainF = RowMath.floats(gain);
            float[] betaF = RowMath.floats(beta);
            FlatArray.Floats zF = (FlatArray.Floats) z;
            FlatArray.Floats resF = (FlatArray.Floats) residual;
            FlatArray.Floats outF = (FlatArray.Floats) out;
            RowThreads.split(a.rows, h, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
                float[] x = s.f;
                float[] res = s.g;
                for (int r = r0; r < r1; r++) {
                    zF.read(r * h, x, h);
                    resF.read(r * h, res, h);
                    RowMath.addBiasResidual(x, biasF, res, h);
                    RowMath.normalise(x, h, eps);
                    RowMath.affine(x, gainF, betaF, x, h);
                    outF.write(r * h, x, h);
                }
            });
            return;
        }
        RowThreads.split(a.rows, h, SPLIT_ELEMENTS, a.scratch, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                RowMath.read(z, r * h, s.a, h, s.f);
                RowMath.read(residual, r * h, s.b, h, s.f);
                double[] x = s.a;
                double[] res = s.b;
                for (int j = 0; j < h; j++) {
                    x[j] = RowMath.round(RowMath.round(x[j] + bias[j], f) + res[j], f);
                }
                RowMath.layerNorm(x, h, gain, beta, eps);
                RowMath.write(out, r * h, x, h, s.f);
            }
        });
    }

    /** {@code y = x (1 + erf(x c)) / 2} on {@code x = y + bias}, in float, over {@code y[0, n)}. */
    private static void gelu(float[] y, float[] bias, int n, float c) {
        for (int j = 0; j < n; j++) {
            float x = y[j] + bias[j];
            y[j] = x * (1 + RowMath.erf(x * c)) * 0.5f;
        }
    }

    /** The mean of each sequence's last hidden states over the tokens its mask keeps. */
    private void pool(Activations a, int from, FlatArray out) {
        int h = c.hiddenSize();
        double[] sum = new double[h];
        double[] row = new double[h];
        PackedTokens pk = a.pk;
        for (int b = 0; b < pk.sequences(); b++) {
            java.util.Arrays.fill(sum, 0);
            for (int r = pk.start()[b]; r < pk.start()[b + 1]; r++) {
                a.x.read(r * h, row, h);
                for (int j = 0; j < h; j++) {
                    sum[j] += row[j];
                }
            }
            for (int j = 0; j < h; j++) {
                sum[j] /= pk.length()[b];
            }
            out.write((from + b) * h, sum, h);
        }
    }
}
