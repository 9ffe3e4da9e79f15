package dev.attune.internal.dl4j;

import dev.attune.internal.math.Gemm;
import dev.attune.internal.math.LowRankMath;
import dev.attune.internal.math.StepWorkspace;
import dev.attune.spi.AdaptedLayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.comparison.CompareAndSet;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

/**
 * One training step of a stack of dense layers under a softmax cross-entropy output, forward and
 * backward written out in ND4J ops: each layer is {@code z = x W + s (x A^T) B^T + b} (no update for a
 * stock layer) followed by its activation.
 *
 * <pre>
 *   given d = dL/dz of a layer (for the output: (softmax(z) - y) times the example's weight):
 *   dW = x^T d,  db = 1^T d,  dB = s d^T h with h = x A^T,  g = d B,  dA = s g^T x,
 *   dL/dx = d W^T + s g A,  then through the activation of the layer below
 * </pre>
 *
 * <p>Each layer runs the same ND4J operations, in the same order and memory layout, as the DL4J layer
 * it stands for (DL4J's dense and output layers, Attune's frozen pass-through and LoRA layers), so the
 * loss and the gradients are bit for bit those of DL4J's backward pass (a test holds them equal). What
 * it leaves out is DL4J's bookkeeping around them: the forward pass that a stock layer's backward pass
 * repeats, per-layer workspaces and gradient maps, the output layer's second forward pass for the
 * score. Its arrays and element-wise ops are made on the first step of each batch size and reused by
 * every later one, and the products go to BLAS directly ({@link Gemm}): at these sizes making an ND4J
 * array or op costs about as much as the op's work. Gradients are sums over the mini-batch, written
 * into the network's gradient views, as DL4J's layers leave them for its updater.
 *
 * <p>{@link #of} returns {@code null} for any network it does not cover (another layer kind, dropout,
 * weight noise, constraints, gradient normalization, input preprocessors, another loss): that network
 * trains through its DL4J layers.
 */
public final class DenseStep {
    private static final String WS_ID = "ATTUNE_DENSE_STEP";

    /** How a layer computes: as DL4J's trainable dense and output layers, as a frozen pass-through one, or adapted. */
    private enum Kind { STOCK, FROZEN, ADAPTED }

    /**
     * A layer of the stack: an adapted layer's weights are asked for on every step (it may have been
     * merged since); a stock layer's are fixed, with its weight gradient's view ({@code null} when frozen).
     */
    private record Slot(Kind kind, AdaptedLayer adapted, AdaptedLayer.LowRank plain, INDArray weightGradient,
                        IActivation activation, boolean relu) {
        AdaptedLayer.LowRank weights() {
            return adapted == null ? plain : adapted.lowRank();
        }
    }

    private final List<Slot> slots;
    private final double clipEps;
    private final DataType type;
    /** The step's arrays by batch size. */
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    /** Bias vectors and their gradients as {@code [1, n]} rows, by identity. */
    private final Map<INDArray, INDArray> rows = new IdentityHashMap<>();

    private DenseStep(List<Slot> slots, double clipEps, DataType type) {
        this.slots = slots;
        this.clipEps = clipEps;
        this.type = type;
    }

    /** The fused step for the network, or {@code null} when it holds anything the step does not cover. */
    public static DenseStep of(MultiLayerNetwork net) {
        var conf = net.getLayerWiseConfigurations();
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        List<Slot> slots = new ArrayList<>();
        int n = net.getnLayers();
        for (int i = 0; i < n; i++) {
            if (conf.getInputPreProcess(i) != null) {
                return null;
            }
            Slot slot = slot(net.getLayer(i), i == n - 1);
            if (slot == null) {
                return null;
            }
            slots.add(slot);
        }
        if (n == 0 || !(net.getLayer(n - 1).conf().getLayer() instanceof BaseOutputLayer out)) {
            return null;
        }
        ILossFunction loss = out.getLossFn();
        boolean crossEntropy = loss != null && (loss.getClass() == LossMCXENT.class
                || loss.getClass() == LossNegativeLogLikelihood.class) && ((LossMCXENT) loss).getWeights() == null;
        if (!crossEntropy || !(out.getActivationFn() instanceof ActivationSoftmax)) {
            return null;
        }
        return new DenseStep(List.copyOf(slots), ((LossMCXENT) loss).getSoftmaxClipEps(), net.params().dataType());
    }

    /** The layer as a slot, or {@code null} when the step does not cover it. */
    private static Slot slot(Layer layer, boolean output) {
        Layer inner = layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop f ? f.getInsideLayer() : layer;
        if (!(inner.conf().getLayer() instanceof BaseLayer conf) || conf.getIDropout() != null
                || conf.getWeightNoise() != null || (conf.getConstraints() != null && !conf.getConstraints().isEmpty())
                || Optimizers.normalizesGradients(conf)) {
            return null;
        }
        boolean frozen = inner != layer || layer instanceof FrozenOutputPassThrough.Impl;
        IActivation activation = conf.getActivationFn();
        boolean relu = new ActivationReLU().equals(activation);
        if (layer instanceof AdaptedLayer a) {
            return a.lowRank() == null ? null : new Slot(Kind.ADAPTED, a, null, null, activation, relu);
        }
        boolean stock = output ? inner.getClass() == org.deeplearning4j.nn.layers.OutputLayer.class
                || inner instanceof FrozenOutputPassThrough.Impl
                : inner.getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class
                        && !((org.deeplearning4j.nn.conf.layers.DenseLayer) conf).hasLayerNorm();
        if (!stock) {
            return null;
        }
        INDArray w = inner.getParam(DefaultParamInitializer.WEIGHT_KEY);
        INDArray b = inner.getParam(DefaultParamInitializer.BIAS_KEY);
        INDArray gw = null;
        INDArray gb = null;
        if (!frozen) {
            Map<String, INDArray> grads = conf.initializer().getGradientsFromFlattened(inner.conf(),
                    inner.getGradientsViewArray());
            gw = grads.get(DefaultParamInitializer.WEIGHT_KEY);
            gb = grads.get(DefaultParamInitializer.BIAS_KEY);
        }
        return new Slot(frozen ? Kind.FROZEN : Kind.STOCK, null, new AdaptedLayer.LowRank(w, b, gb, null, null, null,
                null, 0), gw, activation, relu);
    }

    /**
     * The layers' weights for this step, or {@code null} when an adapted layer no longer offers its
     * plain low-rank form (merged since): the network then trains through its layers, which say why not.
     */
    AdaptedLayer.LowRank[] layers() {
        AdaptedLayer.LowRank[] p = new AdaptedLayer.LowRank[slots.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = slots.get(i).weights();
            if (p[i] == null) {
                return null;
            }
        }
        return p;
    }

    /**
     * The mini-batch's loss (DL4J's score without regularization); every trained tensor's gradient, its
     * sum over the rows, is written into the network's gradient views.
     *
     * @param layers the layers' weights, from {@link #layers()}
     * @param features {@code [rows, in]}
     * @param labels {@code [rows, classes]}
     * @param weights {@code [rows, 1]} example weights, or {@code null} for 1
     */
    double step(AdaptedLayer.LowRank[] layers, INDArray features, INDArray labels, INDArray weights) {
        Buffers buffers = buffers((int) features.size(0), layers);
        // Temporaries of what the step does not cover with its own arrays (another activation, example weights).
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepWorkspace.CONFIG, WS_ID)) {
            return run(layers, buffers, features.castTo(type), labels.castTo(type),
                    weights == null ? null : weights.castTo(type));
        }
    }

    private double run(AdaptedLayer.LowRank[] p, Buffers b, INDArray features, INDArray labels, INDArray weights) {
        int count = slots.size();
        INDArray[] in = new INDArray[count];
        INDArray x = features;
        for (int i = 0; i < count; i++) {
            Slot slot = slots.get(i);
            AdaptedLayer.LowRank l = p[i];
            in[i] = x;
            INDArray z = b.z[i];
            if (slot.kind() == Kind.ADAPTED) {
                // As the LoRA layers' forward pass.
                Gemm.gemm(x, l.weights(), z, false, false, 1.0, 0.0);
                if (l.a() != null) {
                    LowRankMath.DIRECT.forward(x, l.a(), l.b(), l.scaling(), b.h[i], z);
                }
                if (l.bias() != null) {
                    Gemm.gemm(b.ones, row(l.bias()), z, true, false, 1.0, 1.0);
                }
            } else {
                // As DL4J's dense layer's forward pass: x W, then the bias added to every row.
                x.mmuli(l.weights(), z);
                if (l.bias() != null) {
                    Nd4j.exec(b.addBias[i]);
                }
            }
            if (i < count - 1) {
                x = activate(slot, b, i);
            }
        }

        // Softmax cross-entropy as DL4J's loss computes it: the score clips the probabilities, the gradient does not.
        INDArray delta = b.probs;
        // Out of place, as DL4J's output layer runs it on a copy (dup()) of its pre-activation.
        Nd4j.exec(b.softmax);
        INDArray scores = b.clipped;
        if (clipEps > 0) {
            Nd4j.exec(b.clipLow);
            Nd4j.exec(b.clipHigh);
        } else {
            scores.assign(delta);
        }
        Nd4j.exec(b.log);
        b.useLabels(labels);
        Nd4j.exec(b.scoresTimesLabels);
        double loss;
        if (weights == null) {
            Nd4j.exec(b.scoreSum);
            loss = -b.score.getDouble(0);
        } else {
            loss = scores.sum(true, 1).muli(-1).muliColumnVector(weights).sumNumber().doubleValue();
        }
        Nd4j.exec(b.probsMinusLabels);
        if (weights != null) {
            delta.muliColumnVector(weights);
        }

        for (int i = count - 1; i >= 0; i--) {
            Slot slot = slots.get(i);
            AdaptedLayer.LowRank l = p[i];
            if (slot.weightGradient() != null) {
                Gemm.gemm(in[i], delta, slot.weightGradient(), true, false, 1.0, 0.0);
            }
            if (l.biasGradient() != null) {
                if (slot.kind() == Kind.ADAPTED) {
                    Gemm.gemm(b.ones, delta, row(l.biasGradient()), false, false, 1.0, 0.0);
                } else {
                    Nd4j.exec(b.biasSum[i]);
                }
            }
            if (l.a() != null) {
                LowRankMath.DIRECT.backward(delta, in[i], b.h[i], l.b(), l.scaling(), l.gradientA(), l.gradientB(), b.g[i]);
            }
            if (i == 0) {
                // Nothing below the lowest layer trains: it passes no gradient down.
                break;
            }
            if (slot.kind() == Kind.STOCK) {
                // As DL4J's dense layer: (W delta^T)^T.
                l.weights().mmuli(b.deltaT[i], b.epsT[i]);
            } else {
                Gemm.gemm(delta, l.weights(), b.eps[i], false, true, 1.0, 0.0);
                if (l.a() != null) {
                    LowRankMath.DIRECT.inputGradient(b.g[i], l.a(), l.scaling(), b.eps[i]);
                }
            }
            delta = derivative(slots.get(i - 1), b, i);
        }
        return loss / b.rows;
    }

    /** The activation of layer {@code i}'s {@code z}; {@code z} is kept for the backward pass. */
    private INDArray activate(Slot slot, Buffers b, int i) {
        if (slot.relu()) {
            Nd4j.exec(b.relu[i]);
            return b.activations[i];
        }
        return slot.activation().getActivation(b.z[i].dup(), true);
    }

    /** {@code dL/dz} of layer {@code i - 1} given {@code dL/da}, layer {@code i}'s input gradient. */
    private INDArray derivative(Slot below, Buffers b, int i) {
        if (below.relu()) {
            // eps where z > 0: one comparison and one product (ND4J's relu_bp op is slower here).
            Nd4j.exec(b.reluStep[i]);
            Nd4j.exec(b.reluMask[i]);
            return b.deltas[i];
        }
        INDArray d = below.activation().backprop(b.z[i - 1].dup(), b.eps[i]).getFirst();
        b.deltas[i].assign(d);
        return b.deltas[i];
    }

    /** A vector as a {@code [1, n]} row view, made once per vector. */
    private INDArray row(INDArray v) {
        if (rows.size() > 64) {
            // Vectors replaced since (parameters set anew): forget the old ones.
            rows.clear();
        }
        return rows.computeIfAbsent(v, k -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return k.reshape(1, k.length());
            }
        });
    }

    /** The step's arrays and ops for mini-batches of {@code rows} rows, made on the first such step. */
    private Buffers buffers(int rows, AdaptedLayer.LowRank[] layers) {
        Buffers b = buffers.get(rows);
        if (b == null) {
            if (buffers.size() >= 4) {
                // Batch sizes that vary: keep the newest only.
                buffers.clear();
            }
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                b = new Buffers(rows, layers);
            }
            buffers.put(rows, b);
        }
        return b;
    }

    /**
     * Every array of one step for one batch size, and the element-wise ops over them, kept outside
     * every workspace and reused by each step: an ND4J op or array made anew costs about as much as
     * the op's work on these sizes.
     */
    private final class Buffers {
        final int rows;
        /** {@code [1, rows]} ones: bias sums and broadcasts as rank-1 products. */
        final INDArray ones;
        final INDArray[] z;
        final INDArray[] h;
        final INDArray[] g;
        final INDArray[] activations;
        /** Layer i's input gradient, {@code [rows, in]}; for a stock layer a view of {@code epsT}. */
        final INDArray[] eps;
        final INDArray[] epsT;
        /** The gradient at layer i - 1's pre-activation (layer i's {@code delta} is {@code deltas[i + 1]}). */
        final INDArray[] deltas;
        final INDArray[] deltaT;
        final Op[] relu;
        final Op[] reluStep;
        final CustomOp[] reluMask;
        final Op[] addBias;
        final Op[] biasSum;
        final INDArray probs;
        final INDArray clipped;
        final INDArray score;
        final CustomOp softmax;
        final Op clipLow;
        final Op clipHigh;
        final Op log;
        final Op scoreSum;
        final DynamicCustomOp scoresTimesLabels;
        final DynamicCustomOp probsMinusLabels;
        private INDArray labels;

        Buffers(int rows, AdaptedLayer.LowRank[] p) {
            this.rows = rows;
            int count = slots.size();
            ones = Nd4j.ones(type, 1, rows);
            z = new INDArray[count];
            h = new INDArray[count];
            g = new INDArray[count];
            activations = new INDArray[count];
            eps = new INDArray[count];
            epsT = new INDArray[count];
            deltas = new INDArray[count];
            deltaT = new INDArray[count];
            relu = new Op[count];
            reluStep = new Op[count];
            reluMask = new CustomOp[count];
            addBias = new Op[count];
            biasSum = new Op[count];
            for (int i = 0; i < count; i++) {
                Slot slot = slots.get(i);
                AdaptedLayer.LowRank l = p[i];
                long in = l.weights().size(0);
                long out = l.weights().size(1);
                // Row-major, as DL4J's dense layers and LoRA's: BLAS then runs the products over the outputs.
                z[i] = Nd4j.createUninitialized(type, new long[] {rows, out}, 'c');
                if (i < count - 1 && slot.relu()) {
                    activations[i] = Nd4j.createUninitialized(type, new long[] {rows, out}, 'c');
                    relu[i] = new RectifiedLinear(z[i], activations[i], 0.0);
                }
                if (l.a() != null) {
                    h[i] = Nd4j.createUninitialized(type, new long[] {rows, l.a().size(0)}, 'f');
                    g[i] = Nd4j.createUninitialized(type, new long[] {rows, l.a().size(0)}, 'f');
                }
                if (slot.kind() != Kind.ADAPTED && l.bias() != null) {
                    addBias[i] = new BroadcastAddOp(z[i], l.bias(), z[i], 1);
                }
                if (i > 0) {
                    if (slot.kind() == Kind.STOCK) {
                        epsT[i] = Nd4j.createUninitialized(type, new long[] {in, rows}, 'f');
                        eps[i] = epsT[i].transpose();
                    } else {
                        eps[i] = Nd4j.createUninitialized(type, new long[] {rows, in}, slot.kind() == Kind.FROZEN ? 'f' : 'c');
                    }
                    deltas[i] = Nd4j.createUninitialized(type, new long[] {rows, in}, 'c');
                    if (slots.get(i - 1).relu()) {
                        reluStep[i] = new Step(z[i - 1], deltas[i], 0.0);
                        reluMask[i] = new MulOp(deltas[i], eps[i], deltas[i]);
                    }
                }
            }
            probs = Nd4j.createUninitialized(type, z[count - 1].shape(), 'c');
            clipped = Nd4j.createUninitialized(type, probs.shape(), 'c');
            score = Nd4j.createUninitialized(type, new long[0], 'c');
            softmax = new SoftMax(z[count - 1], probs);
            clipLow = new CompareAndSet(probs, clipped, clipEps, Conditions.lessThan(clipEps));
            clipHigh = new CompareAndSet(clipped, clipped, 1.0 - clipEps, Conditions.greaterThan(1.0 - clipEps));
            log = new Log(clipped, clipped);
            scoreSum = new Sum(clipped, score, Integer.MAX_VALUE);
            scoresTimesLabels = new MulOp(clipped, clipped, clipped);
            probsMinusLabels = new SubOp(probs, probs, probs);
            for (int i = 0; i < count; i++) {
                INDArray delta = i == count - 1 ? probs : deltas[i + 1];
                Slot slot = slots.get(i);
                if (slot.kind() == Kind.STOCK && p[i].biasGradient() != null) {
                    biasSum[i] = new Sum(delta, p[i].biasGradient(), 0);
                }
                if (i > 0 && slot.kind() == Kind.STOCK) {
                    deltaT[i] = delta.transpose();
                }
            }
        }

        /** Makes this step's labels the second input of the ops that take them. */
        void useLabels(INDArray labels) {
            if (this.labels != labels) {
                this.labels = labels;
                scoresTimesLabels.setInputArgument(1, labels);
                probsMinusLabels.setInputArgument(1, labels);
            }
        }
    }

}
