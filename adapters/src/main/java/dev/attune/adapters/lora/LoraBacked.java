package dev.attune.adapters.lora;

import dev.attune.spi.AdaptedLayer;
import java.util.Collection;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A dense or output layer whose adapter math is a {@link LoraMath}: the life-cycle methods delegate to it. */
interface LoraBacked extends AdaptedLayer {
    LoraMath math();

    /** The layer's DL4J parameters (the adapter's tensors). */
    Map<String, INDArray> loraParams();

    @Override
    default void bindBase(Map<String, INDArray> base) {
        math().bind(base, loraParams());
    }

    @Override
    default Map<String, INDArray> adapterTensors() {
        return LoraParams.named(loraParams());
    }

    @Override
    default Map<String, INDArray> mergedParams() {
        return math().merged(loraParams());
    }

    @Override
    default void inputGradientNeeded(boolean needed) {
        math().inputGradientNeeded(needed);
    }

    @Override
    default void merge() {
        math().merge(loraParams());
    }

    @Override
    default void unmerge() {
        math().unmerge(loraParams());
    }

    @Override
    default boolean isMerged() {
        return math().isMerged();
    }

    /** Wires a new LoRA layer instance as DL4J's own layer configurations do in {@code instantiate}. */
    static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                    int index, INDArray paramsView, boolean initialize) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(LoraParams.INSTANCE.init(conf, paramsView, initialize));
        layer.setConf(conf);
        return layer;
    }
}
