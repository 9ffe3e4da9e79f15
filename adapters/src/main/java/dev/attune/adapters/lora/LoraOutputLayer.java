package dev.attune.adapters.lora;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An output layer with a LoRA adapter: its loss is DL4J's, its weights adapted as in {@link LoraMath}. */
final class LoraOutputLayer extends BaseOutputLayer<LoraOutput> implements LoraBacked {
    private static final long serialVersionUID = 1L;

    private final LoraMath math;

    LoraOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        this.math = new LoraMath(conf.getLayer().getLayerName(), ((LoraOutput) conf.getLayer()).spec());
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
        INDArray z = preOutput2d(true, mgr);
        INDArray delta = layerConf().getLossFn().computeGradient(getLabels2d(mgr, ArrayType.BP_WORKING_MEM), z,
                layerConf().getActivationFn(), maskArray);
        Gradient gradient = new DefaultGradient();
        INDArray eps = math.backward(delta, params, gradientViews, gradient, mgr);
        this.gradient = gradient;
        return new Pair<>(gradient, eps == null ? null : backpropDropOutIfPresent(eps));
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr mgr, ArrayType arrayType) {
        return labels;
    }

    @Override
    public void clear() {
        super.clear();
        math.clearCache();
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
