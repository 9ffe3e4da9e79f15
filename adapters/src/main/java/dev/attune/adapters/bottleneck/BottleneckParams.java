package dev.attune.adapters.bottleneck;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The trainable parameters of a bottleneck layer, in this order in DL4J's flat parameter vector: the
 * down-projection {@code D} ({@code [m, out]}), its bias {@code d} ({@code [m]}), the up-projection
 * {@code U} ({@code [out, m]}) and its bias {@code u} ({@code [out]}). The frozen base weights are not
 * DL4J parameters of the layer: they get no gradient array, no optimizer state and no update.
 */
final class BottleneckParams implements ParamInitializer {
    // DL4J splits gradient keys at their last underscore: parameter keys must not hold one.
    static final String DOWN = "D";
    static final String DOWN_BIAS = "d";
    static final String UP = "U";
    static final String UP_BIAS = "u";

    static final BottleneckParams INSTANCE = new BottleneckParams();

    private BottleneckParams() {
    }

    /** The adapter's tensors under their adapter-file names (PyTorch's linear-layer layout). */
    static Map<String, INDArray> named(Map<String, INDArray> params) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put("adapter_down.weight", params.get(DOWN));
        m.put("adapter_down.bias", params.get(DOWN_BIAS));
        m.put("adapter_up.weight", params.get(UP));
        m.put("adapter_up.bias", params.get(UP_BIAS));
        return m;
    }

    private static BottleneckDense conf(Layer layer) {
        return (BottleneckDense) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        long out = conf(layer).getNOut();
        long m = conf(layer).spec().size();
        return 2 * m * out + m + out;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.of(DOWN, DOWN_BIAS, UP, UP_BIAS);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(DOWN, UP);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(DOWN_BIAS, UP_BIAS);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return DOWN.equals(key) || UP.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return DOWN_BIAS.equals(key) || UP_BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> views = views(conf.getLayer(), paramsView);
        if (initializeParams) {
            BottleneckSpec s = conf(conf.getLayer()).spec();
            INDArray down = views.get(DOWN);
            // Both draw from ND4J's generator, which the trainer seeds with the run's seed.
            if (s.init() == Bottleneck.Init.GAUSSIAN) {
                down.assign(Nd4j.randn(down.dataType(), down.shape()).muli(0.01));
            } else {
                double bound = 1.0 / Math.sqrt(down.size(1));
                down.assign(Nd4j.rand(down.dataType(), down.shape()).muli(2 * bound).subi(bound));
            }
            // A zero up-projection: a new adapter adds nothing to the layer's output.
            views.get(DOWN_BIAS).assign(0);
            views.get(UP).assign(0);
            views.get(UP_BIAS).assign(0);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> views(Layer layer, INDArray flat) {
        long out = conf(layer).getNOut();
        long m = conf(layer).spec().size();
        INDArray v = flat.reshape(flat.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        views.put(DOWN, v.get(NDArrayIndex.interval(0, m * out)).reshape('c', m, out));
        views.put(DOWN_BIAS, v.get(NDArrayIndex.interval(m * out, m * out + m)));
        views.put(UP, v.get(NDArrayIndex.interval(m * out + m, 2 * m * out + m)).reshape('c', out, m));
        views.put(UP_BIAS, v.get(NDArrayIndex.interval(2 * m * out + m, 2 * m * out + m + out)));
        return views;
    }
}
