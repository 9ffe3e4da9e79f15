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
    /** The data loss of the last training backward pass, until the score is asked for; NaN otherwise. */
    private transient double stepScore = Double.NaN;

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
        // DL4J asks for the score right after, from the same input and weights: computed here from this z.
        double loss = layerConf().getLossFn().computeScore(getLabels2d(mgr, ArrayType.BP_WORKING_MEM), z,
                layerConf().getActivationFn(), maskArray, false);
        stepScore = conf().isMiniBatch() ? loss / getInputMiniBatchSize() : loss;
        Gradient gradient = new DefaultGradient();
        INDArray eps = math.backward(delta, params, gradientViews, gradient, mgr);
        this.gradient = gradient;
        return new Pair<>(gradient, eps == null ? null : backpropDropOutIfPresent(eps));
    }

    /** The score of a training step comes from its backward pass, not from a second forward pass. */
    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr mgr) {
        double s = stepScore;
        stepScore = Double.NaN;
        if (!training || Double.isNaN(s) || input == null || labels == null) {
            return super.computeScore(fullNetRegTerm, training, mgr);
        }
        this.score = s + fullNetRegTerm;
        return this.score;
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr mgr) {
        stepScore = Double.NaN;
        super.setInput(input, mgr);
    }

    @Override
    protected INDArray getLabels2d(LayerWorkspaceMgr mgr, ArrayType arrayType) {
        return labels;
    }

    @Override
    public void clear() {
        super.clear();
        stepScore = Double.NaN;
        math.clearCache();
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
