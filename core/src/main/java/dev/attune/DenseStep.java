package dev.attune;

import java.util.ArrayList;
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
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;
import org.nd4j.linalg.ops.transforms.Transforms;

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
 * score; every temporary lives in one workspace, sized on the first step and reused by every later
 * one. Gradients are sums over the mini-batch, written into the network's gradient views, as DL4J's
 * layers leave them for its updater.
 *
 * <p>{@link #of} returns {@code null} for any network it does not cover (another layer kind, dropout,
 * weight noise, constraints, gradient normalization, input preprocessors, another loss): that network
 * trains through its DL4J layers.
 */
final class DenseStep {
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
    private final IActivation outputActivation;
    private final double clipEps;
    private final DataType type;
    /** A row of ones outside every workspace, for bias sums and broadcasts as rank-1 products. */
    private INDArray ones;

    private DenseStep(List<Slot> slots, IActivation outputActivation, double clipEps, DataType type) {
        this.slots = slots;
        this.outputActivation = outputActivation;
        this.clipEps = clipEps;
        this.type = type;
    }

    /** The fused step for the network, or {@code null} when it holds anything the step does not cover. */
    static DenseStep of(MultiLayerNetwork net) {
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
        return new DenseStep(List.copyOf(slots), out.getActivationFn(), ((LossMCXENT) loss).getSoftmaxClipEps(),
                net.params().dataType());
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
        int rows = (int) features.size(0);
        INDArray o = ones(rows);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(StepWorkspace.CONFIG, WS_ID)) {
            return run(layers, features.castTo(type), labels.castTo(type), weights == null ? null : weights.castTo(type), o);
        }
    }

    private double run(AdaptedLayer.LowRank[] p, INDArray features, INDArray labels, INDArray weights, INDArray ones) {
        int count = slots.size();
        int rows = (int) features.size(0);
        INDArray[] in = new INDArray[count];
        INDArray[] z = new INDArray[count];
        INDArray[] h = new INDArray[count];
        INDArray x = features;
        for (int i = 0; i < count; i++) {
            Slot slot = slots.get(i);
            AdaptedLayer.LowRank l = p[i];
            in[i] = x;
            long out = l.weights().size(1);
            if (slot.kind() == Kind.ADAPTED) {
                // As the LoRA layers' forward pass.
                z[i] = Nd4j.createUninitialized(type, new long[] {rows, out}, 'f');
                Nd4j.gemm(x, l.weights(), z[i], false, false, 1.0, 0.0);
                if (l.a() != null) {
                    h[i] = Nd4j.createUninitialized(type, new long[] {rows, l.a().size(0)}, 'f');
                    Nd4j.gemm(x, l.a(), h[i], false, true, 1.0, 0.0);
                    Nd4j.gemm(h[i], l.b(), z[i], false, true, l.scaling(), 1.0);
                }
                if (l.bias() != null) {
                    Nd4j.gemm(ones, l.bias().reshape(1, out), z[i], true, false, 1.0, 1.0);
                }
            } else {
                // As DL4J's dense layer's forward pass.
                z[i] = Nd4j.createUninitialized(type, new long[] {rows, out}, 'c');
                x.mmuli(l.weights(), z[i]);
                if (l.bias() != null) {
                    z[i].addiRowVector(l.bias());
                }
            }
            if (i < count - 1) {
                x = activate(slot, z[i]);
            }
        }

        // Softmax cross-entropy as DL4J's loss computes it: the score clips the probabilities, the gradient does not.
        INDArray delta = outputActivation.getActivation(z[count - 1].dup(), true);
        INDArray clipped = delta.dup();
        if (clipEps > 0) {
            BooleanIndexing.replaceWhere(clipped, clipEps, Conditions.lessThan(clipEps));
            BooleanIndexing.replaceWhere(clipped, 1.0 - clipEps, Conditions.greaterThan(1.0 - clipEps));
        }
        INDArray scores = Transforms.log(clipped, false).muli(labels);
        double loss = weights == null ? -scores.sumNumber().doubleValue()
                : scores.sum(true, 1).muli(-1).muliColumnVector(weights).sumNumber().doubleValue();
        delta.subi(labels);
        if (weights != null) {
            delta.muliColumnVector(weights);
        }

        for (int i = count - 1; i >= 0; i--) {
            Slot slot = slots.get(i);
            AdaptedLayer.LowRank l = p[i];
            INDArray g = null;
            if (slot.weightGradient() != null) {
                Nd4j.gemm(in[i], delta, slot.weightGradient(), true, false, 1.0, 0.0);
            }
            if (l.biasGradient() != null) {
                INDArray gb = l.biasGradient();
                if (slot.kind() == Kind.ADAPTED) {
                    Nd4j.gemm(ones, delta, gb.reshape(1, gb.length()), false, false, 1.0, 0.0);
                } else {
                    delta.sum(gb, 0);
                }
            }
            if (l.a() != null) {
                Nd4j.gemm(delta, h[i], l.gradientB(), true, false, l.scaling(), 0.0);
                g = Nd4j.createUninitialized(type, new long[] {rows, l.a().size(0)}, 'f');
                Nd4j.gemm(delta, l.b(), g, false, false, 1.0, 0.0);
                Nd4j.gemm(g, in[i], l.gradientA(), true, false, l.scaling(), 0.0);
            }
            if (i == 0) {
                // Nothing below the lowest layer trains: it passes no gradient down.
                break;
            }
            INDArray eps;
            if (slot.kind() == Kind.STOCK) {
                INDArray t = Nd4j.createUninitialized(type, new long[] {l.weights().size(0), rows}, 'f');
                eps = l.weights().mmuli(delta.transpose(), t).transpose();
            } else {
                eps = Nd4j.createUninitialized(type, new long[] {rows, l.weights().size(0)}, 'f');
                Nd4j.gemm(delta, l.weights(), eps, false, true, 1.0, 0.0);
                if (g != null) {
                    Nd4j.gemm(g, l.a(), eps, false, false, l.scaling(), 1.0);
                }
            }
            delta = derivative(slots.get(i - 1), z[i - 1], eps);
        }
        return loss / rows;
    }

    /** The layer's activation of {@code z} as a new array; {@code z} is kept for the backward pass. */
    private INDArray activate(Slot slot, INDArray z) {
        if (slot.relu()) {
            INDArray a = Nd4j.createUninitialized(type, z.shape(), z.ordering());
            Nd4j.exec(new RectifiedLinear(z, a, 0.0));
            return a;
        }
        return slot.activation().getActivation(z.dup(), true);
    }

    /** {@code dL/dz} given {@code dL/da} for the layer's activation {@code a = f(z)}. */
    private INDArray derivative(Slot slot, INDArray z, INDArray eps) {
        if (slot.relu()) {
            // eps where z > 0: one comparison and one product (ND4J's relu_bp op is slower here).
            INDArray d = Nd4j.createUninitialized(type, z.shape(), z.ordering());
            return Nd4j.exec(new Step(z, d, 0.0)).muli(eps);
        }
        return slot.activation().backprop(z.dup(), eps).getFirst();
    }

    /** A row of {@code rows} ones ({@code [1, rows]}), kept outside every workspace and reused. */
    private INDArray ones(int rows) {
        if (ones == null || ones.length() < rows) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(type, 1, Math.max(rows, 256));
            }
        }
        return rows == ones.length() ? ones : ones.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows));
    }
}
