package dev.attune.internal.dl4j;

import dev.attune.internal.layers.InputChecks;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.ModelFamily;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model handle over a DL4J {@link ComputationGraph} with one input and one output. Training,
 * adapters included, is set up by {@link GraphSetup} and runs in {@link GraphTrainable}.
 */
final class GraphHandle implements ModelHandle {
    private final ComputationGraph graph;

    GraphHandle(ComputationGraph graph) {
        if (graph.getConfiguration().getNetworkInputs().size() != 1
                || graph.getConfiguration().getNetworkOutputs().size() != 1) {
            throw new IllegalArgumentException("Attune fine-tunes graphs with one input and one output; this graph has inputs "
                    + graph.getConfiguration().getNetworkInputs() + " and outputs " + graph.getConfiguration().getNetworkOutputs());
        }
        this.graph = graph;
    }

    @Override
    public List<LayerInfo> layers() {
        return layers(graph.getConfiguration(), graph);
    }

    static List<LayerInfo> layers(ComputationGraphConfiguration conf, ComputationGraph graph) {
        List<String> order = conf.getNetworkInputs().isEmpty() ? List.of() : topologicalOrder(conf);
        List<LayerInfo> out = new ArrayList<>();
        int index = 0;
        for (String name : order) {
            GraphVertex v = conf.getVertices().get(name);
            String type;
            long params;
            if (v instanceof LayerVertex lv) {
                Layer l = MlnHandle.unfrozen(lv.getLayerConf().getLayer());
                type = l.getClass().getSimpleName();
                params = graph != null ? graph.getVertex(name).numParams() : l.initializer().numParams(l);
            } else {
                type = v.getClass().getSimpleName();
                params = v.numParams(false);
            }
            out.add(new LayerInfo(name, index++, type, params, conf.getVertexInputs().get(name)));
        }
        return List.copyOf(out);
    }

    private static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        // Kahn's algorithm over the vertices, in insertion order among ready vertices, so the order is stable.
        Map<String, List<String>> inputs = conf.getVertexInputs();
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>(conf.getNetworkInputs());
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String v : conf.getVertices().keySet()) {
                if (!done.contains(v) && done.containsAll(inputs.get(v))) {
                    done.add(v);
                    order.add(v);
                    progress = true;
                }
            }
        }
        return order;
    }

    @Override
    public long numParams() {
        return graph.numParams();
    }

    @Override
    public int numOutputs() {
        String out = graph.getConfiguration().getNetworkOutputs().get(0);
        GraphVertex v = graph.getConfiguration().getVertices().get(out);
        if (v instanceof LayerVertex lv && MlnHandle.unfrozen(lv.getLayerConf().getLayer()) instanceof FeedForwardLayer f) {
            return (int) f.getNOut();
        }
        throw new IllegalStateException("the output vertex '" + out + "' is not a dense output layer");
    }

    @Override
    public INDArray output(INDArray features) {
        return graph.outputSingle(false, features);
    }

    /** Checks the input against the layer that takes it, when one layer alone does. */
    @Override
    public void checkInput(INDArray features) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        String input = conf.getNetworkInputs().get(0);
        List<String> takers = conf.getVertexInputs().entrySet().stream()
                .filter(e -> e.getValue().contains(input)).map(Map.Entry::getKey).toList();
        if (takers.size() == 1 && conf.getVertices().get(takers.get(0)) instanceof LayerVertex lv) {
            Layer layer = MlnHandle.unfrozen(lv.getLayerConf().getLayer());
            InputChecks.requireShape(features, layer, lv.getPreProcessor());
        }
    }

    @Override
    public Object unwrap() {
        return graph;
    }

    @Override
    public String architecture() {
        return graph.getConfiguration().toJson();
    }

    @Override
    public INDArray params() {
        return graph.params();
    }

    @Override
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (LayerInfo l : layers()) {
            var vertex = graph.getVertex(l.name());
            if (vertex.hasLayer()) {
                vertex.getLayer().paramTable().forEach((k, v) -> out.put(l.name() + "." + k, v));
            }
        }
        return out;
    }

    @Override
    public ModelFamily family() {
        return Dl4jFamily.INSTANCE;
    }

    @Override
    public void write(Path file) throws IOException {
        ModelSerializer.writeModel(graph, file.toFile(), false);
    }

    @Override
    public void check(TrainingPlan plan) {
        GraphSetup.of(graph.getConfiguration(), plan);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        GraphSetup setup = GraphSetup.of(graph.getConfiguration(), plan);
        ComputationGraph fresh = new ComputationGraph(setup.train());
        fresh.init();
        Map<String, Map<String, INDArray>> bases = new LinkedHashMap<>();
        for (LayerInfo l : setup.layers()) {
            if (!l.hasParams() || (setup.newHead() && l.name().equals(setup.output()))) {
                continue;
            }
            if (fresh.getVertex(l.name()).getLayer() instanceof AdaptedLayer) {
                // The adapter keeps private copies: merging writes to them, never to the base model.
                Map<String, INDArray> base = new LinkedHashMap<>();
                graph.getVertex(l.name()).getLayer().paramTable().forEach((k, v) -> base.put(k, v.dup()));
                bases.put(l.name(), base);
            } else {
                fresh.getVertex(l.name()).params().assign(graph.getVertex(l.name()).params());
            }
        }
        return new GraphTrainable(fresh, setup, bases);
    }
}
