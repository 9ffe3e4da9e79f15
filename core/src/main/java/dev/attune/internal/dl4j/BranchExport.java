package dev.attune.internal.dl4j;

import dev.attune.spi.AdaptedLayer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exports a multi-layer network whose adapters cannot be merged as a DL4J computation graph of stock
 * layers: each such layer {@code L} keeps its name and base weights, its adapter's
 * {@link AdaptedLayer#residualBranch() branch} follows it, and an element-wise sum
 * {@code <L>_adapted = L + branch(L)} feeds the layers above.
 */
final class BranchExport {
    /** The suffix of the vertex that adds a branch's output to its layer's. */
    static final String SUM = "_adapted";

    private BranchExport() {
    }

    /**
     * The graph.
     *
     * @param plain the network with every layer's parameters set (the base parameters of the layers with branches)
     * @param branches the residual branch after each such layer, by layer index
     * @throws IllegalStateException when a branch is empty or a vertex name it needs is taken
     */
    static ComputationGraph graph(MultiLayerNetwork plain, Map<Integer, List<AdaptedLayer.StockLayer>> branches) {
        MultiLayerConfiguration conf = plain.getLayerWiseConfigurations();
        int n = conf.getConfs().size();
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < n; i++) {
            taken.add(conf.getConf(i).getLayer().getLayerName());
        }
        String input = "input";
        for (int k = 1; taken.contains(input); k++) {
            input = "input" + k;
        }
        taken.add(input);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .dataType(conf.getDataType()).graphBuilder().addInputs(input);
        String previous = input;
        for (int i = 0; i < n; i++) {
            NeuralNetConfiguration c = conf.getConf(i).clone();
            String name = c.getLayer().getLayerName();
            g.addVertex(name, new LayerVertex(c, conf.getInputPreProcess(i)), previous);
            previous = name;
            List<AdaptedLayer.StockLayer> branch = branches.get(i);
            if (branch == null) {
                continue;
            }
            if (branch.isEmpty()) {
                throw new IllegalStateException("the adapter of layer '" + name + "' cannot be merged and gives no"
                        + " residual branch to export");
            }
            String in = name;
            for (AdaptedLayer.StockLayer s : branch) {
                String stock = claim(s.conf().getLayerName(), name, taken);
                g.addLayer(stock, s.conf().clone(), in);
                in = stock;
            }
            String sum = claim(name + SUM, name, taken);
            g.addVertex(sum, new ElementWiseVertex(ElementWiseVertex.Op.Add), name, in);
            previous = sum;
        }
        ComputationGraph graph = new ComputationGraph(g.setOutputs(previous).build());
        graph.init();
        for (int i = 0; i < n; i++) {
            String name = conf.getConf(i).getLayer().getLayerName();
            if (plain.getLayer(i).numParams() > 0) {
                assign(graph, name, plain.getLayer(i).paramTable());
            }
            branches.getOrDefault(i, List.of()).forEach(s -> assign(graph, s.conf().getLayerName(), s.params()));
        }
        return graph;
    }

    private static String claim(String vertex, String layer, Set<String> taken) {
        if (vertex == null || !taken.add(vertex)) {
            throw new IllegalStateException("cannot export the adapter of layer '" + layer + "' as a graph: its vertex"
                    + " name '" + vertex + "' is " + (vertex == null ? "not set" : "taken by a layer of the network")
                    + "; rename that layer in the base model");
        }
        return vertex;
    }

    private static void assign(ComputationGraph graph, String layer, Map<String, INDArray> params) {
        Map<String, INDArray> table = graph.getLayer(layer).paramTable();
        if (!table.keySet().equals(params.keySet())) {
            throw new IllegalStateException("layer '" + layer + "' of the exported graph has parameters " + table.keySet()
                    + ", the adapter gives " + params.keySet());
        }
        params.forEach((k, v) -> {
            INDArray target = table.get(k);
            if (!Arrays.equals(target.shape(), v.shape())) {
                throw new IllegalStateException("parameter '" + k + "' of layer '" + layer + "' has shape "
                        + Arrays.toString(target.shape()) + " in the exported graph, the adapter gives "
                        + Arrays.toString(v.shape()));
            }
            target.assign(v);
        });
    }
}
