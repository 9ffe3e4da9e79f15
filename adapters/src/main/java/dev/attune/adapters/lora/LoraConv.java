package dev.attune.adapters.lora;

import java.util.Collection;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The configuration of a 2-D convolution layer with a LoRA or DoRA adapter, or with its bias alone trained. */
final class LoraConv extends ConvolutionLayer implements LoraLayerConf {
    private static final long serialVersionUID = 1L;

    private final ConvolutionLayer base;
    private final LoraSpec spec;

    LoraConv(ConvolutionLayer base, LoraSpec spec) {
        this.base = base;
        this.spec = spec;
        setLayerName(base.getLayerName());
        setNIn(base.getNIn());
        setNOut(base.getNOut());
        setActivationFn(base.getActivationFn());
        setIDropout(base.getIDropout());
        setHasBias(base.hasBias());
        setConvolutionMode(base.getConvolutionMode());
        setDilation(base.getDilation());
        setKernelSize(base.getKernelSize());
        setStride(base.getStride());
        setPadding(base.getPadding());
        setCudnnAllowFallback(base.isCudnnAllowFallback());
        setCnn2dDataFormat(base.getCnn2dDataFormat());
        setCudnnAlgoMode(base.getCudnnAlgoMode());
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
        return LoraBacked.wire(new LoraConvLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
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
