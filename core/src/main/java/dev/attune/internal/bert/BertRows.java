package dev.attune.internal.bert;

import dev.attune.internal.math.Gemm;
import dev.attune.internal.multi.RowsAdapter;
import dev.attune.internal.multi.RowsBank;
import dev.attune.internal.multi.RowsModel;
import dev.attune.internal.multi.Segments;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A BERT encoder's inference pass in which each example goes through its own LoRA adapter: the examples
 * sorted by adapter, every linear module computing {@code x W + b} once for all tokens of the batch and
 * adding {@code s (x A_i^T) B_i^T} to the tokens of the examples of adapter {@code i}; then mean pooling
 * and each example's head (its adapter's, else the base model's; none: the pooled embeddings). In float
 * and double on the CPU it runs the written-out pass ({@link BertForward}: padding skipped, row work
 * fused); elsewhere the encoder of {@link BertGraph} written out in ND4J ops over every position.
 * Thread-safe: each concurrent call takes a pass of its own.
 */
public final class BertRows implements RowsModel {
    /** Idle written-out passes kept between calls. */
    private static final int IDLE_PASSES = 2;

    private final BertConfig c;
    private final Map<String, INDArray> t;
    private final DataType type;
    private final String baseHead;
    private final Set<String> modules;
    /** Whether every call runs the ND4J-op pass, whatever its type (to compare the two passes). */
    private final boolean opsOnly;
    /**
     * Written-out passes not in use: a call takes one or makes one; at most {@value #IDLE_PASSES} are kept
     * after use, as each holds the work arrays of the largest batch it ran (47 MB for all-MiniLM-L6-v2 at
     * 2,048 tokens), so a burst of concurrent calls does not keep its memory.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<BertForward> passes =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** An adapter's {@code A} ({@code [r, in]}) and {@code B} ({@code [out, r]}) per module, its head and scale. */
    private record Prepared(Map<String, INDArray[]> lora, INDArray headW, INDArray headB, double scaling, long outputs,
                            long bytes) implements RowsAdapter {
    }

    private BertRows(BertHandle base, boolean opsOnly) {
        this.opsOnly = opsOnly;
        this.c = base.config();
        this.t = base.views();
        this.type = base.dataType();
        this.baseHead = base.headClasses() > 0 ? base.headName() : null;
        this.modules = new HashSet<>(BertLora.linearModules(c));
    }

    /**
     * The per-example pass over a BERT encoder, reading its weights in place.
     *
     * @throws IllegalArgumentException for an encoder that carries LoRA of its own (serve its merged form)
     */
    public static BertRows of(BertHandle base) {
        return new BertRows(requirePlain(base), false);
    }

    /** {@link #of}, every call by the ND4J-op pass (which otherwise runs only where the written-out one does not). */
    static BertRows overOps(BertHandle base) {
        return new BertRows(requirePlain(base), true);
    }

    private static BertHandle requirePlain(BertHandle base) {
        if (base.lora() != null) {
            throw new IllegalArgumentException("the base BERT network carries a LoRA adapter of its own; serve adapters"
                    + " on the encoder they were trained on (Network.of(BertEncoder)), or on this one merged (toNetwork())");
        }
        return base;
    }

    @Override
    public RowsAdapter prepare(String name, AdapterWeights weights, LowRankSpec spec) {
        AdapterWeights.Head head = weights.head();
        Map<String, INDArray[]> lora = new HashMap<>();
        INDArray headW = null;
        INDArray headB = null;
        long bytes = 0;
        for (Map.Entry<String, INDArray> e : weights.tensors().entrySet()) {
            String key = e.getKey();
            INDArray v = e.getValue().castTo(type);
            bytes += v.length() * type.width();
            if (head != null && key.equals(head.name() + ".W")) {
                require(name, key, v, c.hiddenSize(), head.classes());
                headW = v.dup('c');
            } else if (head != null && key.equals(head.name() + ".b")) {
                headB = v.reshape(1, v.length()).dup('c');
                require(name, key, headB, 1, head.classes());
            } else if (key.endsWith(".lora_A") || key.endsWith(".lora_B")) {
                String module = key.substring(0, key.lastIndexOf('.'));
                if (!modules.contains(module)) {
                    throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + key + "' of a module '"
                            + module + "' this encoder has not; it was made for another model");
                }
                INDArray w = t.get(module + ".weight");
                INDArray[] pair = lora.computeIfAbsent(module, m -> new INDArray[2]);
                if (key.endsWith(".lora_A")) {
                    require(name, key, v, v.size(0), w.size(0));
                    pair[0] = v.dup('c');
                } else {
                    require(name, key, v, w.size(1), v.size(v.rank() - 1));
                    pair[1] = v.dup('c');
                }
            } else {
                throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + key + "', which the per-row"
                        + " pass cannot apply (it applies LoRA's lora_A and lora_B and a head's W and b); serve it with"
                        + " AdaptedNetwork");
            }
        }
        for (Map.Entry<String, INDArray[]> e : lora.entrySet()) {
            INDArray[] p = e.getValue();
            if (p[0] == null || p[1] == null || p[0].size(0) != p[1].size(1)) {
                throw new IllegalArgumentException("adapter '" + name + "' holds " + (p[0] == null ? "no lora_A" : p[1] == null
                        ? "no lora_B" : "lora_A and lora_B of different ranks") + " for module '" + e.getKey()
                        + "'; save the adapter again");
            }
        }
        if (head != null && (headW == null || headB == null)) {
            throw new IllegalArgumentException("adapter '" + name + "' has a head '" + head.name() + "' without its W and b"
                    + "; save the adapter with its head again");
        }
        long outputs = headW != null ? headW.size(1) : baseHead != null ? t.get(baseHead + ".W").size(1) : c.hiddenSize();
        return new Prepared(Map.copyOf(lora), headW, headB, spec.scaling(), outputs, bytes);
    }

    private static void require(String name, String key, INDArray v, long rows, long cols) {
        if (v.rank() != 2 || v.size(0) != rows || v.size(1) != cols) {
            throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + key + "' of shape "
                    + Arrays.toString(v.shape()) + ", where this encoder takes [" + rows + ", " + cols + "]; it was made"
                    + " for another model");
        }
    }

    @Override
    public RowsBank bank(List<RowsAdapter> adapters) {
        List<Prepared> slots = new ArrayList<>();
        adapters.forEach(a -> slots.add((Prepared) a));
        int[] keys = new int[slots.size() + 1];
        return (features, rowSlots) -> output(features, rowSlots, slots, keys);
    }

    private INDArray output(INDArray features, int[] rowSlots, List<Prepared> slots, int[] keys) {
        Segments seg = Segments.of(rowSlots, keys);
        long width = -1;
        for (int s = 0; s < seg.count(); s++) {
            long w = seg.slot(s) < 0 ? (baseHead != null ? t.get(baseHead + ".W").size(1) : c.hiddenSize())
                    : slots.get(seg.slot(s)).outputs();
            if (width >= 0 && w != width) {
                throw new IllegalArgumentException("the rows ask for adapters whose outputs differ in width (" + width
                        + " and " + w + ", their heads' classes or the pooled embedding's width); one batch gives one"
                        + " width: send rows of adapters with heads of different classes in separate calls");
            }
            width = w;
        }
        int batch = rowSlots.length;
        int len = (int) features.size(2);
        int[] order = seg.order();
        INDArray sorted = Nd4j.create(DataType.FLOAT, batch, 2, len);
        for (int i = 0; i < batch; i++) {
            sorted.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(features.get(NDArrayIndex.point(order[i]), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        INDArray mask = sorted.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()).dup('c').castTo(type);
        INDArray pooled = !opsOnly && BertForward.supports(type) ? writtenOutPooled(sorted, mask, seg, slots)
                : opsPooled(sorted, mask, seg, slots);
        INDArray out = Nd4j.create(type, batch, width);
        for (int s = 0; s < seg.count(); s++) {
            Prepared p = seg.slot(s) < 0 ? null : slots.get(seg.slot(s));
            INDArray w = p != null && p.headW() != null ? p.headW() : baseHead != null ? t.get(baseHead + ".W") : null;
            INDArray b = p != null && p.headW() != null ? p.headB() : baseHead != null ? t.get(baseHead + ".b") : null;
            INDArray rows = pooled.get(NDArrayIndex.interval(seg.start(s), seg.end(s)), NDArrayIndex.all());
            INDArray target = out.get(NDArrayIndex.interval(seg.start(s), seg.end(s)), NDArrayIndex.all());
            if (w == null) {
                target.assign(rows);
            } else {
                target.assign(Transforms.softmax(rows.mmul(w).addiRowVector(b), false));
            }
        }
        return seg.identity() ? out : Nd4j.pullRows(out, 1, seg.inverse(), 'c');
    }

    /**
     * The pooled embeddings of the sorted features by the written-out pass: each base product once for
     * every token, each adapter's LoRA products on its examples' tokens, padding skipped.
     */
    private INDArray writtenOutPooled(INDArray sorted, INDArray mask, Segments seg, List<Prepared> slots) {
        List<BertForward.Adapter> adapters = new ArrayList<>();
        for (int s = 0; s < seg.count(); s++) {
            Prepared p = seg.slot(s) < 0 ? null : slots.get(seg.slot(s));
            if (p != null && !p.lora().isEmpty()) {
                adapters.add(new BertForward.Adapter(seg.start(s), seg.end(s), p.lora(), p.scaling()));
            }
        }
        BertForward pass = passes.poll();
        if (pass == null) {
            pass = new BertForward(c, type);
        }
        try {
            return pass.pooled(t, adapters, sorted.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()),
                    mask);
        } finally {
            if (passes.size() < IDLE_PASSES) {
                passes.offer(pass);
            }
        }
    }

    /**
     * The pooled embeddings of the sorted features by ND4J ops over every position, for the types and
     * backends the written-out pass does not run.
     */
    private INDArray opsPooled(INDArray sorted, INDArray mask, Segments seg, List<Prepared> slots) {
        int batch = (int) sorted.size(0);
        int len = (int) sorted.size(2);
        int[] ids = sorted.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup('c')
                .castTo(DataType.INT32).data().asInt();
        int h = c.hiddenSize();
        INDArray e = Nd4j.pullRows(t.get(BertGraph.WORDS), 1, ids); // [batch * len, h]
        INDArray positions = t.get("embeddings.position_embeddings.weight").get(NDArrayIndex.interval(0, len),
                NDArrayIndex.all());
        Nd4j.exec(new BroadcastAddOp(e.reshape(batch, len, h), positions, e.reshape(batch, len, h), 1, 2));
        e.addiRowVector(t.get("embeddings.token_type_embeddings.weight").getRow(0));
        INDArray x = norm(e, "embeddings.LayerNorm");
        INDArray additive = mask.rsub(1.0).muli(BertGraph.MASK_VALUE);
        for (int n = 0; n < c.numLayers(); n++) {
            x = layer("encoder." + n + ".", x, additive, batch, len, seg, slots);
        }
        INDArray pool = mask.divColumnVector(mask.sum(true, 1));
        return Nd4j.matmul(pool.reshape(batch, 1, len), x.reshape(batch, len, h), null, false, false, false)
                .reshape(batch, h);
    }

    private INDArray layer(String p, INDArray x, INDArray additive, int batch, int len, Segments seg,
                           List<Prepared> slots) {
        int heads = c.numHeads();
        int size = c.headSize();
        INDArray q = split(dense(x, p + "attention.self.query", seg, slots, len), batch, len);
        INDArray k = split(dense(x, p + "attention.self.key", seg, slots, len), batch, len);
        INDArray v = split(dense(x, p + "attention.self.value", seg, slots, len), batch, len);
        INDArray scores = Nd4j.matmul(q, k, null, false, true, false).muli(1 / Math.sqrt(size));
        Nd4j.exec(new BroadcastAddOp(scores, additive, scores, 0, 3));
        INDArray probs = Nd4j.exec(new SoftMax(scores, scores, 3))[0];
        INDArray context = Nd4j.matmul(probs, v, null, false, false, false).permute(0, 2, 1, 3).dup('c')
                .reshape((long) batch * len, (long) heads * size);
        INDArray attended = norm(dense(context, p + "attention.output.dense", seg, slots, len).addi(x),
                p + "attention.output.LayerNorm");
        INDArray inner = dense(attended, p + "intermediate.dense", seg, slots, len);
        INDArray erf = inner.mul(1 / Math.sqrt(2));
        Nd4j.exec(new Erf(erf, erf));
        INDArray activated = erf.addi(1.0).muli(inner).muli(0.5);
        return norm(dense(activated, p + "output.dense", seg, slots, len).addi(attended), p + "output.LayerNorm");
    }

    /** {@code x W + b} for every token, plus each example's adapter's {@code s (x A^T) B^T} on its tokens. */
    private INDArray dense(INDArray in, String module, Segments seg, List<Prepared> slots, int len) {
        INDArray w = t.get(module + ".weight");
        INDArray out = Nd4j.createUninitialized(type, in.size(0), w.size(1));
        Gemm.gemm(in, w, out, false, false, 1, 0);
        out.addiRowVector(t.get(module + ".bias"));
        for (int s = 0; s < seg.count(); s++) {
            if (seg.slot(s) < 0) {
                continue;
            }
            Prepared p = slots.get(seg.slot(s));
            INDArray[] ab = p.lora().get(module);
            if (ab == null) {
                continue;
            }
            long from = (long) seg.start(s) * len;
            long to = (long) seg.end(s) * len;
            INDArray xs = in.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            INDArray down = Nd4j.createUninitialized(type, to - from, ab[0].size(0));
            Gemm.gemm(xs, ab[0], down, false, true, 1, 0);
            Gemm.gemm(down, ab[1], out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()), false, true,
                    p.scaling(), 1);
        }
        return out;
    }

    private INDArray norm(INDArray x, String module) {
        INDArray centred = x.subColumnVector(x.mean(true, 1));
        INDArray rstd = Transforms.pow(centred.mul(centred).mean(true, 1).addi(c.layerNormEps()), -0.5, false);
        return centred.muliColumnVector(rstd).muliRowVector(t.get(module + ".weight")).addiRowVector(t.get(module + ".bias"));
    }

    private INDArray split(INDArray rows, int batch, int len) {
        return rows.reshape(batch, len, c.numHeads(), c.headSize()).permute(0, 2, 1, 3).dup('c');
    }
}
