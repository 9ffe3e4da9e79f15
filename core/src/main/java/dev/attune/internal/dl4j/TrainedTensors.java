package dev.attune.internal.dl4j;

import dev.attune.spi.TrainedTensor;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/** A DL4J layer's trained parameters as {@link TrainedTensor}s, over its parameter and gradient views. */
final class TrainedTensors {
    private TrainedTensors() {
    }

    /** Adds the parameters of a trained layer (its adapter's, for an adapted layer) to {@code out}, in the layer's order. */
    static void add(Layer layer, String name, List<TrainedTensor> out) {
        if (layer.numParams() == 0) {
            return;
        }
        var conf = layer.conf().getLayer();
        if (Optimizers.normalizesGradients(conf)) {
            throw new IllegalArgumentException("layer '" + name + "' asks DL4J to normalize its gradients ("
                    + ((org.deeplearning4j.nn.conf.layers.BaseLayer) conf).getGradientNormalization() + "), which the"
                    + " training controls' update does not do; use clipGradientNorm(...) instead, or train without"
                    + " training controls");
        }
        Map<String, INDArray> params = layer.paramTable();
        Map<String, INDArray> grads = conf.initializer().getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
        params.forEach((key, value) -> out.add(new TrainedTensor(name, key, value, grads.get(key), role(conf, key))));
    }

    /**
     * Weights decay; biases, a dense layer's layer-norm gain and batch normalisation's gain and shift do
     * not; batch normalisation's running mean and variance (DL4J updates them with no optimizer) are statistics.
     */
    static TrainedTensor.Role role(org.deeplearning4j.nn.conf.layers.Layer conf, String key) {
        if (conf.getUpdaterByParam(key) instanceof NoOp) {
            return TrainedTensor.Role.STATISTIC;
        }
        if (conf instanceof BatchNormalization || (conf instanceof DenseLayer d && d.hasLayerNorm() && "g".equals(key))) {
            return TrainedTensor.Role.NO_DECAY;
        }
        return conf.initializer().isWeightParam(conf, key) ? TrainedTensor.Role.WEIGHT : TrainedTensor.Role.NO_DECAY;
    }
}
