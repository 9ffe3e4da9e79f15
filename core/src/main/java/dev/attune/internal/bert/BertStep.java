package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;
import dev.attune.internal.math.StepWorkspace;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One training step of a BERT classifier, forward and backward written out: the encoder of
 * {@link BertGraph} (embeddings, attention with the padding mask, exact GELU feed-forward, residuals,
 * layer norms, LoRA on the adapted projections), mean pooling, the softmax head and the
 * example-weighted cross-entropy that {@link BertTrainable} trains on.
 *
 * <p>It computes what SameDiff's backward pass of that graph computes (a test holds them equal in
 * double precision, and in float within float rounding), but only what training needs: a frozen
 * weight gets no gradient, the backward pass stops at the lowest layer that holds a trained tensor,
 * and padding takes no work: the tokens the mask keeps are packed row after row ({@link PackedTokens}) and
 * attention runs per sequence over its own tokens.
 * As in {@link BertForward}, every matrix product is one row-major BLAS call on the activations where
 * they lie (Q, K and V side by side in one array, attention per sequence and head at offsets into it,
 * no copies), and the row work between products is fused into single passes in plain loops, split
 * over two threads ({@link RowThreads}): bias + residual + layer norm forward and backward, bias +
 * GELU forward and backward, mask + softmax forward and backward. In float, {@code erf} and
 * {@code exp} run in float ({@link RowMath}); in double, {@code erf} runs as one ND4J op per layer.
 * Bias gradients are column sums by BLAS matrix-vector products. The activations live in arrays kept
 * for the next step (grown when a batch needs more); the head and loss, on a few rows, run in ND4J ops
 * in a workspace. The gradients are written into the arrays it is given, one per trained tensor.
 * Needs ND4J's CPU backend and a float or double model ({@link BertForward#supports}). Each encoder
 * layer's forward and backward pass is a {@link StepLayer}; this class runs the embeddings, pooling,
 * head and loss, and holds what the layers share (tensors, buffers, the layer norm's backward pass).
 */
final class BertStep {
    private static final String WS_ID = "ATTUNE_BERT_STEP";
    /** Row work of fewer elements stays on the calling thread. */
    static final long SPLIT_ELEMENTS = 65_536;

    final BertConfig c;
    final Map<String, INDArray> t;
    final Set<String> adapted;
    final double scale;
    private final String head;
    /** The lowest layer the backward pass reaches: -1 for the embeddings. */
    private final int lowest;
    final Map<String, INDArray> grads;
    private final DataType dt;
    final boolean f;
    private final int rank;
    private Buffers buf;

    /**
     * @param tensors the model's live tensors (read on every step)
     * @param gradients the gradient array of each trained tensor, written on every step (contiguous, of
     *     the tensor's shape)
     * @param lora the LoRA spec of the adapted modules (their {@code lora_A}, {@code lora_B} in
     *     {@code tensors}), or {@code null}
     */
    BertStep(BertConfig config, Map<String, INDArray> tensors, Map<String, INDArray> gradients, BertLora lora, String head) {
        this.c = config;
        this.t = tensors;
        this.grads = gradients;
        this.adapted = lora == null ? Set.of() : Set.copyOf(lora.modules(config));
        this.scale = lora == null ? 0 : lora.scale();
        this.head = head;
        this.dt = tensors.get(BertGraph.WORDS).dataType();
        this.f = dt == DataType.FLOAT;
        int r = 0;
        for (String m : adapted) {
            r = Math.max(r, (int) tensors.get(m + ".lora_A").size(0));
        }
        this.rank = r;
        int low = config.numLayers();
        for (String name : gradients.keySet()) {
            if (name.startsWith("embeddings.")) {
                low = -1;
            } else if (name.startsWith("encoder.")) {
                low = Math.min(low, Integer.parseInt(name.substring(8, name.indexOf('.', 8))));
            }
        }
        this.lowest = low;
    }

    /**
     * The mini-batch's loss and the gradient of every trained tensor (the given arrays, overwritten by
     * the next call).
     *
     * @param ids the token ids, row after row ({@code batch * seqLen})
     * @param mask {@code [batch, seqLen]}, 1 for a token and 0 for padding, the model's float type
     * @param labels {@code [batch, classes]}, the model's float type
     * @param weights {@code [batch, 1]} example weights, the model's float type, or {@code null} for 1
     */
    BertTrainable.Computed compute(int[] ids, INDArray mask, INDArray labels, INDArray weights) {
        double loss;
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepWorkspace.CONFIG, WS_ID)) {
            loss = run(ids, mask, labels, weights);
        }
        return new BertTrainable.Computed(loss, grads);
    }

    /** The model's tensors and the trained ones' gradients of one step, wrapped once. */
    final class Tensors {
        private final Map<String, FlatArray> wrapped = new HashMap<>();

        FlatArray w(String name) {
            return wrapped.computeIfAbsent(name, k -> FlatArray.of(t.get(k)));
        }

        /** The named tensor's gradient, or {@code null} when it is not trained. */
        FlatArray g(String name) {
            INDArray g = grads.get(name);
            return g == null ? null : wrapped.computeIfAbsent("d/" + name, k -> FlatArray.of(g));
        }

        double[] vector(String name, int n) {
            double[] v = new double[n];
            w(name).read(0, v, n);
            return v;
        }
    }

    /** The activations of every layer and the backward pass's work arrays, for up to {@link #rows} token rows. */
    final class Buffers {
        final int rows;
        final long scores;
        final FlatArray[] in;
        final FlatArray[] qkv;
        /** Per layer, the query, key and value weights side by side ({@code [hidden, 3 hidden]}). */
        final FlatArray[] qkvWeight;
        /** Whether a layer's {@link #qkvWeight} holds its frozen weights already. */
        final boolean[] qkvFilled;
        final FlatArray[] probs;
        final FlatArray[] context;
        final FlatArray[] normed1;
        final double[][] rstd1;
        final FlatArray[] attended;
        final FlatArray[] inner;
        final FlatArray[] erf;
        final FlatArray[] activated;
        final FlatArray[] normed2;
        final double[][] rstd2;
        final FlatArray embNormed;
        final double[] embRstd;
        final Map<String, FlatArray> down = new HashMap<>();
        final FlatArray dense;
        final FlatArray dY;
        final FlatArray dInner;
        final FlatArray dContext;
        final FlatArray dQkv;
        final FlatArray dScores;
        final FlatArray loraGrad;
        final FlatArray ones;
        final RowThreads.Scratch[] scratch;

        Buffers(int rows, long scores, int len) {
            this.rows = rows;
            this.scores = scores;
            int layers = c.numLayers();
            int h = c.hiddenSize();
            int i = c.intermediateSize();
            in = new FlatArray[layers + 1];
            qkv = new FlatArray[layers];
            qkvWeight = new FlatArray[layers];
            qkvFilled = new boolean[layers];
            probs = new FlatArray[layers];
            context = new FlatArray[layers];
            normed1 = new FlatArray[layers];
            rstd1 = new double[layers][rows];
            attended = new FlatArray[layers];
            inner = new FlatArray[layers];
            erf = new FlatArray[layers];
            activated = new FlatArray[layers];
            normed2 = new FlatArray[layers];
            rstd2 = new double[layers][rows];
            for (int n = 0; n <= layers; n++) {
                in[n] = create(rows, h);
            }
            for (int n = 0; n < layers; n++) {
                qkv[n] = create(rows, 3 * h);
                qkvWeight[n] = create(h, 3 * h);
                probs[n] = create(scores, 1);
                context[n] = create(rows, h);
                normed1[n] = create(rows, h);
                attended[n] = create(rows, h);
                inner[n] = create(rows, i);
                erf[n] = create(rows, i);
                activated[n] = create(rows, i);
                normed2[n] = create(rows, h);
            }
            for (String m : adapted) {
                down.put(m, create(rows, (int) t.get(m + ".lora_A").size(0)));
            }
            embNormed = create(rows, h);
            embRstd = new double[rows];
            dense = create(rows, h);
            dY = create(rows, h);
            dInner = create(rows, i);
            dContext = create(rows, h);
            dQkv = create(rows, 3 * h);
            dScores = create(2L * len * len, 1);
            loraGrad = create(rows, Math.max(1, rank));
            ones = create(rows, 1);
            for (int r = 0; r < rows; r++) {
                ones.set(r, 1);
            }
            scratch = RowThreads.Scratch.pair(Math.max(Math.max(3 * h, i), len));
        }

        private FlatArray create(long rows, int width) {
            return FlatArray.create(dt, rows, width);
        }
    }

    private Buffers buffers(int rows, long scores, int len) {
        if (buf == null || buf.rows < rows || buf.scores < scores || buf.dScores.array().length() < 2L * len * len
                || buf.scratch[0].a.length < len) {
            buf = null; // the old arrays can go before the new ones are made
            buf = new Buffers(rows, scores, len);
        }
        return buf;
    }

    private double run(int[] ids, INDArray mask, INDArray labels, INDArray weights) {
        int batch = (int) mask.size(0);
        int len = (int) mask.size(1);
        int h = c.hiddenSize();
        double[][] m = mask.toDoubleMatrix();
        PackedTokens pk = PackedTokens.of(m, 0, batch, c.numHeads());
        Buffers b = buffers(pk.rows(), pk.scores(), pk.maxLength());
        Tensors w = new Tensors();

        embeddings(w, b, ids, pk, len);
        for (int n = 0; n < c.numLayers(); n++) {
            new StepLayer(this, w, b, n, pk).forward();
        }

        // Mean pooling: pooled[s] = the mean of the sequence's token rows (pool = 1 / tokens each).
        double[] pool = new double[batch];
        INDArray pooled = Nd4j.create(dt, batch, h);
        FlatArray pooledF = FlatArray.of(pooled);
        FlatArray last = b.in[c.numLayers()];
        RowThreads.Scratch s0 = b.scratch[0];
        for (int s = 0; s < batch; s++) {
            pool[s] = RowMath.round(1.0 / pk.length()[s], f);
            double[] sum = s0.a;
            java.util.Arrays.fill(sum, 0, h, 0);
            for (int r = pk.start()[s]; r < pk.start()[s + 1]; r++) {
                RowMath.read(last, r * h, s0.b, h, s0.f);
                for (int j = 0; j < h; j++) {
                    sum[j] += pool[s] * s0.b[j];
                }
            }
            RowMath.write(pooledF, s * h, sum, h, s0.f);
        }

        // Head and loss: the weighted cross-entropies' sum over the rows, divided by the rows.
        INDArray logits = Nd4j.gemm(pooled, t.get(head + ".W"), false, false).addiRowVector(t.get(head + ".b"));
        INDArray shifted = logits.subColumnVector(logits.max(true, 1));
        INDArray logProbs = shifted.subColumnVector(Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false));
        INDArray perRow = logProbs.mul(labels).sum(true, 1).negi(); // [batch, 1]
        if (weights != null) {
            perRow.muli(weights);
        }
        double loss = perRow.sumNumber().doubleValue() / batch;

        // d loss / d logits = (softmax * sum(labels) - labels) * weight / batch.
        INDArray dLogits = Transforms.exp(logProbs, false).muliColumnVector(labels.sum(true, 1)).subi(labels);
        if (weights != null) {
            dLogits.muliColumnVector(weights);
        }
        dLogits.divi(batch);
        INDArray gw = grads.get(head + ".W");
        if (gw != null) {
            Nd4j.gemm(pooled, dLogits, gw, true, false, 1.0, 0.0);
        }
        INDArray gb = grads.get(head + ".b");
        if (gb != null) {
            gb.assign(dLogits.sum(0));
        }
        if (lowest >= c.numLayers()) {
            return loss;
        }
        double[][] dPooled = Nd4j.gemm(dLogits, t.get(head + ".W"), false, true).toDoubleMatrix();
        for (int s = 0; s < batch; s++) {
            double[] row = s0.a;
            for (int j = 0; j < h; j++) {
                row[j] = RowMath.round(pool[s] * dPooled[s][j], f);
            }
            for (int r = pk.start()[s]; r < pk.start()[s + 1]; r++) {
                RowMath.write(b.dY, r * h, row, h, s0.f);
            }
        }
        for (int n = c.numLayers() - 1; n >= Math.max(lowest, 0); n--) {
            new StepLayer(this, w, b, n, pk).backward(n > lowest);
        }
        if (lowest >= 0) {
            return loss;
        }
        embeddingsBackward(w, b, ids, pk, len);
        return loss;
    }

    /** Word + position + token type 0 embeddings and their layer norm into the first layer's input. */
    private void embeddings(Tensors w, Buffers b, int[] ids, PackedTokens pk, int len) {
        int h = c.hiddenSize();
        FlatArray words = w.w(BertGraph.WORDS);
        FlatArray positions = w.w("embeddings.position_embeddings.weight");
        double[] type = w.vector("embeddings.token_type_embeddings.weight", h);
        double[] gain = w.vector("embeddings.LayerNorm.weight", h);
        double[] beta = w.vector("embeddings.LayerNorm.bias", h);
        double eps = c.layerNormEps();
        RowThreads.split(pk.rows(), h, SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                int o = pk.origin()[r];
                RowMath.embedding(words, positions, type, ids[o], o % len, h, f, s);
                normOut(s.a, h, gain, beta, eps, b.embNormed, b.embRstd, b.in[0], r, s);
            }
        });
    }

    /**
     * Normalises row {@code r}'s sum {@code x} (changed), writing its normalised values to
     * {@code normed}, its reciprocal standard deviation to {@code rstd} and its layer norm to {@code out}.
     */
    void normOut(double[] x, int h, double[] gain, double[] beta, double eps, FlatArray normed, double[] rstd,
                         FlatArray out, int r, RowThreads.Scratch s) {
        rstd[r] = RowMath.normalise(x, h, eps);
        RowMath.write(normed, r * h, x, h, s.f);
        for (int j = 0; j < h; j++) {
            x[j] = x[j] * gain[j] + beta[j];
        }
        RowMath.write(out, r * h, x, h, s.f);
    }

    /**
     * A layer norm's backward pass over {@code rows} rows of {@code dy}, in place: {@code dy} becomes
     * the input gradient, {@code rstd (dn - mean(dn) - n mean(dn n))} with {@code dn = dy gain}; the
     * gain's and bias's gradients when trained.
     */
    void normBackward(Tensors w, Buffers b, int rows, FlatArray dy, FlatArray normed, double[] rstd,
                              String module) {
        int h = c.hiddenSize();
        double[] gain = w.vector(module + ".weight", h);
        FlatArray gg = w.g(module + ".weight");
        FlatArray gb = w.g(module + ".bias");
        boolean sums = gg != null || gb != null;
        for (RowThreads.Scratch s : b.scratch) {
            java.util.Arrays.fill(s.sumA, 0, h, 0);
            java.util.Arrays.fill(s.sumB, 0, h, 0);
        }
        if (f) {
            float[] gainF = RowMath.floats(gain);
            RowThreads.split(rows, h, SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                float[] d = s.f;
                float[] n = s.g;
                for (int r = r0; r < r1; r++) {
                    ((FlatArray.Floats) dy).read(r * h, d, h);
                    ((FlatArray.Floats) normed).read(r * h, n, h);
                    if (sums) {
                        for (int j = 0; j < h; j++) {
                            s.sumA[j] += d[j] * n[j];
                            s.sumB[j] += d[j];
                        }
                    }
                    RowMath.normBackward(d, n, gainF, h, (float) rstd[r]);
                    ((FlatArray.Floats) dy).write(r * h, d, h);
                }
            });
        } else {
            RowThreads.split(rows, h, SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                double[] d = s.a;
                double[] n = s.b;
                for (int r = r0; r < r1; r++) {
                    RowMath.read(dy, r * h, d, h, s.f);
                    RowMath.read(normed, r * h, n, h, s.f);
                    double meanD = 0;
                    double meanDn = 0;
                    for (int j = 0; j < h; j++) {
                        if (sums) {
                            s.sumA[j] += d[j] * n[j];
                            s.sumB[j] += d[j];
                        }
                        double dn = d[j] * gain[j];
                        d[j] = dn;
                        meanD += dn;
                        meanDn += dn * n[j];
                    }
                    meanD /= h;
                    meanDn /= h;
                    double k = rstd[r];
                    for (int j = 0; j < h; j++) {
                        d[j] = (d[j] - meanD - n[j] * meanDn) * k;
                    }
                    RowMath.write(dy, r * h, d, h, s.f);
                }
            });
        }
        if (gg != null) {
            writeSums(gg, b, h, true);
        }
        if (gb != null) {
            writeSums(gb, b, h, false);
        }
    }

    /** The two threads' column sums ({@code sumA} or {@code sumB}) added and written to {@code g}. */
    private static void writeSums(FlatArray g, Buffers b, int h, boolean first) {
        double[] out = new double[h];
        for (RowThreads.Scratch s : b.scratch) {
            double[] sum = first ? s.sumA : s.sumB;
            for (int j = 0; j < h; j++) {
                out[j] += sum[j];
            }
        }
        g.write(0, out, h);
    }

    /** The embeddings' gradients from the first layer's input gradient in {@code dY}. */
    private void embeddingsBackward(Tensors w, Buffers b, int[] ids, PackedTokens pk, int len) {
        int h = c.hiddenSize();
        int rows = pk.rows();
        normBackward(w, b, rows, b.dY, b.embNormed, b.embRstd, "embeddings.LayerNorm");
        RowThreads.Scratch s = b.scratch[0];
        INDArray words = grads.get(BertGraph.WORDS);
        if (words != null) {
            // Each token's row added into its id's row, repeated ids summed, on one thread.
            words.assign(0);
            FlatArray g = w.g(BertGraph.WORDS);
            for (int r = 0; r < rows; r++) {
                int id = ids[pk.origin()[r]];
                RowMath.read(b.dY, r * h, s.a, h, s.f);
                g.read(id * h, s.b, h);
                for (int j = 0; j < h; j++) {
                    s.b[j] += s.a[j];
                }
                g.write(id * h, s.b, h);
            }
        }
        INDArray positions = grads.get("embeddings.position_embeddings.weight");
        if (positions != null) {
            positions.assign(0);
            FlatArray g = w.g("embeddings.position_embeddings.weight");
            for (int r = 0; r < rows; r++) { // each row into its position's row
                int at = (pk.origin()[r] % len) * h;
                RowMath.read(b.dY, r * h, s.a, h, s.f);
                g.read(at, s.b, h);
                for (int j = 0; j < h; j++) {
                    s.b[j] += s.a[j];
                }
                g.write(at, s.b, h);
            }
        }
        INDArray types = grads.get("embeddings.token_type_embeddings.weight");
        if (types != null) {
            types.assign(0);
            FlatArray.gemv(true, rows, h, 1, b.dY, 0, h, b.ones, 0, 0, w.g("embeddings.token_type_embeddings.weight"), 0);
        }
    }

    /** The column sums of {@code rows} rows of {@code d} ({@code width} columns from {@code at}, rows {@code ld} apart) into a bias's gradient, when it is trained. */
    void biasGradient(Tensors w, Buffers b, String module, int rows, FlatArray d, long at, int ld, int width) {
        FlatArray g = w.g(module + ".bias");
        if (g != null) {
            FlatArray.gemv(true, rows, width, 1, d, at, ld, b.ones, 0, 0, g, 0);
        }
    }
}
