package dev.attune.internal.dl4j;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.misc.DummyConfig;
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

/**
 * A frozen dense layer that sits above trainable layers: it runs in inference mode, holds no
 * optimizer state, and in the backward pass computes only the gradient for its input,
 * {@code (f'(z) * eps) W^T}. DL4J's {@code FrozenLayerWithBackprop} computes the weight gradient too
 * and throws it away; its {@code FrozenLayer} passes no gradient at all.
 */
final class FrozenPassThrough extends FrozenLayerWithBackprop {
    private static final long serialVersionUID = 1L;

    FrozenPassThrough(Layer layer) {
        super(layer);
    }

    /** Whether a frozen layer of this configuration can pass gradients to the layers below it. */
    static boolean supports(Layer layer) {
        return (layer.getClass() == DenseLayer.class && !((DenseLayer) layer).hasLayerNorm())
                || FrozenOutputPassThrough.supports(layer);
    }

    /** The frozen, gradient-passing stand-in for a layer that {@link #supports} says can pass gradients. */
    static Layer wrap(Layer layer) {
        Layer f = FrozenOutputPassThrough.supports(layer)
                ? new FrozenOutputPassThrough((org.deeplearning4j.nn.conf.layers.OutputLayer) layer)
                : new FrozenPassThrough(layer);
        f.setLayerName(layer.getLayerName());
        return f;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        org.deeplearning4j.nn.api.Layer inner = getUnderlying().instantiate(getInnerConf(conf), trainingListeners,
                layerIndex, layerParamsView, initializeParams, networkDataType);
        // The same bookkeeping as DL4J's FrozenLayerWithBackprop: the wrapper reports the inner variables.
        NeuralNetConfiguration innerConf = inner.conf();
        if (innerConf.variables() != null) {
            List<String> vars = innerConf.variables(true);
            innerConf.clearVariables();
            conf.clearVariables();
            for (String s : vars) {
                conf.variables(false).add(s);
                innerConf.variables(false).add(s);
            }
        }
        return new Impl(inner);
    }

    /** The layer: inference-mode forward pass, input-gradient-only backward pass. */
    static final class Impl extends org.deeplearning4j.nn.layers.FrozenLayerWithBackprop {
        private static final long serialVersionUID = 1L;

        private final TrainingConfig config;

        Impl(org.deeplearning4j.nn.api.Layer inner) {
            super(inner);
            this.config = new DummyConfig(inner.getConfig().getLayerName());
        }

        /**
         * A configuration with no updater and no regularization, as DL4J's {@code FrozenLayer} has: DL4J's
         * {@code FrozenLayerWithBackprop} reports its inner layer's, and so gets optimizer state it never uses.
         */
        @Override
        public TrainingConfig getConfig() {
            return config;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
            INDArray w = underlying.getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray x = underlying.input().castTo(w.dataType());
            // Recompute the pre-activation, as DL4J's dense layer does in its own backward pass.
            INDArray z = x.mmul(w);
            if (((DenseLayer) underlying.conf().getLayer()).hasBias()) {
                z.addiRowVector(underlying.getParam(DefaultParamInitializer.BIAS_KEY));
            }
            var afn = ((DenseLayer) underlying.conf().getLayer()).getActivationFn();
            INDArray delta = afn.backprop(z, epsilon).getFirst();
            INDArray epsNext = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, w.dataType(),
                    new long[] {x.size(0), w.size(0)}, 'f');
            Nd4j.gemm(delta, w, epsNext, false, true, 1.0, 0.0);
            return new Pair<>(new DefaultGradient(), epsNext);
        }
    }
}
