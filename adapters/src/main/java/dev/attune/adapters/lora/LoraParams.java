package dev.attune.adapters.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The trainable parameters of a LoRA layer, in this order in DL4J's flat parameter vector: the bias
 * {@code b} ({@code [out]}, only when it trains), {@code A} ({@code [r, in]}), {@code B}
 * ({@code [out, r]}) and DoRA's magnitude {@code m} ({@code [out]}); adapter files name them
 * {@code b}, {@code lora_A}, {@code lora_B} and {@code lora_magnitude_vector}, as PEFT does. On a
 * convolution they take PEFT's {@code Conv2d} shapes: {@code A} {@code [r, in, kH, kW]}, {@code B}
 * {@code [out, r, 1, 1]}, {@code m} {@code [1, out, 1, 1]}. A bias-only layer (rank 0, a non-target
 * layer under {@link Lora.Bias#ALL}) holds {@code b} alone. The frozen base weights are not DL4J
 * parameters of the layer: they get no gradient array, no optimizer state and no update.
 */
final class LoraParams implements ParamInitializer {
    // DL4J splits gradient keys at their last underscore: parameter keys must not hold one.
    static final String A = "A";
    static final String B = "B";
    static final String BIAS = "b";
    /** DoRA's magnitude vector, {@code [out]}. */
    static final String MAGNITUDE = "m";
    /** The adapter's tensors under their adapter-file names. */
    static java.util.Map<String, INDArray> named(java.util.Map<String, INDArray> params) {
        java.util.Map<String, INDArray> m = new LinkedHashMap<>();
        if (params.containsKey(BIAS)) {
            m.put(BIAS, params.get(BIAS));
        }
        if (params.containsKey(A)) {
            m.put("lora_A", params.get(A));
            m.put("lora_B", params.get(B));
        }
        if (params.containsKey(MAGNITUDE)) {
            m.put("lora_magnitude_vector", params.get(MAGNITUDE));
        }
        return m;
    }

    static final LoraParams INSTANCE = new LoraParams();

    private LoraParams() {
    }

    private static LoraSpec spec(Layer layer) {
        return ((LoraLayerConf) layer).spec();
    }

    /** The adapted weight's fan-in: inputs of a dense layer, input channels times kernel size of a convolution. */
    static long fanIn(Layer layer) {
        FeedForwardLayer f = (FeedForwardLayer) layer;
        if (layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c) {
            return f.getNIn() * c.getKernelSize()[0] * c.getKernelSize()[1];
        }
        return f.getNIn();
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        FeedForwardLayer f = (FeedForwardLayer) layer;
        LoraSpec s = spec(layer);
        return (s.trainBias() ? f.getNOut() : 0) + s.rank() * (fanIn(layer) + f.getNOut()) + (s.dora() ? f.getNOut() : 0);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        List<String> keys = new ArrayList<>(biasKeys(layer));
        keys.addAll(weightKeys(layer));
        return keys;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        LoraSpec s = spec(layer);
        return !s.hasUpdate() ? List.of() : s.dora() ? List.of(A, B, MAGNITUDE) : List.of(A, B);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return spec(layer).trainBias() ? List.of(BIAS) : List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return A.equals(key) || B.equals(key) || MAGNITUDE.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> views = views(conf.getLayer(), paramsView);
        LoraSpec s = spec(conf.getLayer());
        if (initializeParams && s.hasUpdate()) {
            initA(views.get(A), s, fanIn(conf.getLayer()));
            views.get(B).assign(0);
            if (views.containsKey(MAGNITUDE)) {
                // Set to the base weights' column norms when they are bound.
                views.get(MAGNITUDE).assign(1);
            }
        }
        if (initializeParams && views.containsKey(BIAS)) {
            // Set to the base layer's bias when it is bound.
            views.get(BIAS).assign(0);
        }
        return views;
    }

    /** Sets {@code A} as the spec says: Kaiming-uniform for this fan-in, or Gaussian. */
    static void initA(INDArray a, LoraSpec s, long fanIn) {
        // Both draw from ND4J's generator, which the trainer seeds with the run's seed.
        if (s.init() == Lora.Init.GAUSSIAN) {
            a.assign(Nd4j.randn(a.dataType(), a.shape()).muli(1.0 / s.rank()));
        } else {
            double bound = 1.0 / Math.sqrt(fanIn);
            a.assign(Nd4j.rand(a.dataType(), a.shape()).muli(2 * bound).subi(bound));
        }
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> views(Layer layer, INDArray flat) {
        FeedForwardLayer f = (FeedForwardLayer) layer;
        LoraSpec s = spec(layer);
        long in = fanIn(layer);
        long out = f.getNOut();
        long r = s.rank();
        INDArray v = flat.reshape(flat.length());
        Map<String, INDArray> m = new LinkedHashMap<>();
        long at = 0;
        if (s.trainBias()) {
            m.put(BIAS, v.get(NDArrayIndex.interval(at, at + out)));
            at += out;
        }
        if (!s.hasUpdate()) {
            return m;
        }
        boolean conv = layer instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
        INDArray a = v.get(NDArrayIndex.interval(at, at + r * in));
        at += r * in;
        INDArray b = v.get(NDArrayIndex.interval(at, at + out * r));
        at += out * r;
        if (conv) {
            // As PEFT's Conv2d LoRA: A a convolution to r channels, B a 1x1 convolution to the outputs.
            int[] k = ((org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer).getKernelSize();
            m.put(A, a.reshape('c', r, f.getNIn(), k[0], k[1]));
            m.put(B, b.reshape('c', out, r, 1, 1));
        } else {
            m.put(A, a.reshape('c', r, in));
            m.put(B, b.reshape('c', out, r));
        }
        if (s.dora()) {
            INDArray magnitude = v.get(NDArrayIndex.interval(at, at + out));
            // PEFT's DoRA on Conv2d keeps the magnitude as [1, out, 1, 1].
            m.put(MAGNITUDE, conv ? magnitude.reshape('c', 1, out, 1, 1) : magnitude);
        }
        return m;
    }
}
