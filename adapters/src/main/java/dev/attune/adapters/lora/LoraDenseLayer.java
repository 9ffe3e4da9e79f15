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
import org.nd4j.linalg.api.ndarray.INDArray;

/** A dense layer with a LoRA adapter: frozen {@code W} and {@code b}, trainable {@code A} and {@code B}. */
final class LoraDenseLayer extends BaseLayer<LoraDense> implements LoraBacked {
    private static final long serialVersionUID = 1L;

    private final LoraMath math;
    private transient INDArray cachedZ;

    LoraDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.math = new LoraMath(conf.getLayer().getLayerName(), ((LoraDense) conf.getLayer()).spec());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, mgr);
        INDArray z = math.preOutput(input.castTo(dataType), params, training, mgr);
        INDArray out = z;
        if (training) {
            // The activation works in place; the backward pass needs z itself.
            cachedZ = z;
            out = mgr.dup(ArrayType.ACTIVATIONS, z);
        }
        return layerConf().getActivationFn().getActivation(out, training);
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
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
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
    public LoraMath math() {
        return math;
    }

    @Override
    public Map<String, INDArray> loraParams() {
        return params;
    }
}
