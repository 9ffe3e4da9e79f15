package dev.attune.internal.dl4j;

import dev.attune.internal.layers.Freezing;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.TrainingPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A computation graph's training configuration, as a plan asks: the head replaced, the adapter's
 * layers in place of its target vertices, frozen vertices wrapped, the optimizer set on the trainable
 * ones. Nothing is built. The graph counterpart of {@link MlnSetup}; a graph has no frozen bottom to
 * cut off, so it trains through DL4J's own backward pass over the whole graph.
 *
 * @param train the configuration to train
 * @param plain the same graph as stock layers (no adapter, nothing frozen): what results are built from
 * @param output the output vertex (the new head's name when the head is new)
 * @param layers the vertices of {@code plain} in topological order
 * @param frozen the frozen vertices
 * @param adapted the vertices an adapter trains (targets, and layers it trains a part of)
 * @param newHead whether the head is new
 */
record GraphSetup(ComputationGraphConfiguration train, ComputationGraphConfiguration plain, String output,
                  List<LayerInfo> layers, Set<String> frozen, Set<String> adapted, boolean newHead) {

    /**
     * Resolves the plan against the graph's configuration (checking names, head, targets and freezing).
     *
     * @throws IllegalArgumentException when the plan does not fit the graph (the message says why)
     */
    static GraphSetup of(ComputationGraphConfiguration original, TrainingPlan plan) {
        ComputationGraphConfiguration conf = original.clone();
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                lv.getLayerConf().setLayer(MlnHandle.unfrozen(lv.getLayerConf().getLayer()).clone());
            }
        }
        String output = conf.getNetworkOutputs().get(0);
        if (plan.headClasses() > 0) {
            output = replaceHead(conf, output, plan);
        }
        List<LayerInfo> layers = GraphHandle.layers(conf, null);
        // Vertices that are no layers (merges, sums) have no layer configuration: no method adapts them.
        IntFunction<Layer> confs = i -> conf.getVertices().get(layers.get(i).name()) instanceof LayerVertex lv
                ? lv.getLayerConf().getLayer() : null;
        Set<String> adapted = plan.adapter() == null ? Set.of() : Adapting.targets(plan.adapter(), layers, confs);
        if (plan.headClasses() > 0 && adapted.contains(plan.headName())) {
            throw new IllegalArgumentException("the " + plan.adapter().name() + " targets take the new head '"
                    + plan.headName() + "', which is new and trained in full; target only pretrained layers, e.g. "
                    + "the hidden layers' names");
        }
        Map<String, Layer> adaptedConfs = new HashMap<>();
        for (String name : adapted) {
            NeuralNetConfiguration c = ((LayerVertex) conf.getVertices().get(name)).getLayerConf();
            Layer a = plan.adapter().adapt(c.getLayer().clone());
            requireMergeable(plan, name, c, a, conf);
            adaptedConfs.put(name, a);
        }
        Set<String> partly = plan.adapter() == null ? Set.of() : Adapting.partlyTrained(plan.adapter(), layers, confs,
                plan.freeze().frozenLayers(layers), adapted);
        Set<String> trainedByAdapter = new HashSet<>(adapted);
        trainedByAdapter.addAll(partly);
        Set<String> frozen = Freezing.resolve(plan.freeze(), layers,
                l -> conf.getVertices().get(l.name()) instanceof LayerVertex lv
                        && FrozenPassThrough.supports(lv.getLayerConf().getLayer()),
                plan.adapter() == null ? Freezing.AdapterTraining.NONE
                        : new Freezing.AdapterTraining(plan.adapter().name(), adapted, trainedByAdapter));
        ComputationGraphConfiguration plain = conf.clone();
        for (LayerInfo info : layers) {
            if (!(conf.getVertices().get(info.name()) instanceof LayerVertex lv)) {
                continue;
            }
            String name = info.name();
            NeuralNetConfiguration c = lv.getLayerConf();
            NeuralNetConfiguration p = ((LayerVertex) plain.getVertices().get(name)).getLayerConf();
            c.setSeed(plan.seed());
            p.setSeed(plan.seed());
            if (frozen.contains(name)) {
                // A graph's FrozenLayer passes no gradient to its inputs, so a frozen layer above a
                // trainable one computes its input gradient instead.
                Layer f = Freezing.trainableBelow(info, layers, frozen)
                        ? FrozenPassThrough.wrap(c.getLayer()) : new FrozenLayer(c.getLayer());
                f.setLayerName(name);
                c.setLayer(f);
            } else if (trainedByAdapter.contains(name)) {
                Layer a = adapted.contains(name) ? adaptedConfs.get(name) : plan.adapter().adaptPart(c.getLayer().clone());
                a.setLayerName(name);
                c.setLayer(a);
                Optimizers.configure(a, plan.optimizer());
                Optimizers.configure(p.getLayer(), plan.optimizer());
            } else if (c.getLayer() instanceof BaseLayer b) {
                Optimizers.configure(b, plan.optimizer());
                Optimizers.configure((BaseLayer) p.getLayer(), plan.optimizer());
                c.setLayer(UndecayedGainDense.of(b));
            }
        }
        conf.getDefaultConfiguration().setSeed(plan.seed());
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        return new GraphSetup(conf, plain, output, layers, frozen, trainedByAdapter, plan.headClasses() > 0);
    }

    /**
     * Refuses an adapter that cannot be folded into the weights (a bottleneck adapter): its export as
     * stock layers exists for multi-layer networks only. Its layer is made over a zero parameter array
     * to ask, without initialising anything.
     */
    private static void requireMergeable(TrainingPlan plan, String name, NeuralNetConfiguration vertex, Layer adapted,
                                         ComputationGraphConfiguration conf) {
        NeuralNetConfiguration c = vertex.clone();
        c.setLayer(adapted);
        long n = adapted.initializer().numParams(c);
        if (n == 0) {
            return;
        }
        var instance = adapted.instantiate(c, List.of(), 0, Nd4j.zeros(conf.getDataType(), 1, n), false,
                conf.getDataType());
        if (instance instanceof AdaptedLayer a && !a.mergeable()) {
            throw new IllegalArgumentException("the " + plan.adapter().name() + " adapter on vertex '" + name
                    + "' cannot be merged into the weights, and adapters that do not merge are not supported on"
                    + " ComputationGraph networks yet; use LoRA or DoRA on the graph (e.g. Lora.rank(8).targets(\""
                    + name + "\")), or a MultiLayerNetwork base model");
        }
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
}
