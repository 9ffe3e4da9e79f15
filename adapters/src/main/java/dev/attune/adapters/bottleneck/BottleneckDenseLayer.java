package dev.attune.adapters.bottleneck;

import dev.attune.spi.AdaptedLayer;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense layer followed by a bottleneck adapter: frozen {@code W} and {@code b}, trainable
 * {@code D}, {@code d}, {@code U} and {@code u}. The forward and backward pass are whole-array ND4J
 * ops (matrix products into preallocated arrays, broadcasts, DL4J's activation functions), so that the
 * CPU and the CUDA backend run the same code.
 *
 * <pre>
 *   z = x W + b,  h = act(z)                    [N, out]   the frozen layer
 *   a = h D^T + d,  g = f(a)                    [N, m]
 *   y = h + s g U^T + u                         [N, out]   the layer's output
 *   given e = dL/dy:
 *   du = sum(e),  dU = s e^T g,  da = f'(a) o (s e U),  dD = da^T h,  dd = sum(da),
 *   dL/dx = (act'(z) o (e + da D)) W^T          (only when a layer below trains)
 * </pre>
 *
 * No gradient is computed for the frozen {@code W} and {@code b}.
 */
final class BottleneckDenseLayer extends BaseLayer<BottleneckDense> implements AdaptedLayer {
    private static final long serialVersionUID = 1L;

    private final String layerName;
    private final BottleneckSpec spec;
    private final IActivation f;
    private INDArray w;
    private INDArray bias;
    private boolean inputGradient = true;
    private transient INDArray cachedZ;
    private transient INDArray cachedH;
    private transient INDArray cachedA;
    private transient INDArray cachedG;

    BottleneckDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.layerName = conf.getLayer().getLayerName();
        this.spec = ((BottleneckDense) conf.getLayer()).spec();
        this.f = spec.nonlinearity().getActivationFunction();
    }

    @Override
    public void bindBase(Map<String, INDArray> base) {
        INDArray weights = base.get("W");
        if (weights == null) {
            throw new IllegalArgumentException("layer '" + layerName + "' has no weights 'W' to adapt; it holds " + base.keySet());
        }
        INDArray down = params.get(BottleneckParams.DOWN);
        if (weights.rank() != 2 || weights.size(1) != down.size(1)) {
            throw new IllegalArgumentException("layer '" + layerName + "': base weights of shape "
                    + java.util.Arrays.toString(weights.shape()) + " do not fit the adapter ([in, " + down.size(1)
                    + "] expected)");
        }
        this.w = weights;
        this.bias = base.get("b");
    }

    private void checkBound() {
        if (w == null) {
            throw new IllegalStateException("the bottleneck layer '" + layerName + "' has no base weights bound yet");
        }
    }

    /** The frozen layer's pre-activation {@code z = x W + b}. */
    private INDArray baseZ(INDArray x, LayerWorkspaceMgr mgr) {
        checkBound();
        INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, w.dataType(), new long[] {x.size(0), w.size(1)}, 'f');
        Nd4j.gemm(x, w, z, false, false, 1.0, 0.0);
        if (bias != null) {
            z.addiRowVector(bias);
        }
        return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray z = baseZ(input.castTo(dataType), mgr);
        // The activations work in place; the backward pass needs their inputs z and a.
        INDArray h = training ? mgr.dup(ArrayType.ACTIVATIONS, z) : z;
        layerConf().getActivationFn().getActivation(h, training);
        INDArray down = params.get(BottleneckParams.DOWN);
        INDArray a = mgr.createUninitialized(ArrayType.ACTIVATIONS, h.dataType(), new long[] {h.size(0), spec.size()}, 'f');
        Nd4j.gemm(h, down, a, false, true, 1.0, 0.0);
        a.addiRowVector(params.get(BottleneckParams.DOWN_BIAS));
        INDArray g = training ? mgr.dup(ArrayType.ACTIVATIONS, a) : a;
        f.getActivation(g, training);
        INDArray y = mgr.dup(ArrayType.ACTIVATIONS, h, 'f');
        Nd4j.gemm(g, params.get(BottleneckParams.UP), y, false, true, spec.scaling(), 1.0);
        y.addiRowVector(params.get(BottleneckParams.UP_BIAS));
        if (training) {
            cachedZ = z;
            cachedH = h;
            cachedA = a;
            cachedG = g;
        }
        return y;
    }

    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        return baseZ(input.castTo(dataType), mgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        if (cachedA == null) {
            throw new IllegalStateException("no training forward pass of layer '" + layerName + "' to backpropagate");
        }
        double s = spec.scaling();
        INDArray down = params.get(BottleneckParams.DOWN);
        INDArray up = params.get(BottleneckParams.UP);
        Gradient gradient = new DefaultGradient();

        INDArray gu = gradientViews.get(BottleneckParams.UP_BIAS);
        epsilon.sum(gu, 0);
        INDArray gUp = gradientViews.get(BottleneckParams.UP);
        Nd4j.gemm(epsilon, cachedG, gUp, true, false, s, 0.0);
        INDArray dg = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsilon.dataType(),
                new long[] {epsilon.size(0), spec.size()}, 'f');
        Nd4j.gemm(epsilon, up, dg, false, false, s, 0.0);
        // Works in place on a, which is not needed afterwards.
        INDArray da = f.backprop(cachedA, dg).getFirst();
        INDArray gDown = gradientViews.get(BottleneckParams.DOWN);
        Nd4j.gemm(da, cachedH, gDown, true, false, 1.0, 0.0);
        INDArray gd = gradientViews.get(BottleneckParams.DOWN_BIAS);
        da.sum(gd, 0);
        gradient.setGradientFor(BottleneckParams.DOWN, gDown);
        gradient.setGradientFor(BottleneckParams.DOWN_BIAS, gd);
        gradient.setGradientFor(BottleneckParams.UP, gUp);
        gradient.setGradientFor(BottleneckParams.UP_BIAS, gu);

        INDArray z = cachedZ;
        clearCache();
        if (!inputGradient) {
            return new Pair<>(gradient, null);
        }
        INDArray dh = mgr.dup(ArrayType.BP_WORKING_MEM, epsilon, 'f');
        Nd4j.gemm(da, down, dh, false, false, 1.0, 1.0);
        INDArray dz = layerConf().getActivationFn().backprop(z, dh).getFirst();
        INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dz.dataType(), new long[] {dz.size(0), w.size(0)}, 'f');
        Nd4j.gemm(dz, w, eps, false, true, 1.0, 0.0);
        return new Pair<>(gradient, backpropDropOutIfPresent(eps));
    }

    private void clearCache() {
        cachedZ = null;
        cachedH = null;
        cachedA = null;
        cachedG = null;
    }

    @Override
    public void clear() {
        super.clear();
        clearCache();
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Map<String, INDArray> adapterTensors() {
        return BottleneckParams.named(params);
    }

    /** The base layer's own parameters: a nonlinear adapter does not fold into them. */
    @Override
    public Map<String, INDArray> mergedParams() {
        checkBound();
        Map<String, INDArray> m = new java.util.LinkedHashMap<>();
        m.put("W", w.dup('f'));
        if (bias != null) {
            m.put("b", bias.dup());
        }
        return m;
    }

    @Override
    public void inputGradientNeeded(boolean needed) {
        this.inputGradient = needed;
    }

    @Override
    public boolean mergeable() {
        return false;
    }

    /**
     * A dense layer {@code <layer>_adapter_down} ({@code D^T}, {@code d}, activation {@code f}) and a
     * dense layer {@code <layer>_adapter_up} ({@code s U^T}, {@code u}, identity).
     */
    @Override
    public List<StockLayer> residualBranch() {
        checkBound();
        long out = w.size(1);
        DenseLayer downLayer = new DenseLayer.Builder().name(layerName + "_adapter_down").nIn(out).nOut(spec.size())
                .activation(spec.nonlinearity()).build();
        DenseLayer upLayer = new DenseLayer.Builder().name(layerName + "_adapter_up").nIn(spec.size()).nOut(out)
                .activation(Activation.IDENTITY).build();
        INDArray downW = params.get(BottleneckParams.DOWN).transpose().dup('f');
        INDArray upW = params.get(BottleneckParams.UP).transpose().mul(spec.scaling()).dup('f');
        return List.of(
                new StockLayer(downLayer, Map.of("W", downW, "b", params.get(BottleneckParams.DOWN_BIAS).dup())),
                new StockLayer(upLayer, Map.of("W", upW, "b", params.get(BottleneckParams.UP_BIAS).dup())));
    }

    @Override
    public void merge() {
        throw new IllegalStateException("the bottleneck adapter of layer '" + layerName + "' cannot be merged into its"
                + " base weights: its nonlinearity (" + spec.nonlinearity() + ") makes it more than a change of weights."
                + " Serve it unmerged, or export it with toNetwork() as a plain DL4J network (a ComputationGraph of"
                + " stock layers)");
    }

    @Override
    public void unmerge() {
        throw new IllegalStateException("the bottleneck adapter of layer '" + layerName + "' is never merged; nothing to unmerge");
    }

    @Override
    public boolean isMerged() {
        return false;
    }
}
