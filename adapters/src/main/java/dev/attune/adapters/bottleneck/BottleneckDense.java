package dev.attune.adapters.bottleneck;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The configuration of a dense layer followed by a bottleneck adapter. */
final class BottleneckDense extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;

    private final DenseLayer base;
    private final BottleneckSpec spec;

    BottleneckDense(DenseLayer base, BottleneckSpec spec) {
        this.base = base;
        this.spec = spec;
        setLayerName(base.getLayerName());
        setNIn(base.getNIn());
        setNOut(base.getNOut());
        setActivationFn(base.getActivationFn());
        setIDropout(base.getIDropout());
    }

    BottleneckSpec spec() {
        return spec;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        BottleneckDenseLayer layer = new BottleneckDenseLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(BottleneckParams.INSTANCE.init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return BottleneckParams.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return base.getMemoryReport(inputType);
    }
}
