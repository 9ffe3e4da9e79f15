package dev.attune.internal.dl4j;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A dense layer with layer normalisation whose gain is not decayed. DL4J counts a dense layer's
 * layer-norm gain ({@code "g"}) among its weights, so weight decay would pull it to 0; as biases and
 * batch normalisation's gain and shift, it gets no regularization here. Used in training
 * configurations only (results are built from stock layers).
 */
final class UndecayedGainDense extends DenseLayer {
    /** For DL4J's configuration copies. */
    UndecayedGainDense() {
    }

    /** The layer itself, or for a dense layer with layer normalisation, a copy of it that does not decay its gain. */
    static Layer of(Layer layer) {
        if (layer.getClass() != DenseLayer.class || !((DenseLayer) layer).hasLayerNorm()) {
            return layer;
        }
        UndecayedGainDense copy = new UndecayedGainDense();
        for (Class<?> c = DenseLayer.class; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    try {
                        f.set(copy, f.get(layer));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot copy field " + f + " of a dense layer", e);
                    }
                }
            }
        }
        return copy;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return DefaultParamInitializer.GAIN_KEY.equals(paramName) ? List.of() : super.getRegularizationByParam(paramName);
    }
}
