package dev.attune.internal.dl4j;

import dev.attune.internal.math.StepWorkspace;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A computation graph being trained through DL4J's backward pass: frozen vertices run in inference
 * mode and either stop backpropagation or pass gradients through; adapted vertices train their
 * adapter's tensors alone, over private copies of their base weights.
 */
final class GraphTrainable implements TrainableModel {
    private final ComputationGraph graph;
    private final GraphSetup setup;

    /**
     * @param graph the initialised training graph, holding the base's parameters except the adapted vertices'
     * @param setup what it was built from
     * @param bases the adapted vertices' base parameters by DL4J key: private copies, bound to their layers
     */
    GraphTrainable(ComputationGraph graph, GraphSetup setup, Map<String, Map<String, INDArray>> bases) {
        this.graph = graph;
        this.setup = setup;
        bases.forEach((name, base) -> ((AdaptedLayer) graph.getVertex(name).getLayer()).bindBase(base));
        ComputationGraphConfiguration conf = graph.getConfiguration();
        String input = conf.getNetworkInputs().get(0);
        for (String name : bases.keySet()) {
            // A vertex fed by the network's input alone, with no preprocessor, owes nothing below it a gradient.
            boolean direct = conf.getVertexInputs().get(name).stream().allMatch(input::equals)
                    && ((LayerVertex) conf.getVertices().get(name)).getPreProcessor() == null;
            ((AdaptedLayer) graph.getVertex(name).getLayer()).inputGradientNeeded(!direct);
        }
    }

    @Override
    public boolean hasFrozenBottom() {
        return false;
    }

    @Override
    public INDArray encode(INDArray features) {
        return features;
    }

    @Override
    public double step(INDArray x, INDArray y, INDArray weights, int iteration, int epoch) {
        graph.setInputs(x);
        graph.setLabels(y);
        ExampleWeightedLoss.during(graph.getOutputLayer(0), weights, () -> {
            graph.computeGradientAndScore();
            return 0;
        });
        var gradient = graph.gradient();
        // DL4J's score adds the weight-decay term (of the weights before this update): report the data loss alone.
        double score = graph.score() - graph.calcRegularizationScore(true);
        graph.getUpdater().update(gradient, iteration, epoch, (int) x.size(0), StepWorkspace.UPDATER);
        graph.params().subi(gradient.gradient());
        graph.getConfiguration().setIterationCount(iteration + 1);
        graph.getConfiguration().setEpochCount(epoch);
        graph.clear();
        return score;
    }

    @Override
    public List<dev.attune.spi.TrainedTensor> gradientTensors() {
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView();
        }
        List<dev.attune.spi.TrainedTensor> out = new ArrayList<>();
        for (LayerInfo l : setup.layers()) {
            var vertex = graph.getVertex(l.name());
            if (!setup.frozen().contains(l.name()) && vertex.hasLayer()) {
                TrainedTensors.add(vertex.getLayer(), l.name(), out);
            }
        }
        return out;
    }

    @Override
    public double computeGradients(INDArray x, INDArray y, INDArray weights) {
        graph.setInputs(x);
        graph.setLabels(y);
        ExampleWeightedLoss.during(graph.getOutputLayer(0), weights, () -> {
            graph.computeGradientAndScore();
            return 0;
        });
        double score = graph.score() - graph.calcRegularizationScore(true);
        graph.clear();
        return score;
    }

    @Override
    public INDArray predictEncoded(INDArray x) {
        return graph.outputSingle(false, x);
    }

    @Override
    public INDArray params() {
        return graph.params();
    }

    @Override
    public long trainableParams() {
        long n = 0;
        for (LayerInfo l : setup.layers()) {
            if (!setup.frozen().contains(l.name()) && graph.getVertex(l.name()).hasLayer()) {
                n += graph.getVertex(l.name()).getLayer().numParams();
            }
        }
        return n;
    }

    @Override
    public long frozenParams() {
        long n = 0;
        for (LayerInfo l : setup.layers()) {
            if (!(setup.plain().getVertices().get(l.name()) instanceof LayerVertex lv)) {
                continue;
            }
            NeuralNetConfiguration c = lv.getLayerConf();
            long all = c.getLayer().initializer().numParams(c);
            var layer = graph.getVertex(l.name()).getLayer();
            if (setup.frozen().contains(l.name())) {
                n += all;
            } else if (layer instanceof AdaptedLayer) {
                // The adapted layer's base weights are frozen; a bias it trains is among its own parameters.
                INDArray bias = layer.paramTable().get("b");
                n += all - (bias == null ? 0 : bias.length());
            }
        }
        return n;
    }

    @Override
    public Set<String> frozenLayers() {
        return setup.frozen();
    }

    @Override
    public Map<String, INDArray> trainedTensors() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (LayerInfo l : setup.layers()) {
            var vertex = graph.getVertex(l.name());
            if (setup.frozen().contains(l.name()) || !vertex.hasLayer()) {
                continue;
            }
            var layer = vertex.getLayer();
            Map<String, INDArray> tensors = layer instanceof AdaptedLayer a ? a.adapterTensors() : layer.paramTable();
            tensors.forEach((k, v) -> out.put(l.name() + "." + k, v));
        }
        return out;
    }

    @Override
    public long optimizerStateSize() {
        INDArray state = graph.getUpdater().getStateViewArray();
        return state == null ? 0 : state.length();
    }

    @Override
    public ModelHandle live() {
        return new GraphHandle(graph);
    }

    @Override
    public List<AdaptedLayer> adaptedLayers() {
        List<AdaptedLayer> out = new ArrayList<>();
        for (var l : graph.getLayers()) {
            if (l instanceof AdaptedLayer a) {
                out.add(a);
            }
        }
        return out;
    }

    /** The graph as stock DL4J layers, every adapter merged into its vertex's weights. */
    @Override
    public ModelHandle snapshot() {
        ComputationGraph copy = new ComputationGraph(setup.plain().clone());
        if (setup.adapted().isEmpty()) {
            copy.init(graph.params().dup(), false);
            return new GraphHandle(copy);
        }
        // No random initialisation: every parameter is assigned below.
        long n = 0;
        for (var v : setup.plain().getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                n += lv.getLayerConf().getLayer().initializer().numParams(lv.getLayerConf());
            }
        }
        copy.init(Nd4j.createUninitialized(graph.params().dataType(), 1, n), false);
        for (LayerInfo l : setup.layers()) {
            var vertex = graph.getVertex(l.name());
            if (!vertex.hasLayer()) {
                continue;
            }
            var layer = vertex.getLayer();
            Map<String, INDArray> params = layer instanceof AdaptedLayer a ? a.mergedParams() : layer.paramTable();
            var target = copy.getVertex(l.name()).getLayer();
            params.forEach((k, v) -> target.getParam(k).assign(v));
        }
        return new GraphHandle(copy);
    }

    /** DL4J's updater state: one array over every updater block. */
    @Override
    public Map<String, INDArray> optimizerState() {
        INDArray state = graph.getUpdater().getStateViewArray();
        return state == null ? Map.of() : Map.of("updater", state);
    }
}
