package dev.attune.adapters.lora;

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

/** The configuration of a dense layer with a LoRA or DoRA adapter, or with its bias alone trained. */
final class LoraDense extends FeedForwardLayer implements LoraLayerConf {
    private static final long serialVersionUID = 1L;

    private final DenseLayer base;
    private final LoraSpec spec;

    LoraDense(DenseLayer base, LoraSpec spec) {
        this.base = base;
        this.spec = spec;
        setLayerName(base.getLayerName());
        setNIn(base.getNIn());
        setNOut(base.getNOut());
        setActivationFn(base.getActivationFn());
        setIDropout(base.getIDropout());
    }

    @Override
    public LoraSpec spec() {
        return spec;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return LoraBacked.wire(new LoraDenseLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return LoraParams.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return base.getMemoryReport(inputType);
    }
}
