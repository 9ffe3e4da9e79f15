package dev.attune.internal.bert;

import dev.attune.internal.math.LowRankMath;
import dev.attune.internal.math.StepWorkspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One training step of a BERT classifier, forward and backward written out in ND4J ops: the
 * encoder of {@link BertGraph} (embeddings, attention with the padding mask, exact GELU
 * feed-forward, residuals, layer norms, LoRA on the adapted projections), mean pooling, the softmax
 * head and the example-weighted cross-entropy that {@link BertTrainable} trains on.
 *
 * <p>It computes what SameDiff's backward pass of that graph computes (a test holds them equal in
 * double precision), but only what training needs: a frozen weight gets no gradient (SameDiff's
 * matmul backward computes both operand gradients and drops one), the backward pass stops at the
 * lowest layer that holds a trained tensor, every product goes to BLAS with transpose flags instead of
 * transposed copies, and every temporary array lives in a workspace that is sized on the first step
 * and reused by every later one (fresh memory costs more than the arithmetic at these sizes). The
 * gradients are written into the arrays it is given, one per trained tensor.
 */
final class BertStep {
    private static final String WS_ID = "ATTUNE_BERT_STEP";

    private final BertConfig c;
    private final Map<String, INDArray> t;
    private final Set<String> adapted;
    private final double scale;
    private final String head;
    /** The lowest layer the backward pass reaches: -1 for the embeddings. */
    private final int lowest;
    private final Map<String, INDArray> grads;

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

    private double run(int[] ids, INDArray mask, INDArray labels, INDArray weights) {
        int batch = (int) mask.size(0);
        int len = (int) mask.size(1);
        int h = c.hiddenSize();

        // Embeddings.
        INDArray words = t.get(BertGraph.WORDS);
        INDArray e = Nd4j.pullRows(words, 1, ids); // [batch * len, h]
        INDArray positions = t.get("embeddings.position_embeddings.weight").get(NDArrayIndex.interval(0, len),
                NDArrayIndex.all());
        Nd4j.exec(new BroadcastAddOp(e.reshape(batch, len, h), positions, e.reshape(batch, len, h), 1, 2));
        e.addiRowVector(t.get("embeddings.token_type_embeddings.weight").getRow(0));
        Norm embNorm = norm(e, "embeddings.LayerNorm");

        // Encoder layers, each keeping what its backward pass needs.
        INDArray additive = mask.rsub(1.0).muli(BertGraph.MASK_VALUE); // [batch, len]
        List<Layer> layers = new ArrayList<>();
        INDArray x = embNorm.y();
        for (int n = 0; n < c.numLayers(); n++) {
            Layer layer = new Layer("encoder." + n + ".", batch, len);
            x = layer.forward(x, additive);
            layers.add(layer);
        }

        // Mean pooling: pooled[b] = sum over l of pool[b, l] x[b, l], with pool = mask / tokens.
        INDArray pool = mask.divColumnVector(mask.sum(true, 1));
        INDArray pooled = Nd4j.matmul(pool.reshape(batch, 1, len), x.reshape(batch, len, h), null, false, false, false)
                .reshape(batch, h);

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
        gemmInto(pooled, dLogits, head + ".W");
        sumInto(dLogits, head + ".b");
        INDArray dPooled = Nd4j.gemm(dLogits, t.get(head + ".W"), false, true);
        INDArray dx = Nd4j.matmul(pool.reshape(batch, len, 1), dPooled.reshape(batch, 1, h), null, false, false, false)
                .reshape((long) batch * len, h);
        for (int n = c.numLayers() - 1; n >= Math.max(lowest, 0); n--) {
            dx = layers.get(n).backward(dx, n > lowest);
        }
        if (lowest >= 0) {
            return loss;
        }

        INDArray dE = normBackward(embNorm, dx, "embeddings.LayerNorm");
        if (grads.containsKey(BertGraph.WORDS)) {
            // Each token's row added into its id's row, repeated ids summed: one scatter_add, run
            // locked (single-threaded) so that rows of the same id do not race.
            INDArray g = grads.get(BertGraph.WORDS).assign(0);
            Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(g, Nd4j.createFromArray(ids), dE)
                    .addOutputs(g).addBooleanArguments(true).build());
        }
        INDArray gp = grads.get("embeddings.position_embeddings.weight");
        if (gp != null) {
            gp.assign(0).get(NDArrayIndex.interval(0, len), NDArrayIndex.all()).assign(dE.reshape(batch, len, h).sum(0));
        }
        INDArray gt = grads.get("embeddings.token_type_embeddings.weight");
        if (gt != null) {
            gt.assign(0).getRow(0).assign(dE.sum(0));
        }
        return loss;
    }

    /** {@code c = a^T b} into the named tensor's gradient, when it is trained. */
    private void gemmInto(INDArray a, INDArray b, String name) {
        INDArray g = grads.get(name);
        if (g != null) {
            Nd4j.gemm(a, b, g, true, false, 1.0, 0.0);
        }
    }

    /** The column sums of {@code d} into the named tensor's gradient, when it is trained. */
    private void sumInto(INDArray d, String name) {
        INDArray g = grads.get(name);
        if (g != null) {
            g.assign(d.sum(0));
        }
    }

    /** A layer norm's output and what its backward pass needs. */
    private Norm norm(INDArray x, String module) {
        INDArray centred = x.subColumnVector(x.mean(true, 1));
        INDArray rstd = Transforms.pow(centred.mul(centred).mean(true, 1).addi(c.layerNormEps()), -0.5, false);
        INDArray normed = centred.muliColumnVector(rstd);
        INDArray y = normed.mulRowVector(t.get(module + ".weight")).addiRowVector(t.get(module + ".bias"));
        return new Norm(normed, rstd, y);
    }

    /** A layer norm's normalised input, its reciprocal standard deviations and its output. */
    private record Norm(INDArray normed, INDArray rstd, INDArray y) {
    }

    /** A layer norm's input gradient; the gain's and bias's into their gradients when trained. */
    private INDArray normBackward(Norm n, INDArray dy, String module) {
        INDArray gg = grads.get(module + ".weight");
        if (gg != null) {
            gg.assign(dy.mul(n.normed()).sum(0));
        }
        sumInto(dy, module + ".bias");
        // dx = rstd (dn - mean(dn) - n mean(dn n)), dn = dy * gain.
        INDArray dn = dy.mulRowVector(t.get(module + ".weight"));
        INDArray m2 = dn.mul(n.normed()).mean(true, 1);
        return dn.subiColumnVector(dn.mean(true, 1)).subi(n.normed().mulColumnVector(m2)).muliColumnVector(n.rstd());
    }

    /** One encoder layer's forward pass, keeping its activations, and its backward pass. */
    private final class Layer {
        private final String p;
        private final int batch;
        private final int len;
        private final int heads = c.numHeads();
        private final int size = c.headSize();
        private final Map<String, INDArray> down = new LinkedHashMap<>(); // module -> x A^T, with LoRA
        private INDArray x;
        private INDArray q;
        private INDArray k;
        private INDArray v;
        private INDArray probs;
        private INDArray context;
        private Norm attendedNorm;
        private INDArray inner;
        private INDArray erf;
        private INDArray activated;
        private Norm outNorm;

        Layer(String prefix, int batch, int len) {
            this.p = prefix;
            this.batch = batch;
            this.len = len;
        }

        INDArray forward(INDArray input, INDArray additive) {
            x = input;
            q = split(dense(x, p + "attention.self.query"));
            k = split(dense(x, p + "attention.self.key"));
            v = split(dense(x, p + "attention.self.value"));
            INDArray scores = Nd4j.matmul(q, k, null, false, true, false).muli(1 / Math.sqrt(size)); // [b, heads, l, l]
            Nd4j.exec(new BroadcastAddOp(scores, additive, scores, 0, 3));
            probs = Nd4j.exec(new SoftMax(scores, scores, 3))[0];
            context = merge(Nd4j.matmul(probs, v, null, false, false, false));
            attendedNorm = norm(dense(context, p + "attention.output.dense").addi(x), p + "attention.output.LayerNorm");
            inner = dense(attendedNorm.y(), p + "intermediate.dense");
            erf = inner.mul(1 / Math.sqrt(2));
            Nd4j.exec(new Erf(erf, erf));
            activated = erf.add(1.0).muli(inner).muli(0.5);
            outNorm = norm(dense(activated, p + "output.dense").addi(attendedNorm.y()), p + "output.LayerNorm");
            return outNorm.y();
        }

        /** The input gradient (or {@code null} when not {@code needInput}), weight gradients into theirs. */
        INDArray backward(INDArray dy, boolean needInput) {
            INDArray dz2 = normBackward(outNorm, dy, p + "output.LayerNorm");
            INDArray dAct = denseBackward(activated, dz2, p + "output.dense");
            // GELU' = (1 + erf(x / sqrt 2)) / 2 + x exp(-x^2 / 2) / sqrt(2 pi).
            INDArray density = Transforms.exp(inner.mul(inner).muli(-0.5), false).muli(inner).muli(1 / Math.sqrt(2 * Math.PI));
            INDArray dInner = dAct.muli(erf.add(1.0).muli(0.5).addi(density));
            INDArray dAttended = dz2.dup();
            denseBackward(attendedNorm.y(), dInner, p + "intermediate.dense", dAttended);
            INDArray dz1 = normBackward(attendedNorm, dAttended, p + "attention.output.LayerNorm");
            INDArray dContext = denseBackward(context, dz1, p + "attention.output.dense");

            INDArray dCtx = split(dContext); // [b, heads, l, size]
            INDArray dProbs = Nd4j.matmul(dCtx, v, null, false, true, false);
            INDArray dv = Nd4j.matmul(probs, dCtx, null, true, false, false);
            // softmax backward: ds = p (dp - sum(p dp)), then the 1 / sqrt(size) of the scores.
            INDArray rowSums = dProbs.mul(probs).sum(true, 3);
            INDArray dScores = Nd4j.exec(new BroadcastSubOp(dProbs,
                    rowSums.reshape(batch, heads, len), dProbs, 0, 1, 2)).muli(probs).muli(1 / Math.sqrt(size));
            INDArray dx = needInput ? dz1 : null;
            String query = p + "attention.self.query";
            String key = p + "attention.self.key";
            String value = p + "attention.self.value";
            if (needInput || trains(query)) {
                denseBackward(x, merge(Nd4j.matmul(dScores, k, null, false, false, false)), query, dx);
            }
            if (needInput || trains(key)) {
                denseBackward(x, merge(Nd4j.matmul(dScores, q, null, true, false, false)), key, dx);
            }
            if (needInput || trains(value)) {
                denseBackward(x, merge(dv), value, dx);
            }
            return dx;
        }

        /** Whether a module has a tensor that trains (its weight, bias or adapter). */
        private boolean trains(String module) {
            return grads.containsKey(module + ".weight") || grads.containsKey(module + ".bias") || adapted.contains(module);
        }

        /** {@code x W + b}, plus {@code s (x A^T) B^T} on an adapted module. */
        private INDArray dense(INDArray in, String module) {
            INDArray out = Nd4j.gemm(in, t.get(module + ".weight"), false, false).addiRowVector(t.get(module + ".bias"));
            if (adapted.contains(module)) {
                INDArray a = t.get(module + ".lora_A");
                INDArray xa = Nd4j.createUninitialized(in.dataType(), new long[] {in.size(0), a.size(0)},
                        LowRankMath.productOrder(in, a));
                down.put(module, LowRankMath.ND4J.forward(in, a, t.get(module + ".lora_B"), scale, xa, out));
            }
            return out;
        }

        /**
         * A dense module's backward pass: the gradients of its trained tensors, and its input gradient
         * added into {@code dx} ({@code dx} {@code null}: no input gradient).
         */
        private void denseBackward(INDArray in, INDArray dOut, String module, INDArray dx) {
            gemmInto(in, dOut, module + ".weight");
            sumInto(dOut, module + ".bias");
            if (dx != null) {
                Nd4j.gemm(dOut, t.get(module + ".weight"), dx, false, true, 1.0, 1.0);
            }
            if (adapted.contains(module)) {
                INDArray b = t.get(module + ".lora_B");
                INDArray dxa = Nd4j.createUninitialized(dOut.dataType(), new long[] {dOut.size(0), b.size(1)},
                        LowRankMath.productOrder(dOut, b)); // [rows, r]
                LowRankMath.ND4J.backward(dOut, in, down.get(module), b, scale, grads.get(module + ".lora_A"),
                        grads.get(module + ".lora_B"), dxa);
                if (dx != null) {
                    LowRankMath.ND4J.inputGradient(dxa, t.get(module + ".lora_A"), scale, dx);
                }
            }
        }

        /** A dense module's backward pass into a new input gradient. */
        private INDArray denseBackward(INDArray in, INDArray dOut, String module) {
            INDArray dx = Nd4j.createUninitialized(in.dataType(), in.shape(), 'c').assign(0);
            denseBackward(in, dOut, module, dx);
            return dx;
        }

        /** {@code [b * l, hidden]} to {@code [b, heads, l, size]}, contiguous. */
        private INDArray split(INDArray rows) {
            return rows.reshape(batch, len, heads, size).permute(0, 2, 1, 3).dup('c');
        }

        /** {@code [b, heads, l, size]} to {@code [b * l, hidden]}, contiguous. */
        private INDArray merge(INDArray perHead) {
            return perHead.permute(0, 2, 1, 3).dup('c').reshape((long) batch * len, (long) heads * size);
        }
    }
}
