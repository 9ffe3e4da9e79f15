package dev.attune.internal.dl4j;

import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.adapters.OutputAdapter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** A multi-layer network being trained, split at its frozen bottom. */
final class MlnTrainable implements TrainableModel {
    private final MultiLayerNetwork full;
    private final MultiLayerConfiguration plain;
    private final int split;
    private final MultiLayerNetwork top;
    /** The frozen bottom as its own network over the full network's parameters; null without one. */
    private final MultiLayerNetwork bottom;
    private final Set<String> frozen;
    private final Set<String> adapted;
    /** Held here: the network's own reference is dropped whenever the network is cleared. */
    private final org.deeplearning4j.nn.updater.MultiLayerUpdater updater;
    /** The top's forward and backward pass written out, when it is a dense stack; null otherwise. */
    private final DenseStep fused;
    /** The top's whole gradient array, as DL4J's updater takes it after a fused step. */
    private final org.deeplearning4j.nn.gradient.Gradient fusedGradient;
    /** The optimizer's step on the top's gradient array. */
    private final TopUpdate update;

    MlnTrainable(MultiLayerNetwork full, MultiLayerConfiguration plain, int split, Set<String> frozen,
              Set<String> adapted, Map<Integer, Map<String, INDArray>> bases) {
        this.full = full;
        this.plain = plain;
        this.split = split;
        this.frozen = Set.copyOf(frozen);
        this.adapted = Set.copyOf(adapted);
        this.top = split == 0 ? full : part(full, split, full.getnLayers());
        this.bottom = split == 0 ? null : part(full, 0, split);
        this.updater = (org.deeplearning4j.nn.updater.MultiLayerUpdater) top.getUpdater();
        // The top's layers are other instances over the same parameters: both bind the same base arrays.
        bases.forEach((i, base) -> {
            ((AdaptedLayer) full.getLayer(i)).bindBase(base);
            if (top != full) {
                ((AdaptedLayer) top.getLayer(i - split)).bindBase(base);
            }
        });
        for (int i = 0; i < top.getnLayers(); i++) {
            if (top.getLayer(i) instanceof AdaptedLayer a) {
                // Nothing below the lowest trainable layer learns: it needs no input gradient.
                a.inputGradientNeeded(i > 0 || top.getLayerWiseConfigurations().getInputPreProcess(0) != null);
            }
        }
        // After binding: an adapted layer offers its fused form only with its base weights bound.
        this.fused = DenseStep.of(top);
        this.fusedGradient = new org.deeplearning4j.nn.gradient.DefaultGradient(top.getFlattenedGradients());
        this.update = new TopUpdate(top, updater, fusedGradient.gradient());
    }

    /**
     * Layers {@code [from, to)} of the network as their own network whose parameters are a view
     * into the full network's, so that every step trains the full network in place.
     */
    private static MultiLayerNetwork part(MultiLayerNetwork full, int from, int to) {
        MultiLayerConfiguration conf = full.getLayerWiseConfigurations().clone();
        List<NeuralNetConfiguration> confs = new ArrayList<>(conf.getConfs().subList(from, to));
        Map<Integer, InputPreProcessor> pre = new HashMap<>();
        conf.getInputPreProcessors().forEach((i, p) -> {
            if (i >= from && i < to) {
                pre.put(i - from, p);
            }
        });
        conf.setConfs(confs);
        conf.setInputPreProcessors(pre);
        long offset = 0;
        for (int i = 0; i < from; i++) {
            offset += full.getLayer(i).numParams();
        }
        long length = 0;
        for (int i = from; i < to; i++) {
            length += full.getLayer(i).numParams();
        }
        INDArray all = full.params();
        INDArray view = all.rank() == 1 ? all.get(NDArrayIndex.interval(offset, offset + length))
                : all.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(offset, offset + length));
        MultiLayerNetwork part = new MultiLayerNetwork(conf);
        part.init(view, false);
        return part;
    }

    @Override
    public boolean hasFrozenBottom() {
        return split > 0;
    }

    @Override
    public INDArray encode(INDArray features) {
        return split == 0 ? features : bottom.output(features, false);
    }

    @Override
    public void encodeInto(INDArray features, INDArray destination) {
        if (split == 0) {
            destination.assign(features);
        } else {
            // The bottom's activations stay in DL4J's output workspace; only the result is copied out.
            bottom.output(features, null, null, (OutputAdapter<INDArray>) a -> destination.assign(a[0]));
        }
    }

    @Override
    public double step(INDArray x, INDArray y, INDArray weights, int iteration, int epoch) {
        AdaptedLayer.LowRank[] layers = fused == null || x.rank() != 2 ? null : fused.layers();
        if (layers != null) {
            double score = fused.step(layers, x, y, weights);
            update.apply(fusedGradient, (int) x.size(0), iteration, epoch);
            return score;
        }
        top.setInput(x);
        top.setLabels(y);
        ExampleWeightedLoss.during(top.getOutputLayer(), weights, () -> {
            top.computeGradientAndScore();
            return 0;
        });
        // DL4J's score adds the weight-decay term (of the weights before this update): report the data loss alone.
        double score = top.score() - top.calcRegularizationScore(true);
        update.apply(top.gradient(), (int) x.size(0), iteration, epoch);
        // Not top.clear(): that also drops the network's solver, and with it the optimizer state.
        for (var layer : top.getLayers()) {
            layer.clear();
        }
        top.setInput(null);
        top.setLabels(null);
        return score;
    }

    @Override
    public List<dev.attune.spi.TrainedTensor> gradientTensors() {
        List<dev.attune.spi.TrainedTensor> out = new ArrayList<>();
        for (int i = 0; i < top.getnLayers(); i++) {
            if (!frozen.contains(name(i + split))) {
                TrainedTensors.add(top.getLayer(i), name(i + split), out);
            }
        }
        return out;
    }

    @Override
    public double computeGradients(INDArray x, INDArray y, INDArray weights) {
        AdaptedLayer.LowRank[] layers = fused == null || x.rank() != 2 ? null : fused.layers();
        if (layers != null) {
            return fused.step(layers, x, y, weights);
        }
        top.setInput(x);
        top.setLabels(y);
        ExampleWeightedLoss.during(top.getOutputLayer(), weights, () -> {
            top.computeGradientAndScore();
            return 0;
        });
        double score = top.score() - top.calcRegularizationScore(true);
        for (var layer : top.getLayers()) {
            layer.clear();
        }
        top.setInput(null);
        top.setLabels(null);
        return score;
    }

    @Override
    public INDArray predictEncoded(INDArray x) {
        return top.output(x, false);
    }

    @Override
    public INDArray params() {
        return full.params();
    }

    @Override
    public long trainableParams() {
        long n = 0;
        for (int i = split; i < full.getnLayers(); i++) {
            if (!frozen.contains(name(i))) {
                n += full.getLayer(i).numParams();
            }
        }
        return n;
    }

    @Override
    public long frozenParams() {
        long n = 0;
        for (int i = 0; i < full.getnLayers(); i++) {
            NeuralNetConfiguration c = plain.getConf(i);
            long all = c.getLayer().initializer().numParams(c);
            if (frozen.contains(name(i))) {
                n += all;
            } else if (full.getLayer(i) instanceof AdaptedLayer) {
                INDArray bias = full.getLayer(i).paramTable().get("b");
                n += all - (bias == null ? 0 : bias.length());
            }
        }
        return n;
    }

    private String name(int i) {
        return plain.getConf(i).getLayer().getLayerName();
    }

    @Override
    public Map<String, INDArray> trainedTensors() {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        for (int i = split; i < full.getnLayers(); i++) {
            if (frozen.contains(name(i))) {
                continue;
            }
            var layer = full.getLayer(i);
            Map<String, INDArray> tensors = layer instanceof AdaptedLayer a ? a.adapterTensors() : layer.paramTable();
            String prefix = name(i) + ".";
            tensors.forEach((k, v) -> out.put(prefix + k, v));
        }
        return out;
    }

    @Override
    public Set<String> frozenLayers() {
        return new HashSet<>(frozen);
    }

    @Override
    public long optimizerStateSize() {
        INDArray state = updater.getStateViewArray();
        return state == null ? 0 : state.length();
    }

    @Override
    public ModelHandle live() {
        return new MlnHandle(full);
    }

    @Override
    public List<AdaptedLayer> adaptedLayers() {
        List<AdaptedLayer> out = new ArrayList<>();
        for (var l : full.getLayers()) {
            if (l instanceof AdaptedLayer a) {
                out.add(a);
            }
        }
        return out;
    }

    @Override
    public ModelHandle snapshot() {
        MultiLayerNetwork copy = new MultiLayerNetwork(plain.clone());
        // Adapters that cannot be folded into the weights are exported as their stock layers, in a graph.
        Map<Integer, List<AdaptedLayer.StockLayer>> branches = new java.util.LinkedHashMap<>();
        if (adapted.isEmpty()) {
            copy.init(full.params().dup(), false);
        } else {
            // No random initialisation: every parameter is assigned below.
            copy.init(Nd4j.createUninitialized(full.params().dataType(), 1, copy.getLayerWiseConfigurations()
                    .getConfs().stream().mapToLong(c -> c.getLayer().initializer().numParams(c)).sum()), false);
            for (int i = 0; i < full.getnLayers(); i++) {
                var layer = full.getLayer(i);
                Map<String, INDArray> params = layer instanceof AdaptedLayer a ? a.mergedParams() : layer.paramTable();
                var target = copy.getLayer(i);
                params.forEach((k, v) -> target.getParam(k).assign(v));
                if (layer instanceof AdaptedLayer a && !a.mergeable()) {
                    branches.put(i, a.residualBranch());
                }
            }
        }
        return branches.isEmpty() ? new MlnHandle(copy) : new GraphHandle(BranchExport.graph(copy, branches));
    }

    /** DL4J's updater state: one array over every updater block. */
    @Override
    public Map<String, INDArray> optimizerState() {
        INDArray state = updater.getStateViewArray();
        return state == null ? Map.of() : Map.of("updater", state);
    }
}
