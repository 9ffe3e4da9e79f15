package dev.attune.internal.dl4j;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * A frozen output layer above trainable layers (for example when an adapter trains the hidden
 * layers and the pretrained head is kept): it computes the loss and, in the backward pass, only the
 * gradient for its input, {@code dL/dz W^T}. No optimizer state (a no-op updater), no weight
 * gradient: its weights stay bit-identical.
 */
final class FrozenOutputPassThrough extends BaseOutputLayer {
    private static final long serialVersionUID = 1L;

    FrozenOutputPassThrough(OutputLayer base) {
        setLayerName(base.getLayerName());
        setNIn(base.getNIn());
        setNOut(base.getNOut());
        setActivationFn(base.getActivationFn());
        setLossFn(base.getLossFn());
        setHasBias(base.hasBias());
        setWeightInitFn(base.getWeightInitFn());
        setBiasInit(base.getBiasInit());
        setIUpdater(new NoOp());
        setRegularization(List.of());
        setRegularizationBias(List.of());
    }

    static boolean supports(org.deeplearning4j.nn.conf.layers.Layer layer) {
        return layer.getClass() == OutputLayer.class;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        Impl layer = new Impl(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return DefaultParamInitializer.getInstance();
    }

    @Override
    public org.deeplearning4j.nn.conf.memory.LayerMemoryReport getMemoryReport(
            org.deeplearning4j.nn.conf.inputs.InputType inputType) {
        return new OutputLayer.Builder().nIn(getNIn()).nOut(getNOut()).build().getMemoryReport(inputType);
    }

    /** The layer: DL4J's output layer with an input-gradient-only backward pass. */
    static final class Impl extends org.deeplearning4j.nn.layers.BaseOutputLayer<FrozenOutputPassThrough> {
        private static final long serialVersionUID = 1L;

        Impl(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
            assertInputSet(true);
            INDArray z = preOutput2d(true, mgr);
            INDArray delta = layerConf().getLossFn().computeGradient(labels, z, layerConf().getActivationFn(), maskArray);
            INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray eps = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, delta.dataType(),
                    new long[] {delta.size(0), w.size(0)}, 'f');
            Nd4j.gemm(delta, w, eps, false, true, 1.0, 0.0);
            this.gradient = new DefaultGradient();
            return new Pair<>(gradient, backpropDropOutIfPresent(eps));
        }

        @Override
        protected INDArray getLabels2d(LayerWorkspaceMgr mgr, ArrayType arrayType) {
            return labels;
        }
    }
}
