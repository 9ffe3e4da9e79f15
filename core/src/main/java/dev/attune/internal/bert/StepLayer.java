package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One encoder layer of a {@link BertStep}: its forward pass into the step's buffers, and its backward
 * pass from them (the step's class comment says how each part is computed).
 */
final class StepLayer {
    private final BertStep step;
    private final BertConfig c;
    private final boolean f;
    private final BertStep.Tensors w;
    private final BertStep.Buffers b;
    private final int n;
    private final String p;
    private final PackedTokens pk;
    private final int rows;
    private final int h;
    private final int inner;
    private final int heads;
    private final int size;
    private final double alpha;

    StepLayer(BertStep step, BertStep.Tensors w, BertStep.Buffers b, int n, PackedTokens pk) {
        this.step = step;
        this.c = step.c;
        this.f = step.f;
        this.w = w;
        this.b = b;
        this.n = n;
        this.p = "encoder." + n + ".";
        this.pk = pk;
        this.rows = pk.rows();
        this.h = c.hiddenSize();
        this.inner = c.intermediateSize();
        this.heads = c.numHeads();
        this.size = c.headSize();
        this.alpha = RowMath.round(1 / Math.sqrt(size), f);
    }

    void forward() {
        FlatArray x = b.in[n];
        FlatArray qkv = b.qkv[n];
        String[] names = {p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"};
        // Q, K and V in one product with the weights side by side, then each adapter's update.
        FlatArray.gemm(false, false, rows, 3 * h, h, 1, x, 0, h, qkvWeight(names), 0, 3 * h, 0, qkv, 0, 3 * h);
        double[] bias = new double[3 * h];
        for (int j = 0; j < 3; j++) {
            lora(x, h, names[j], qkv, (long) j * h, 3 * h, h);
            System.arraycopy(w.vector(names[j] + ".bias", h), 0, bias, j * h, h);
        }
        if (f) {
            float[] biasF = RowMath.floats(bias);
            RowThreads.split(rows, 3 * h, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    ((FlatArray.Floats) qkv).read(r * 3 * h, s.f, 3 * h);
                    for (int j = 0; j < 3 * h; j++) {
                        s.f[j] += biasF[j];
                    }
                    ((FlatArray.Floats) qkv).write(r * 3 * h, s.f, 3 * h);
                }
            });
        } else {
            RowThreads.split(rows, 3 * h, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    RowMath.read(qkv, r * 3 * h, s.a, 3 * h, s.f);
                    for (int j = 0; j < 3 * h; j++) {
                        s.a[j] = RowMath.round(s.a[j] + bias[j], f);
                    }
                    RowMath.write(qkv, r * 3 * h, s.a, 3 * h, s.f);
                }
            });
        }
        int items = pk.sequences() * heads;
        RowThreads.split(items, pk.scores() / items, BertStep.SPLIT_ELEMENTS, b.scratch,
                (from, to, s) -> {
                    for (int i = from; i < to; i++) { // the probabilities kept for the backward pass
                        pk.attend(i, heads, size, alpha, b.qkv[n], b.probs[n], pk.scoresOf(i, heads), b.context[n], s);
                    }
                });

        dense(b.context[n], h, p + "attention.output.dense", b.dense, 0, h, h);
        residualNorm(b.dense, p + "attention.output", x, b.normed1[n], b.rstd1[n], b.attended[n]);
        dense(b.attended[n], h, p + "intermediate.dense", b.inner[n], 0, inner, inner);
        gelu();
        dense(b.activated[n], inner, p + "output.dense", b.dense, 0, h, h);
        residualNorm(b.dense, p + "output", b.attended[n], b.normed2[n], b.rstd2[n], b.in[n + 1]);
    }

    /** {@code out = layerNorm((z + bias) + residual)} of module {@code <prefix>.dense} and {@code <prefix>.LayerNorm}. */
    private void residualNorm(FlatArray z, String prefix, FlatArray residual, FlatArray normed, double[] rstd,
                              FlatArray out) {
        double[] bias = w.vector(prefix + ".dense.bias", h);
        double[] gain = w.vector(prefix + ".LayerNorm.weight", h);
        double[] beta = w.vector(prefix + ".LayerNorm.bias", h);
        double eps = c.layerNormEps();
        if (f) {
            float[] biasF = RowMath.floats(bias);
            float[] gainF = RowMath.floats(gain);
            float[] betaF = RowMath.floats(beta);
            RowThreads.split(rows, h, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    ((FlatArray.Floats) z).read(r * h, s.f, h);
                    ((FlatArray.Floats) residual).read(r * h, s.g, h);
                    RowMath.addBiasResidual(s.f, biasF, s.g, h);
                    rstd[r] = RowMath.normalise(s.f, h, eps);
                    ((FlatArray.Floats) normed).write(r * h, s.f, h);
                    RowMath.affine(s.f, gainF, betaF, s.g, h);
                    ((FlatArray.Floats) out).write(r * h, s.g, h);
                }
            });
            return;
        }
        RowThreads.split(rows, h, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
            double[] x = s.a;
            double[] res = s.b;
            for (int r = r0; r < r1; r++) {
                RowMath.read(z, r * h, x, h, s.f);
                RowMath.read(residual, r * h, res, h, s.f);
                for (int j = 0; j < h; j++) {
                    x[j] = RowMath.round(RowMath.round(x[j] + bias[j], f) + res[j], f);
                }
                step.normOut(x, h, gain, beta, eps, normed, rstd, out, r, s);
            }
        });
    }

    /** {@code z = inner + bias} (kept in inner), {@code e = erf(z / sqrt 2)} (kept) and {@code z (1 + e) / 2}. */
    private void gelu() {
        double[] bias = w.vector(p + "intermediate.dense.bias", inner);
        double invSqrt2 = RowMath.round(1 / Math.sqrt(2.0), f);
        FlatArray z = b.inner[n];
        FlatArray erf = b.erf[n];
        FlatArray act = b.activated[n];
        if (f) {
            float[] biasF = RowMath.floats(bias);
            float k = (float) invSqrt2;
            RowThreads.split(rows, inner, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    ((FlatArray.Floats) z).read(r * inner, s.f, inner);
                    RowMath.gelu(s.f, biasF, s.g, s.h, inner, k);
                    ((FlatArray.Floats) z).write(r * inner, s.f, inner);
                    ((FlatArray.Floats) erf).write(r * inner, s.g, inner);
                    ((FlatArray.Floats) act).write(r * inner, s.h, inner);
                }
            });
            return;
        }
        RowThreads.split(rows, inner, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                z.read(r * inner, s.a, inner);
                for (int j = 0; j < inner; j++) {
                    s.a[j] += bias[j];
                    s.b[j] = s.a[j] * invSqrt2;
                }
                z.write(r * inner, s.a, inner);
                erf.write(r * inner, s.b, inner);
            }
        });
        // In double, erf as one ND4J op (libnd4j's, exact to double), then the activation.
        Nd4j.exec(new Erf(erf.array(), erf.array()));
        RowThreads.split(rows, inner, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                z.read(r * inner, s.a, inner);
                erf.read(r * inner, s.b, inner);
                for (int j = 0; j < inner; j++) {
                    s.a[j] = (s.b[j] + 1) * s.a[j] * 0.5;
                }
                act.write(r * inner, s.a, inner);
            }
        });
    }

    /** The backward pass from the output gradient in {@code dY}, leaving the input gradient there when {@code needInput}. */
    void backward(boolean needInput) {
        FlatArray dy = b.dY;
        step.normBackward(w, b, rows, dy, b.normed2[n], b.rstd2[n], p + "output.LayerNorm");
        denseBackward(b.activated[n], inner, p + "output.dense", dy, 0, h, h, b.dInner, 0);
        geluBackward();
        denseBackward(b.attended[n], h, p + "intermediate.dense", b.dInner, 0, inner, inner, dy, 1);
        step.normBackward(w, b, rows, dy, b.normed1[n], b.rstd1[n], p + "attention.output.LayerNorm");
        denseBackward(b.context[n], h, p + "attention.output.dense", dy, 0, h, h, b.dContext, 0);

        String[] names = {p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"};
        boolean[] need = new boolean[3];
        for (int j = 0; j < 3; j++) {
            need[j] = needInput || trains(names[j]);
        }
        if (!(need[0] || need[1] || need[2])) {
            return;
        }
        int items = pk.sequences() * heads;
        RowThreads.split(items, pk.scores() / items, BertStep.SPLIT_ELEMENTS, b.scratch,
                (from, to, s) -> attentionBackward(from, to, s == b.scratch[0] ? 0 : 1, s, need));
        for (int j = 0; j < 3; j++) {
            if (need[j]) { // weight, bias and adapter gradients, the adapter's part of the input gradient
                denseBackward(b.in[n], h, names[j], b.dQkv, (long) j * h, 3 * h, h, needInput ? dy : null, 1, false);
            }
        }
        if (needInput) { // dx += [dQ dK dV] [Wq Wk Wv]^T in one product
            FlatArray.gemm(false, true, rows, h, 3 * h, 1, b.dQkv, 0, 3 * h, b.qkvWeight[n], 0, 3 * h, 1, dy, 0, h);
        }
    }

    /**
     * The layer's query, key and value weights side by side, copied in on the first step and, when
     * any of them trains, on every step (frozen weights do not change while a model trains).
     */
    private FlatArray qkvWeight(String[] names) {
        boolean trained = false;
        for (String name : names) {
            trained |= step.grads.containsKey(name + ".weight");
        }
        if (trained || !b.qkvFilled[n]) {
            INDArray all = b.qkvWeight[n].array();
            for (int j = 0; j < 3; j++) {
                all.get(NDArrayIndex.all(), NDArrayIndex.interval((long) j * h, (long) (j + 1) * h))
                        .assign(step.t.get(names[j] + ".weight"));
            }
            b.qkvFilled[n] = true;
        }
        return b.qkvWeight[n];
    }

    /**
     * The gradients of Q, K and V (those asked for) into {@code dQkv} from the context's gradient,
     * for pairs {@code [from, to)}, the score gradients in score slot {@code slot}.
     */
    private void attentionBackward(int from, int to, int slot, RowThreads.Scratch s, boolean[] need) {
        FlatArray qkv = b.qkv[n];
        FlatArray probs = b.probs[n];
        FlatArray dq = b.dQkv;
        FlatArray ds = b.dScores;
        long at = (long) slot * pk.maxLength() * pk.maxLength();
        for (int i = from; i < to; i++) {
            int seq = i / heads;
            int len = pk.length()[seq];
            long off = (long) pk.start()[seq] * 3 * h + (long) (i % heads) * size;
            long ctx = (long) pk.start()[seq] * h + (long) (i % heads) * size;
            long pr = pk.scoresOf(i, heads);
            // dP = dC V^T; dV = P^T dC.
            FlatArray.gemm(false, true, len, len, size, 1, b.dContext, ctx, h, qkv, off + 2L * h, 3 * h, 0, ds, at, len);
            if (need[2]) {
                FlatArray.gemm(true, false, len, size, len, 1, probs, pr, len, b.dContext, ctx, h, 0, dq, off + 2L * h,
                        3 * h);
            }
            // Softmax backward: dS = P (dP - sum(P dP)), times the scores' scale.
            for (int r = 0; r < len; r++) {
                int dRow = (int) (at + (long) r * len);
                int pRow = (int) (pr + (long) r * len);
                if (f) {
                    ((FlatArray.Floats) ds).read(dRow, s.f, len);
                    ((FlatArray.Floats) probs).read(pRow, s.g, len);
                    RowMath.softmaxBackward(s.f, s.g, len, (float) alpha);
                    ((FlatArray.Floats) ds).write(dRow, s.f, len);
                    continue;
                }
                ds.read(dRow, s.a, len);
                probs.read(pRow, s.b, len);
                double dot = 0;
                for (int j = 0; j < len; j++) {
                    dot += s.a[j] * s.b[j];
                }
                for (int j = 0; j < len; j++) {
                    s.a[j] = s.b[j] * (s.a[j] - dot) * alpha;
                }
                ds.write(dRow, s.a, len);
            }
            // dQ = dS K; dK = dS^T Q.
            if (need[0]) {
                FlatArray.gemm(false, false, len, size, len, 1, ds, at, len, qkv, off + h, 3 * h, 0, dq, off, 3 * h);
            }
            if (need[1]) {
                FlatArray.gemm(true, false, len, size, len, 1, ds, at, len, qkv, off, 3 * h, 0, dq, off + h, 3 * h);
            }
        }
    }

    /** {@code dInner} times GELU's derivative, {@code (1 + erf(z / sqrt 2)) / 2 + z exp(-z^2 / 2) / sqrt(2 pi)}, in place. */
    private void geluBackward() {
        FlatArray z = b.inner[n];
        FlatArray erf = b.erf[n];
        FlatArray d = b.dInner;
        if (f) {
            RowThreads.split(rows, inner, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
                for (int r = r0; r < r1; r++) {
                    ((FlatArray.Floats) d).read(r * inner, s.f, inner);
                    ((FlatArray.Floats) z).read(r * inner, s.g, inner);
                    ((FlatArray.Floats) erf).read(r * inner, s.h, inner);
                    RowMath.geluBackward(s.f, s.g, s.h, inner, s.u, s.v);
                    ((FlatArray.Floats) d).write(r * inner, s.f, inner);
                }
            });
            return;
        }
        double density = 1 / Math.sqrt(2 * Math.PI);
        RowThreads.split(rows, inner, BertStep.SPLIT_ELEMENTS, b.scratch, (r0, r1, s) -> {
            for (int r = r0; r < r1; r++) {
                d.read(r * inner, s.a, inner);
                z.read(r * inner, s.b, inner);
                erf.read(r * inner, s.c, inner);
                for (int j = 0; j < inner; j++) {
                    double v = s.b[j];
                    s.a[j] *= (1 + s.c[j]) * 0.5 + v * Math.exp(-0.5 * v * v) * density;
                }
                d.write(r * inner, s.a, inner);
            }
        });
    }

    /** Whether a module has a tensor that trains (its weight, bias or adapter). */
    private boolean trains(String module) {
        return step.grads.containsKey(module + ".weight") || step.grads.containsKey(module + ".bias") || step.adapted.contains(module);
    }

    /**
     * {@code out = x W} into {@code width} columns of {@code out} from {@code at} (rows {@code ld} apart),
     * plus {@code s (x A^T) B^T} on an adapted module; no bias.
     */
    private void dense(FlatArray x, int in, String module, FlatArray out, long at, int ld, int width) {
        FlatArray.gemm(false, false, rows, width, in, 1, x, 0, in, w.w(module + ".weight"), 0, width, 0, out, at, ld);
        lora(x, in, module, out, at, ld, width);
    }

    /** On an adapted module, {@code out += s (x A^T) B^T} into {@code width} columns of {@code out} from {@code at}. */
    private void lora(FlatArray x, int in, String module, FlatArray out, long at, int ld, int width) {
        if (step.adapted.contains(module)) {
            FlatArray a = w.w(module + ".lora_A"); // [r, in]
            FlatArray down = b.down.get(module);
            int r = (int) a.array().size(0);
            FlatArray.gemm(false, true, rows, r, in, 1, x, 0, in, a, 0, in, 0, down, 0, r);
            FlatArray.gemm(false, true, rows, width, r, step.scale, down, 0, r, w.w(module + ".lora_B"), 0, r, 1, out, at, ld);
        }
    }

    /**
     * A dense module's backward pass for the output gradient in {@code width} columns of {@code d} from
     * {@code at} (rows {@code ld} apart): its trained tensors' gradients, and the input gradient
     * {@code d W^T} (plus the adapter's) into {@code dx} ({@code beta} 0: set, 1: added; {@code dx}
     * {@code null}: none).
     */
    private void denseBackward(FlatArray x, int in, String module, FlatArray d, long at, int ld, int width,
                               FlatArray dx, double beta) {
        denseBackward(x, in, module, d, at, ld, width, dx, beta, true);
    }

    /** {@link #denseBackward}, the product {@code d W^T} left out of the input gradient unless {@code withWeight}. */
    private void denseBackward(FlatArray x, int in, String module, FlatArray d, long at, int ld, int width,
                               FlatArray dx, double beta, boolean withWeight) {
        FlatArray gw = w.g(module + ".weight");
        if (gw != null) {
            FlatArray.gemm(true, false, in, width, rows, 1, x, 0, in, d, at, ld, 0, gw, 0, width);
        }
        step.biasGradient(w, b, module, rows, d, at, ld, width);
        if (dx != null && withWeight) {
            FlatArray.gemm(false, true, rows, in, width, 1, d, at, ld, w.w(module + ".weight"), 0, width, beta, dx, 0,
                    in);
        }
        if (step.adapted.contains(module)) {
            FlatArray a = w.w(module + ".lora_A"); // [r, in]
            FlatArray bw = w.w(module + ".lora_B"); // [width, r]
            FlatArray down = b.down.get(module); // x A^T
            FlatArray g = b.loraGrad;
            int r = (int) a.array().size(0);
            FlatArray gb = w.g(module + ".lora_B");
            if (gb != null) { // dB = s d^T (x A^T)
                FlatArray.gemm(true, false, width, r, rows, step.scale, d, at, ld, down, 0, r, 0, gb, 0, r);
            }
            FlatArray.gemm(false, false, rows, r, width, 1, d, at, ld, bw, 0, r, 0, g, 0, r); // g = d B
            FlatArray ga = w.g(module + ".lora_A");
            if (ga != null) { // dA = s g^T x
                FlatArray.gemm(true, false, r, in, rows, step.scale, g, 0, r, x, 0, in, 0, ga, 0, in);
            }
            if (dx != null) { // dx += s g A
                FlatArray.gemm(false, false, rows, in, r, step.scale, g, 0, r, a, 0, in, 1, dx, 0, in);
            }
        }
    }
}
