package dev.attune.adapters.lora;

import dev.attune.internal.math.Gemm;
import dev.attune.internal.math.LowRankMath;
import dev.attune.spi.AdaptedLayer;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward and backward pass of one LoRA layer, in whole-array ND4J ops (matrix products into
 * preallocated arrays, broadcasts), so that the CPU and the CUDA backend run the same code.
 *
 * <pre>
 *   h = (x o m) A^T                 [N, r]     m: inverted-dropout mask on the adapter's input
 *   z = x W + s h B^T + b           [N, out]
 *   given d = dL/dz:
 *   dB = s d^T h,  g = d B,  dA = s g^T (x o m),  db = sum(d),
 *   dL/dx = d W^T + s (g A) o m     (only when a layer below trains)
 * </pre>
 *
 * No gradient is computed for the frozen {@code W}.
 *
 * <p>DoRA scales each output unit: with {@code V = W + s (B A)^T}, {@code n = ||V||} per column and
 * {@code c = m / n}, {@code z = (x W + s h B^T) c + b}. Given {@code d}: {@code u = z - b} before
 * scaling, {@code dc = sum(d o u)}, {@code dm = dc / n}, {@code dn = -dc m / n^2}; the LoRA gradients
 * above with {@code d c} in place of {@code d}, plus the norm's path {@code G = V dn / n}:
 * {@code dA += s (G B)^T}, {@code dB += s G^T A^T}.
 *
 * <p>A layer that runs with whole weights instead (a convolution, whose kernel is bound here as the
 * {@code [in kH kW, out]} matrix it is to a matrix product) takes them from {@link #runWeights}
 * ({@code V}, or {@code c V} for DoRA) and hands their gradient {@code G} to
 * {@link #backwardFromWeights}: {@code dL/dV} is {@code G} for LoRA and {@code c G + V dn / n} for
 * DoRA with {@code dc} the column sums of {@code G o V}, and {@code dA = s B^T (dL/dV)^T},
 * {@code dB = s (dL/dV)^T A^T}. Merging, unmerging and folding are the same for both kinds.
 *
 * <p>A layer of rank 0 (not a target, {@link Lora.Bias#ALL}) has no update: it trains its bias alone.
 */
final class LoraMath implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String layerName;
    private final LoraSpec spec;
    private INDArray w;
    private INDArray bias;
    private boolean merged;
    private boolean inputGradient = true;
    private transient INDArray ones;
    private transient INDArray cachedInput;
    private transient INDArray cachedH;
    private transient INDArray cachedMask;
    private transient INDArray cachedU;
    private transient INDArray cachedV;
    private transient INDArray cachedNorm;
    /** DoRA's scale {@code m / n} at merge time, to unmerge. */
    private INDArray mergedScale;

    LoraMath(String layerName, LoraSpec spec) {
        this.layerName = layerName;
        this.spec = spec;
    }

    void bind(Map<String, INDArray> base, Map<String, INDArray> params) {
        INDArray weights = base.get("W");
        if (weights == null) {
            throw new IllegalArgumentException("layer '" + layerName + "' has no weights 'W' to adapt; it holds " + base.keySet());
        }
        long in = spec.hasUpdate() ? params.get(LoraParams.A).size(1) : weights.size(0);
        long out = spec.hasUpdate() ? params.get(LoraParams.B).size(0) : weights.size(1);
        if (weights.rank() != 2 || weights.size(0) != in || weights.size(1) != out
                || (params.containsKey(LoraParams.BIAS) && weights.size(1) != params.get(LoraParams.BIAS).length())) {
            throw new IllegalArgumentException("layer '" + layerName + "': base weights of shape "
                    + java.util.Arrays.toString(weights.shape()) + " do not fit the adapter ([" + in + ", "
                    + out + "] expected)");
        }
        bindWeights(weights, base.get("b"), params);
    }

    /**
     * Binds the frozen weights as an {@code [in, out]} matrix (a convolution's kernel as a view of shape
     * {@code [in kH kW, out]}), which merging writes through, and the frozen bias (or null); sets a
     * trained bias to it and DoRA's magnitude to the weights' column norms.
     */
    void bindWeights(INDArray weights, INDArray baseBias, Map<String, INDArray> params) {
        this.w = weights;
        this.bias = baseBias;
        if (params.containsKey(LoraParams.BIAS)) {
            params.get(LoraParams.BIAS).assign(baseBias);
        }
        if (params.containsKey(LoraParams.MAGNITUDE)) {
            params.get(LoraParams.MAGNITUDE).assign(weights.norm2(0));
        }
    }

    private void checkBound() {
        if (w == null) {
            throw new IllegalStateException("the LoRA layer '" + layerName + "' has no base weights bound yet");
        }
    }

    private void checkNotMerged() {
        if (merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + layerName
                    + "' is merged into its base weights; unmerge() it before training");
        }
    }

    void inputGradientNeeded(boolean needed) {
        this.inputGradient = needed;
    }

    boolean isMerged() {
        return merged;
    }

    /**
     * The layer as a plain low-rank update for Attune's fused dense step, over the live parameters and
     * gradient views; {@code null} for DoRA, dropout on the adapter's input, a merged or an unbound adapter.
     */
    AdaptedLayer.LowRank lowRank(Map<String, INDArray> params, Map<String, INDArray> gradientViews) {
        if (w == null || merged || spec.dora() || spec.dropout() > 0) {
            return null;
        }
        return new AdaptedLayer.LowRank(w, params.getOrDefault(LoraParams.BIAS, bias), gradientViews.get(LoraParams.BIAS),
                params.get(LoraParams.A), params.get(LoraParams.B), gradientViews.get(LoraParams.A),
                gradientViews.get(LoraParams.B), spec.scaling());
    }

    /** The pre-activation {@code z}; in training, keeps what the backward pass needs. */
    INDArray preOutput(INDArray x, Map<String, INDArray> params, boolean training, LayerWorkspaceMgr mgr) {
        checkBound();
        long n = x.size(0);
        INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[] {n, w.size(1)}, 'c');
        Gemm.gemm(x, w, z, false, false, 1.0, 0.0);
        if (!merged && spec.hasUpdate()) {
            INDArray a = params.get(LoraParams.A);
            INDArray b = params.get(LoraParams.B);
            INDArray xd = x;
            INDArray mask = null;
            if (training && spec.dropout() > 0) {
                // Both live until the backward pass, with the layer's activations.
                double keep = 1 - spec.dropout();
                mask = mgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
                Nd4j.rand(mask);
                mask.assign(mask.lt(keep)).divi(keep);
                xd = mgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
                xd.assign(x).muli(mask);
            }
            INDArray h = mgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[] {n, spec.rank()}, 'f');
            LowRankMath.DIRECT.forward(xd, a, b, spec.scaling(), h, z);
            if (training) {
                cachedInput = xd;
                cachedH = h;
                cachedMask = mask;
            }
            if (spec.dora()) {
                INDArray v = w.add(delta(params));
                INDArray norm = v.norm2(0);
                if (training) {
                    // Kept for the backward pass with the layer's activations, not in this layer's working memory.
                    cachedU = mgr.dup(ArrayType.ACTIVATIONS, z);
                    cachedV = mgr.dup(ArrayType.ACTIVATIONS, v);
                    cachedNorm = mgr.dup(ArrayType.ACTIVATIONS, norm);
                }
                z.muliRowVector(params.get(LoraParams.MAGNITUDE).div(norm));
            }
        }
        INDArray b = params.getOrDefault(LoraParams.BIAS, bias);
        if (b != null) {
            // z += 1 b: a rank-1 product, cheaper here than a row-vector broadcast.
            Gemm.gemm(ones(n, 1, z.dataType()), b.reshape(1, b.length()), z, false, false, 1.0, 1.0);
        }
        return z;
    }

    /** A column ({@code [n, 1]}) or row ({@code [1, n]}) of ones, kept outside every workspace and reused. */
    private INDArray ones(long rows, long columns, org.nd4j.linalg.api.buffer.DataType type) {
        long n = Math.max(rows, columns);
        INDArray o = ones;
        if (o == null || o.length() < n || o.dataType() != type) {
            try (var scope = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                o = Nd4j.ones(type, Math.max(n, 256));
            }
            ones = o;
        }
        return o.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).reshape(rows, columns);
    }

    /**
     * Writes the adapter's gradients for {@code delta = dL/dz} into their views and returns
     * {@code dL/dx}, or {@code null} when no layer below needs it. Needs the training forward pass
     * of the same batch just before.
     */
    INDArray backward(INDArray delta, Map<String, INDArray> params, Map<String, INDArray> gradientViews,
                      Gradient gradient, LayerWorkspaceMgr mgr) {
        checkNotMerged();
        if (spec.hasUpdate() && cachedH == null) {
            throw new IllegalStateException("no training forward pass of layer '" + layerName + "' to backpropagate");
        }
        double s = spec.scaling();
        if (gradientViews.containsKey(LoraParams.BIAS)) {
            INDArray gb = gradientViews.get(LoraParams.BIAS);
            // The column sums of delta as 1^T delta: a matrix product, cheaper here than a reduction.
            Gemm.gemm(ones(1, delta.size(0), delta.dataType()), delta, gb.reshape(1, gb.length()), false, false, 1.0, 0.0);
            gradient.setGradientFor(LoraParams.BIAS, gb);
        }
        INDArray g = null;
        if (spec.hasUpdate()) {
            INDArray normPath = null;
            if (spec.dora()) {
                INDArray m = params.get(LoraParams.MAGNITUDE);
                INDArray dc = delta.mul(cachedU).sum(0);
                normPath = doraNormPath(dc, m, cachedV, cachedNorm, gradientViews.get(LoraParams.MAGNITUDE));
                gradient.setGradientFor(LoraParams.MAGNITUDE, gradientViews.get(LoraParams.MAGNITUDE));
                delta = delta.mulRowVector(m.div(cachedNorm));
            }
            INDArray gB = gradientViews.get(LoraParams.B);
            INDArray gA = gradientViews.get(LoraParams.A);
            g = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, delta.dataType(),
                    new long[] {delta.size(0), spec.rank()}, 'f');
            LowRankMath.DIRECT.backward(delta, cachedInput, cachedH, params.get(LoraParams.B), s, gA, gB, g);
            if (normPath != null) {
                addUpdateGradient(normPath, params, gradientViews, 1.0);
            }
            gradient.setGradientFor(LoraParams.A, gA);
            gradient.setGradientFor(LoraParams.B, gB);
        }
        INDArray mask = cachedMask;
        clearCache();
        if (!inputGradient) {
            return null;
        }
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                new long[] {delta.size(0), w.size(0)}, 'c');
        Gemm.gemm(delta, w, eps, false, true, 1.0, 0.0);
        if (g == null) {
            return eps;
        }
        if (mask == null) {
            LowRankMath.DIRECT.inputGradient(g, params.get(LoraParams.A), s, eps);
        } else {
            eps.addi(g.mmul(params.get(LoraParams.A)).muli(mask).muli(s));
        }
        return eps;
    }

    /**
     * The weights a layer that runs with whole weights (a convolution) uses, {@code [in, out]}:
     * {@code V = W + s (B A)^T}, for DoRA {@code c V}; the bound {@code W} itself when merged or
     * without an update. In training, DoRA keeps {@code V} and its norms for
     * {@link #backwardFromWeights}, with the layer's activations.
     */
    INDArray runWeights(Map<String, INDArray> params, boolean training, LayerWorkspaceMgr mgr) {
        checkBound();
        if (merged || !spec.hasUpdate()) {
            return w;
        }
        Folded f = fold(params);
        if (training && spec.dora()) {
            cachedV = mgr.dup(ArrayType.ACTIVATIONS, f.direction());
            cachedNorm = mgr.dup(ArrayType.ACTIVATIONS, f.norm());
        }
        return f.weights();
    }

    /**
     * Writes the adapter's gradients into their views given {@code G = dL/dW'} ({@code [in, out]}) for
     * the weights {@link #runWeights} gave: the exact gradients, through DoRA's norm too.
     */
    void backwardFromWeights(INDArray g, Map<String, INDArray> params, Map<String, INDArray> gradientViews) {
        checkNotMerged();
        if (!spec.hasUpdate()) {
            return;
        }
        INDArray dv = g;
        if (spec.dora()) {
            INDArray v = cachedV;
            INDArray norm = cachedNorm;
            if (v == null) {
                v = w.add(delta(params));
                norm = v.norm2(0);
            }
            INDArray m = params.get(LoraParams.MAGNITUDE);
            INDArray dc = g.mul(v).sum(0);
            INDArray normPath = doraNormPath(dc, m, v, norm, gradientViews.get(LoraParams.MAGNITUDE));
            dv = g.mulRowVector(m.div(norm)).addi(normPath);
        }
        addUpdateGradient(dv, params, gradientViews, 0.0);
        clearCache();
    }

    /**
     * DoRA's backward through {@code c = m / n} given {@code dc = dL/dc}: writes {@code dm = dc / n} into
     * {@code gm} and returns the gradient that reaches {@code V} through its norms,
     * {@code V dn / n} with {@code dn = -dc m / n^2}, column by column.
     */
    private static INDArray doraNormPath(INDArray dc, INDArray m, INDArray v, INDArray norm, INDArray gm) {
        gm.assign(dc.div(norm));
        INDArray dnOverN = dc.mul(m).divi(norm).divi(norm).divi(norm).negi();
        return v.mulRowVector(dnOverN);
    }

    /**
     * The adapter's gradients for {@code D = dL/dV} ({@code [in, out]}): {@code dA = s B^T D^T},
     * {@code dB = s D^T A^T}, added to the views' contents times {@code beta}.
     */
    private void addUpdateGradient(INDArray d, Map<String, INDArray> params, Map<String, INDArray> gradientViews,
                                   double beta) {
        LowRankMath.DIRECT.updateBackward(d, params.get(LoraParams.A), params.get(LoraParams.B), spec.scaling(),
                gradientViews.get(LoraParams.A), gradientViews.get(LoraParams.B), beta);
    }

    void clearCache() {
        cachedInput = null;
        cachedH = null;
        cachedMask = null;
        cachedU = null;
        cachedV = null;
        cachedNorm = null;
    }

    /**
     * The weights with the adapter folded in: {@code V = W + s (B A)^T}, for DoRA times the per-unit
     * scale {@code m / ||V||}, which {@code scale} holds (null for LoRA) to unmerge; {@code direction}
     * is {@code V} and {@code norm} its column norms (null for LoRA).
     */
    private record Folded(INDArray weights, INDArray scale, INDArray direction, INDArray norm) {
    }

    private Folded fold(Map<String, INDArray> params) {
        if (!spec.hasUpdate()) {
            return new Folded(w.dup('f'), null, w, null);
        }
        INDArray v = LowRankMath.DIRECT.update(params.get(LoraParams.A), params.get(LoraParams.B), spec.scaling(),
                w.dup('f'), 1.0);
        if (!spec.dora()) {
            return new Folded(v, null, v, null);
        }
        INDArray norm = v.norm2(0);
        INDArray scale = params.get(LoraParams.MAGNITUDE).div(norm);
        return new Folded(v.mulRowVector(scale), scale, v, norm);
    }

    /** Refuses folded weights that hold NaN or infinity. */
    static void requireFinite(INDArray folded, String layerName) {
        if (folded.isNaN().any() || folded.isInfinite().any()) {
            throw new IllegalStateException("merging the LoRA adapter of layer '" + layerName
                    + "' would put NaN or infinity into its weights; the weights are left unmerged. Check the adapter's"
                    + " training (learning rate) before merging");
        }
    }

    /** {@code s (B A)^T}, the adapter's weight update in DL4J's {@code [in, out]} layout. */
    private INDArray delta(Map<String, INDArray> params) {
        return LowRankMath.DIRECT.update(params.get(LoraParams.A), params.get(LoraParams.B), spec.scaling(),
                Nd4j.createUninitialized(w.dataType(), w.shape(), 'f'), 0.0);
    }

    Map<String, INDArray> merged(Map<String, INDArray> params) {
        checkBound();
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("W", merged ? w.dup('f') : fold(params).weights());
        INDArray b = params.getOrDefault(LoraParams.BIAS, bias);
        if (b != null) {
            m.put("b", b.dup());
        }
        return m;
    }

    void merge(Map<String, INDArray> params) {
        checkBound();
        if (merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + layerName + "' is already merged; merge once,"
                    + " or unmerge() first");
        }
        Folded folded = fold(params);
        requireFinite(folded.weights(), layerName);
        w.assign(folded.weights());
        mergedScale = folded.scale();
        merged = true;
    }

    void unmerge(Map<String, INDArray> params) {
        checkBound();
        if (!merged) {
            throw new IllegalStateException("the LoRA adapter of layer '" + layerName + "' is not merged; nothing to unmerge");
        }
        if (mergedScale != null) {
            w.diviRowVector(mergedScale);
        }
        if (spec.hasUpdate()) {
            w.subi(delta(params));
        }
        mergedScale = null;
        merged = false;
    }
}
