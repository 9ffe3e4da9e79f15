package dev.attune.internal.dl4j;

import dev.attune.internal.math.FlatArray;
import dev.attune.internal.math.Gemm;
import dev.attune.internal.math.Rows;
import dev.attune.internal.multi.Gather;
import dev.attune.internal.multi.RowsAdapter;
import dev.attune.internal.multi.RowsBank;
import dev.attune.internal.multi.RowsModel;
import dev.attune.internal.multi.Segments;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A dense multi-layer network's forward pass in which each row goes through its own LoRA adapter:
 * every layer computes {@code x W + b} once for the batch, then adds {@code s (x A_i^T) B_i^T} for each
 * row's adapter {@code i}: as two matrix-vector products per row ({@link Gather#ROW_PRODUCTS}), as two
 * matrix products per group of rows of one adapter ({@link Gather#SEGMENTS}), the first where the
 * backend allows it ({@link Gather#MIXED}), or over gathered tensors ({@link Gather#GATHERED}). An
 * adapter may also carry its own weights for a layer (a new head, a layer trained in full) or its own
 * biases; rows of such adapters run that layer with them (their rows grouped by adapter first; a batch
 * of LoRA updates alone runs in its own order).
 */
public final class DenseRows implements RowsModel {
    private static final Activation HEAD = Activation.SOFTMAX;
    private static final boolean CPU = Nd4j.getBackend().getClass().getName()
            .equals("org.nd4j.linalg.cpu.nativecpu.CpuBackend");
    private final Dense[] layers;
    private final Map<String, Integer> index = new LinkedHashMap<>();
    private final DataType type;
    private final Gather gather;

    /** One dense layer of the base: its weights {@code [in, out]}, bias ({@code null} for none) and activation. */
    private record Dense(String name, INDArray w, INDArray b, IActivation activation) {
        long in() {
            return w.size(0);
        }

        long out() {
            return w.size(1);
        }
    }

    /**
     * One adapter's tensors for one layer, each {@code null} when it has none: {@code A} ({@code [r, in]}),
     * {@code B^T} ({@code [r, out]}), both c-ordered, its own weights and bias; and for the matrix-vector
     * products, {@code A} and {@code B^T} as flat arrays ({@code null} off ND4J's CPU backend or for a type
     * other than float and double).
     */
    private record Part(INDArray a, INDArray bt, INDArray w, INDArray b, FlatArray flatA, FlatArray flatBt) {
        long bytes() {
            long n = 0;
            for (INDArray t : new INDArray[] {a, bt, w, b}) {
                n += t == null ? 0 : t.length() * t.dataType().width();
            }
            return n;
        }

        int rank() {
            return (int) a.size(0);
        }
    }

    /** An adapter ready for the per-row pass: a part per layer ({@code null} where it changes nothing). */
    private record Prepared(Part[] parts, double scaling, IActivation head, long outputs, boolean ownWeights)
            implements RowsAdapter {
        @Override
        public long bytes() {
            long n = 0;
            for (Part p : parts) {
                n += p == null ? 0 : p.bytes();
            }
            return n;
        }
    }

    private DenseRows(Dense[] layers, DataType type, Gather gather) {
        this.layers = layers;
        this.type = type;
        this.gather = gather;
        for (int i = 0; i < layers.length; i++) {
            index.put(layers[i].name(), i);
        }
    }

    /**
     * The per-row pass over a network of dense layers ({@code DenseLayer} and a dense {@code OutputLayer},
     * frozen or not, no input preprocessor), reading its weights in place.
     *
     * @throws IllegalArgumentException for a network with another kind of layer (the message names it)
     */
    public static DenseRows of(MultiLayerNetwork net, Gather gather) {
        int n = net.getnLayers();
        Dense[] layers = new Dense[n];
        for (int i = 0; i < n; i++) {
            Layer conf = MlnHandle.unfrozen(net.getLayerWiseConfigurations().getConf(i).getLayer());
            if (!(conf instanceof DenseLayer || conf instanceof OutputLayer)
                    || net.getLayerWiseConfigurations().getInputPreProcess(i) != null) {
                throw new IllegalArgumentException("layer '" + conf.getLayerName() + "' is a " + conf.getClass().getSimpleName()
                        + (net.getLayerWiseConfigurations().getInputPreProcess(i) != null ? " with an input preprocessor" : "")
                        + "; MultiAdapterNetwork serves multi-layer networks of DenseLayer and OutputLayer layers (and BERT"
                        + " encoders); serve this network's adapters with AdaptedNetwork, one adapter at a time");
            }
            var p = net.getLayer(i).paramTable();
            layers[i] = new Dense(conf.getLayerName(), p.get("W"), p.get("b"),
                    ((org.deeplearning4j.nn.conf.layers.BaseLayer) conf).getActivationFn());
        }
        return new DenseRows(layers, net.params().dataType(), gather);
    }

    @Override
    public RowsAdapter prepare(String name, AdapterWeights weights, LowRankSpec spec) {
        int last = layers.length - 1;
        AdapterWeights.Head head = weights.head();
        Map<Integer, Map<String, INDArray>> byLayer = new LinkedHashMap<>();
        weights.tensors().forEach((key, t) -> {
            int dot = key.lastIndexOf('.');
            String layer = dot < 0 ? key : key.substring(0, dot);
            String kind = dot < 0 ? "" : key.substring(dot + 1);
            Integer at = head != null && layer.equals(head.name()) ? Integer.valueOf(last) : index.get(layer);
            if (at == null) {
                throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + key + "' of a layer '" + layer
                        + "' this network has not (its layers are " + index.keySet() + "); it was made for another model");
            }
            if (!List.of("lora_A", "lora_B", "W", "b").contains(kind)) {
                throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + key + "', which the per-row"
                        + " pass cannot apply (it applies lora_A, lora_B, W and b); serve it with AdaptedNetwork");
            }
            byLayer.computeIfAbsent(at, k -> new LinkedHashMap<>()).put(kind, t.castTo(type));
        });
        if (head != null && byLayer.getOrDefault(last, Map.of()).get("W") == null) {
            throw new IllegalArgumentException("adapter '" + name + "' has a head '" + head.name() + "' but no tensor '"
                    + head.name() + ".W'; save the adapter with its head again");
        }
        Part[] parts = new Part[layers.length];
        boolean own = false;
        for (var e : byLayer.entrySet()) {
            int i = e.getKey();
            Dense d = layers[i];
            Map<String, INDArray> m = e.getValue();
            INDArray w = m.get("W");
            long out = w != null ? w.size(1) : d.out();
            if (w != null) {
                requireShape(name, d, "W", w, d.in(), i == last ? out : d.out());
                own = true;
            }
            INDArray b = m.get("b");
            if (b != null) {
                b = b.reshape(1, b.length());
                requireShape(name, d, "b", b, 1, out);
            } else if (w != null && d.b() != null && !(i == last && head != null)) {
                b = d.b();
            } else if (w != null && i == last && head != null) {
                b = Nd4j.zeros(type, 1, out);
            }
            INDArray a = m.get("lora_A");
            INDArray bb = m.get("lora_B");
            if ((a == null) != (bb == null)) {
                throw new IllegalArgumentException("adapter '" + name + "' holds " + (a == null ? "lora_B" : "lora_A")
                        + " of layer '" + d.name() + "' without " + (a == null ? "lora_A" : "lora_B") + "; save it again");
            }
            if (a != null) {
                requireShape(name, d, "lora_A", a, a.size(0), d.in());
                requireShape(name, d, "lora_B", bb, out, a.size(0));
            }
            INDArray ac = a == null ? null : a.dup('c');
            INDArray btc = bb == null ? null : bb.transpose().dup('c');
            boolean flat = a != null && rowReady(type) && (gather == Gather.ROW_PRODUCTS || gather == Gather.MIXED);
            Part p = new Part(ac, btc, w == null ? null : w.dup('c'), b == null ? null : b.dup('c'),
                    flat ? FlatArray.of(ac) : null, flat ? FlatArray.of(btc) : null);
            parts[i] = p;
        }
        long outputs = parts[last] != null && parts[last].w() != null ? parts[last].w().size(1) : layers[last].out();
        return new Prepared(parts, spec.scaling(), head == null ? null : HEAD.getActivationFunction(), outputs, own);
    }

    /**
     * Whether the per-row matrix-vector products serve a network of this precision: float or double on
     * ND4J's CPU backend, whose OpenBLAS takes each row where it lies.
     */
    private static boolean rowReady(DataType type) {
        return (type == DataType.FLOAT || type == DataType.DOUBLE) && CPU;
    }

    private static void requireShape(String name, Dense d, String kind, INDArray t, long rows, long cols) {
        if (t.rank() != 2 || t.size(0) != rows || t.size(1) != cols) {
            throw new IllegalArgumentException("adapter '" + name + "' holds tensor '" + d.name() + "." + kind + "' of shape "
                    + Arrays.toString(t.shape()) + ", where this network's layer '" + d.name() + "' takes [" + rows + ", "
                    + cols + "]; it was made for another model");
        }
    }

    @Override
    public RowsBank bank(List<RowsAdapter> adapters) {
        List<Prepared> list = new ArrayList<>();
        adapters.forEach(a -> list.add((Prepared) a));
        return gather == Gather.GATHERED ? new Bank(list, stacked(list)) : new Bank(list, null);
    }

    /**
     * For {@link Gather#GATHERED}: per layer, every slot's {@code A^T} and {@code s B^T} flattened into rows of
     * one matrix each, padded with zeros to the largest rank; row 0 is zero (rows of no LoRA there).
     */
    private INDArray[][] stacked(List<Prepared> list) {
        INDArray[][] out = new INDArray[layers.length][];
        for (int l = 0; l < layers.length; l++) {
            long r = 0;
            for (Prepared p : list) {
                Part part = p.parts()[l];
                if (part != null && part.a() != null) {
                    r = Math.max(r, part.a().size(0));
                }
            }
            if (r == 0) {
                continue;
            }
            long in = layers[l].in();
            long width = layers[l].out();
            INDArray as = Nd4j.zeros(type, list.size() + 1, in * r);
            INDArray bs = Nd4j.zeros(type, list.size() + 1, r * width);
            for (int s = 0; s < list.size(); s++) {
                Part part = list.get(s).parts()[l];
                if (part == null || part.a() == null || part.bt().size(1) != width) {
                    continue;
                }
                long k = part.a().size(0);
                INDArray a = Nd4j.zeros(type, in, r);
                a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, k)).assign(part.a().transpose());
                INDArray b = Nd4j.zeros(type, r, width);
                b.get(NDArrayIndex.interval(0, k), NDArrayIndex.all()).assign(part.bt().mul(list.get(s).scaling()));
                as.getRow(s + 1).assign(a.reshape(1, in * r));
                bs.getRow(s + 1).assign(b.reshape(1, r * width));
            }
            out[l] = new INDArray[] {as, bs};
        }
        return out;
    }

    /** The adapters of one snapshot and the per-row pass over them. */
    private final class Bank implements RowsBank {
        private final List<Prepared> slots;
        private final INDArray[][] stacked;
        private final int[] keys;
        /** Per slot, whether its adapter only adds low-rank updates (no weights, bias or head of its own). */
        private final boolean[] lowRankOnly;

        Bank(List<Prepared> slots, INDArray[][] stacked) {
            this.slots = slots;
            this.stacked = stacked;
            // Rows of adapters with weights of their own go last: the base rows before them form one run.
            keys = new int[slots.size() + 1];
            lowRankOnly = new boolean[slots.size()];
            for (int s = 0; s < slots.size(); s++) {
                Prepared p = slots.get(s);
                keys[s + 1] = p.ownWeights() ? 1 : 0;
                lowRankOnly[s] = !p.ownWeights() && p.head() == null
                        && Arrays.stream(p.parts()).allMatch(part -> part == null || part.b() == null);
            }
        }

        @Override
        public INDArray output(INDArray features, int[] rowSlots) {
            if (inBatchOrder(rowSlots)) {
                return inBatchOrderOutput(features, rowSlots);
            }
            Segments seg = Segments.of(rowSlots, keys);
            long width = -1;
            for (int s = 0; s < seg.count(); s++) {
                long w = seg.slot(s) < 0 ? layers[layers.length - 1].out() : slots.get(seg.slot(s)).outputs();
                if (width >= 0 && w != width) {
                    throw new IllegalArgumentException("the rows ask for adapters whose outputs differ in width (" + width
                            + " and " + w + ", their heads' classes); one batch gives one width: send rows of adapters"
                            + " with heads of different classes in separate calls");
                }
                width = w;
            }
            boolean same = seg.identity();
            INDArray x = features.castTo(type);
            x = same ? x.dup('c') : Nd4j.pullRows(x, 1, seg.order(), 'c');
            int n = rowSlots.length;
            int[] gatherIdx = null;
            if (stacked != null) {
                gatherIdx = new int[n];
                int[] order = seg.order();
                for (int i = 0; i < n; i++) {
                    gatherIdx[i] = Math.max(rowSlots[order[i]], -1) + 1;
                }
            }
            for (int l = 0; l < layers.length; l++) {
                x = layer(l, x, seg, gatherIdx);
            }
            return same ? x : Nd4j.pullRows(x, 1, seg.inverse(), 'c');
        }

        private INDArray layer(int l, INDArray x, Segments seg, int[] gatherIdx) {
            Dense d = layers[l];
            int n = (int) x.size(0);
            long width = -1;
            for (int s = 0; s < seg.count(); s++) {
                Part p = part(seg.slot(s), l);
                width = p != null && p.w() != null ? p.w().size(1) : d.out();
            }
            INDArray z = Nd4j.createUninitialized(type, n, width);
            // x W + b: one product per run of segments on the base weights, one per segment with its own.
            int s = 0;
            while (s < seg.count()) {
                Part p = part(seg.slot(s), l);
                if (p != null && p.w() != null) {
                    INDArray zs = rows(z, seg.start(s), seg.end(s));
                    Gemm.gemm(rows(x, seg.start(s), seg.end(s)), p.w(), zs, false, false, 1, 0);
                    if (p.b() != null) {
                        zs.addiRowVector(p.b());
                    }
                    s++;
                    continue;
                }
                int e = s;
                while (e < seg.count() && (part(seg.slot(e), l) == null || part(seg.slot(e), l).w() == null)) {
                    e++;
                }
                INDArray zs = rows(z, seg.start(s), seg.end(e - 1));
                Gemm.gemm(rows(x, seg.start(s), seg.end(e - 1)), d.w(), zs, false, false, 1, 0);
                if (d.b() != null) {
                    zs.addiRowVector(d.b());
                }
                for (int k = s; k < e; k++) {
                    Part q = part(seg.slot(k), l);
                    if (q != null && q.b() != null) {
                        INDArray rowsK = rows(z, seg.start(k), seg.end(k));
                        rowsK.addiRowVector(d.b() == null ? q.b() : q.b().sub(d.b()));
                    }
                }
                s = e;
            }
            // The low-rank updates.
            if (stacked != null && stacked[l] != null) {
                long in = d.in();
                long r = stacked[l][0].size(1) / in;
                INDArray ga = Nd4j.pullRows(stacked[l][0], 1, gatherIdx, 'c').reshape('c', n, in, r);
                INDArray gb = Nd4j.pullRows(stacked[l][1], 1, gatherIdx, 'c').reshape('c', n, r, width);
                INDArray t = Nd4j.matmul(x.reshape('c', n, 1, in), ga);
                INDArray u = Nd4j.matmul(t, gb);
                z.addi(u.reshape('c', n, width));
                // Rows whose adapter's B^T has another width than the base's (a head) were left out of the stack.
                for (int k = 0; k < seg.count(); k++) {
                    Part p = part(seg.slot(k), l);
                    if (p != null && p.a() != null && p.bt().size(1) != d.out()) {
                        lowRank(x, z, seg, k, p, slots.get(seg.slot(k)).scaling());
                    }
                }
            } else if (perRow()) {
                int[] rowSlot = new int[n];
                for (int k = 0; k < seg.count(); k++) {
                    Arrays.fill(rowSlot, seg.start(k), seg.end(k), seg.slot(k));
                }
                rowProducts(x, z, rowSlot, l);
            } else {
                for (int k = 0; k < seg.count(); k++) {
                    Part p = part(seg.slot(k), l);
                    if (p != null && p.a() != null) {
                        lowRank(x, z, seg, k, p, slots.get(seg.slot(k)).scaling());
                    }
                }
            }
            // The activation: the base layer's, or a head's softmax, per run of rows.
            int k = 0;
            while (k < seg.count()) {
                IActivation act = activation(seg.slot(k), l);
                int e = k + 1;
                while (e < seg.count() && activation(seg.slot(e), l).equals(act)) {
                    e++;
                }
                INDArray zs = rows(z, seg.start(k), seg.end(e - 1));
                INDArray a = act.getActivation(zs, false);
                if (a != zs) {
                    zs.assign(a);
                }
                k = e;
            }
            return z;
        }

        /**
         * Whether this layer's low-rank updates run per row: for {@link Gather#ROW_PRODUCTS}, and for
         * {@link Gather#MIXED} wherever the backend allows it (float or double on the CPU), as even one
         * adapter's group of 128 rows costs no less as two matrix products.
         */
        private boolean perRow() {
            return rowReady(type) && (gather == Gather.ROW_PRODUCTS || gather == Gather.MIXED);
        }

        /**
         * Whether the batch runs in its own order, with no rows moved: each row's adapter only adds low-rank
         * updates (no weights, bias or head of its own) and every layer's updates run per row, which takes
         * each row where it is. Otherwise rows are grouped by adapter first.
         */
        private boolean inBatchOrder(int[] rowSlots) {
            if (!rowReady(type) || gather == Gather.SEGMENTS || gather == Gather.GATHERED) {
                return false;
            }
            for (int slot : rowSlots) {
                if (slot >= 0 && !lowRankOnly[slot]) {
                    return false;
                }
            }
            return true;
        }

        /** The pass when {@link #inBatchOrder} holds: per layer {@code x W + b}, the rows' updates, the activation. */
        private INDArray inBatchOrderOutput(INDArray features, int[] rowSlots) {
            INDArray x = features.castTo(type);
            if (x.isView() || x.ordering() != 'c' || x.offset() != 0) {
                x = x.dup('c');
            }
            for (int l = 0; l < layers.length; l++) {
                Dense d = layers[l];
                INDArray z = Nd4j.createUninitialized(type, x.size(0), d.out());
                Gemm.gemm(x, d.w(), z, false, false, 1, 0);
                if (d.b() != null) {
                    z.addiRowVector(d.b());
                }
                rowProducts(x, z, rowSlots, l);
                INDArray a = d.activation().getActivation(z, false);
                if (a != z) {
                    z.assign(a);
                }
                x = z;
            }
            return x;
        }

        /**
         * Every row's low-rank update of layer {@code l}, where the rows lie: for row {@code i} of the
         * adapter in slot {@code rowSlot[i]} (none when negative), {@code h = A x_i} and {@code z_i += s B h},
         * two BLAS matrix-vector products ({@code r (in + out)} multiply-adds; no ND4J op or view), so the
         * cost of a batch does not grow with the number of adapters in it.
         */
        private void rowProducts(INDArray x, INDArray z, int[] rowSlot, int l) {
            int r = maxRank(rowSlot, l);
            if (r == 0) {
                return;
            }
            int in = (int) x.size(1);
            int out = (int) z.size(1);
            FlatArray fx = FlatArray.of(x.isView() || x.ordering() != 'c' || x.offset() != 0 ? x.dup('c') : x);
            FlatArray fz = FlatArray.of(z);
            FlatArray h = FlatArray.create(type, r);
            for (int i = 0; i < rowSlot.length; i++) {
                int slot = rowSlot[i];
                Part p = part(slot, l);
                if (p != null && p.a() != null) {
                    int k = p.rank();
                    FlatArray.gemv(false, k, in, 1, p.flatA(), 0, in, fx, (long) i * in, 0, h, 0);
                    FlatArray.gemv(true, k, out, slots.get(slot).scaling(), p.flatBt(), 0, out, h, 0, 1, fz, (long) i * out);
                }
            }
        }

        private int maxRank(int[] rowSlot, int l) {
            int r = 0;
            for (int slot : rowSlot) {
                Part p = part(slot, l);
                if (p != null && p.a() != null) {
                    r = Math.max(r, p.rank());
                }
            }
            return r;
        }

        private void lowRank(INDArray x, INDArray z, Segments seg, int k, Part p, double scaling) {
            INDArray xs = rows(x, seg.start(k), seg.end(k));
            INDArray t = Nd4j.createUninitialized(type, xs.size(0), p.rank());
            Gemm.gemm(xs, p.a(), t, false, true, 1, 0);
            Gemm.gemm(t, p.bt(), rows(z, seg.start(k), seg.end(k)), false, false, scaling, 1);
        }

        private Part part(int slot, int layer) {
            return slot < 0 ? null : slots.get(slot).parts()[layer];
        }

        private IActivation activation(int slot, int layer) {
            if (layer == layers.length - 1 && slot >= 0 && slots.get(slot).head() != null) {
                return slots.get(slot).head();
            }
            return layers[layer].activation();
        }
    }

    private static INDArray rows(INDArray m, int from, int to) {
        return Rows.of(m, from, to);
    }
}
