package dev.attune.internal.dl4j;

import dev.attune.internal.layers.Freezing;
import dev.attune.internal.layers.InputChecks;
import dev.attune.internal.math.StepWorkspace;
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
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The model handle over a DL4J {@link ComputationGraph} with one input and one output. */
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

    private static List<LayerInfo> layers(ComputationGraphConfiguration conf, ComputationGraph graph) {
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

    /** The graph configuration with the new head, its layers, and the frozen set. */
    private record Configured(ComputationGraphConfiguration conf, String output, List<LayerInfo> layers,
                              Set<String> frozen) {
    }

    private Configured configure(TrainingPlan plan) {
        if (plan.adapter() != null) {
            throw new IllegalArgumentException("adapters (" + plan.adapter().name() + ") are not supported on"
                    + " ComputationGraph networks yet; use a MultiLayerNetwork base model, or fine-tune the graph"
                    + " without an adapter");
        }
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                lv.getLayerConf().setLayer(MlnHandle.unfrozen(lv.getLayerConf().getLayer()).clone());
            }
        }
        String output = conf.getNetworkOutputs().get(0);
        if (plan.headClasses() > 0) {
            output = replaceHead(conf, output, plan);
        }
        List<LayerInfo> layers = layers(conf, null);
        Set<String> frozen = Freezing.resolve(plan.freeze(), layers, l -> conf.getVertices().get(l.name()) instanceof LayerVertex lv
                && FrozenPassThrough.supports(lv.getLayerConf().getLayer()));
        return new Configured(conf, output, layers, frozen);
    }

    @Override
    public void check(TrainingPlan plan) {
        configure(plan);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        Configured configured = configure(plan);
        ComputationGraphConfiguration conf = configured.conf();
        String output = configured.output();
        List<LayerInfo> layers = configured.layers();
        Set<String> frozen = configured.frozen();
        ComputationGraphConfiguration plain = conf.clone();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            NeuralNetConfiguration c = lv.getLayerConf();
            c.setSeed(plan.seed());
            ((LayerVertex) plain.getVertices().get(e.getKey())).getLayerConf().setSeed(plan.seed());
            if (frozen.contains(e.getKey())) {
                // A graph's FrozenLayer passes no gradient to its inputs, so a frozen layer above a
                // trainable one computes its input gradient instead.
                LayerInfo info = layers.stream().filter(l -> l.name().equals(e.getKey())).findFirst().orElseThrow();
                org.deeplearning4j.nn.conf.layers.Layer f = Freezing.trainableBelow(info, layers, frozen)
                        ? FrozenPassThrough.wrap(c.getLayer()) : new FrozenLayer(c.getLayer());
                f.setLayerName(e.getKey());
                c.setLayer(f);
            } else if (c.getLayer() instanceof BaseLayer b) {
                Optimizers.configure(b, plan.optimizer());
                Optimizers.configure((BaseLayer) ((LayerVertex) plain.getVertices().get(e.getKey())).getLayerConf()
                        .getLayer(), plan.optimizer());
            }
        }
        conf.getDefaultConfiguration().setSeed(plan.seed());
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        ComputationGraph fresh = new ComputationGraph(conf);
        fresh.init();
        for (LayerInfo l : layers) {
            if (l.hasParams() && !(plan.headClasses() > 0 && l.name().equals(output))) {
                fresh.getVertex(l.name()).params().assign(graph.getVertex(l.name()).params());
            }
        }
        long trainable = layers.stream().filter(l -> !frozen.contains(l.name())).mapToLong(LayerInfo::numParams).sum();
        return new Trainable(fresh, plain, frozen, trainable);
    }

    private static String replaceHead(ComputationGraphConfiguration conf, String output, TrainingPlan plan) {
        GraphVertex v = conf.getVertices().get(output);
        if (!(v instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof BaseOutputLayer old)) {
            throw new IllegalArgumentException("cannot replace the head: the output vertex '" + output
                    + "' is not a dense output layer");
        }
        String head = plan.headName();
        if (!head.equals(output) && conf.getVertices().containsKey(head)) {
            throw new IllegalArgumentException("the new head's name '" + head + "' is taken by another vertex; choose another head name");
        }
        NeuralNetConfiguration nnc = lv.getLayerConf().clone();
        nnc.setLayer(Heads.softmax(head, old.getNIn(), plan.headClasses()));
        LayerVertex replacement = new LayerVertex(nnc, lv.getPreProcessor());
        replacement.setOutputVertex(true);
        Map<String, GraphVertex> vertices = new LinkedHashMap<>();
        Map<String, List<String>> inputs = new LinkedHashMap<>();
        conf.getVertices().forEach((name, vertex) -> vertices.put(name.equals(output) ? head : name,
                name.equals(output) ? replacement : vertex));
        conf.getVertexInputs().forEach((name, in) -> inputs.put(name.equals(output) ? head : name, in));
        conf.setVertices(vertices);
        conf.setVertexInputs(inputs);
        conf.setNetworkOutputs(new ArrayList<>(List.of(head)));
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        return head;
    }

    /** A computation graph being trained; frozen vertices run in inference mode and stop backpropagation. */
    private static final class Trainable implements TrainableModel {
        private final ComputationGraph graph;
        private final ComputationGraphConfiguration plain;
        private final Set<String> frozen;
        private final long trainable;

        Trainable(ComputationGraph graph, ComputationGraphConfiguration plain, Set<String> frozen, long trainable) {
            this.graph = graph;
            this.plain = plain;
            this.frozen = Set.copyOf(frozen);
            this.trainable = trainable;
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
        public INDArray predictEncoded(INDArray x) {
            return graph.outputSingle(false, x);
        }

        @Override
        public INDArray params() {
            return graph.params();
        }

        @Override
        public long trainableParams() {
            return trainable;
        }

        @Override
        public long frozenParams() {
            return graph.numParams() - trainable;
        }

        @Override
        public Set<String> frozenLayers() {
            return frozen;
        }

        @Override
        public java.util.Map<String, INDArray> trainedTensors() {
            java.util.Map<String, INDArray> out = new java.util.LinkedHashMap<>();
            for (var l : graph.getLayers()) {
                String name = l.conf().getLayer().getLayerName();
                if (!frozen.contains(name)) {
                    l.paramTable().forEach((k, v) -> out.put(name + "." + k, v));
                }
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
            return List.of();
        }

        @Override
        public ModelHandle snapshot() {
            ComputationGraph copy = new ComputationGraph(plain.clone());
            copy.init(graph.params().dup(), false);
            return new GraphHandle(copy);
        }
    }
}
