package dev.attune.adapters.lora;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/** A dense layer with a LoRA adapter: frozen {@code W} and {@code b}, trainable {@code A} and {@code B}. */
final class LoraDenseLayer extends BaseLayer<LoraDense> implements LoraBacked {
    private static final long serialVersionUID = 1L;

    private final LoraMath math;
    /** A ReLU without cap, threshold or slope: the common case, run with two ops instead of DL4J's generic path. */
    private final boolean plainRelu;
    private transient INDArray cachedZ;

    LoraDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.math = new LoraMath(conf.getLayer().getLayerName(), ((LoraDense) conf.getLayer()).spec());
        this.plainRelu = new ActivationReLU().equals(((LoraDense) conf.getLayer()).getActivationFn());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray z = math.preOutput(input.castTo(dataType), params, training, mgr);
        if (!training) {
            return layerConf().getActivationFn().getActivation(z, false);
        }
        // The backward pass needs z itself: the activation goes to a new array.
        cachedZ = z;
        if (plainRelu) {
            INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, z.dataType(), z.shape(), 'f');
            Nd4j.exec(new RectifiedLinear(z, out, 0.0));
            return out;
        }
        return layerConf().getActivationFn().getActivation(mgr.dup(ArrayType.ACTIVATIONS, z), true);
    }

    @Override
    protected INDArray preOutput(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        return math.preOutput(input.castTo(dataType), params, training, mgr);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        assertInputSet(true);
        INDArray z = cachedZ != null ? cachedZ : preOutput(true, mgr);
        cachedZ = null;
        INDArray delta;
        if (plainRelu) {
            // dL/dz = epsilon where z > 0: one comparison and one product, no copy of z.
            delta = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, z.dataType(), z.shape(), 'f');
            Nd4j.exec(new Step(z, delta, 0.0));
            delta.muli(epsilon);
        } else {
            delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
        }
        Gradient gradient = new DefaultGradient();
        INDArray eps = math.backward(delta, params, gradientViews, gradient, mgr);
        return new Pair<>(gradient, eps == null ? null : backpropDropOutIfPresent(eps));
    }

    @Override
    public void clear() {
        super.clear();
        cachedZ = null;
        math.clearCache();
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public LowRank lowRank() {
        return math.lowRank(params, gradientViews);
    }

    @Override
    public LoraMath math() {
        return math;
    }

    @Override
    public Map<String, INDArray> loraParams() {
        return params;
    }
}
