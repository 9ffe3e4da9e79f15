package dev.attune;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.nd4j.adapters.OutputAdapter;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarDivision;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.regularization.Regularization;

/** The model handle over a DL4J {@link MultiLayerNetwork}. */
final class MlnHandle implements ModelHandle {
    private final MultiLayerNetwork net;

    MlnHandle(MultiLayerNetwork net) {
        this.net = net;
    }

    @Override
    public List<LayerInfo> layers() {
        return layers(net.getLayerWiseConfigurations(), net);
    }

    static List<LayerInfo> layers(MultiLayerConfiguration conf, MultiLayerNetwork net) {
        List<LayerInfo> out = new ArrayList<>();
        String previous = "input";
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = unfrozen(conf.getConf(i).getLayer());
            long params = net == null ? l.initializer().numParams(l) : net.getLayer(i).numParams();
            out.add(new LayerInfo(l.getLayerName(), i, l.getClass().getSimpleName(), params, List.of(previous)));
            previous = l.getLayerName();
        }
        return List.copyOf(out);
    }

    static Layer unfrozen(Layer l) {
        Layer inner = l;
        while (inner instanceof FrozenLayer f) {
            inner = f.getLayer();
        }
        return inner;
    }

    @Override
    public long numParams() {
        return net.numParams();
    }

    @Override
    public int numOutputs() {
        Layer last = unfrozen(net.getLayerWiseConfigurations().getConf(net.getnLayers() - 1).getLayer());
        if (last instanceof FeedForwardLayer f) {
            return (int) f.getNOut();
        }
        throw new IllegalStateException("the output layer '" + last.getLayerName() + "' is a "
                + last.getClass().getSimpleName() + ", not a dense output layer");
    }

    @Override
    public INDArray output(INDArray features) {
        return net.output(features, false);
    }

    @Override
    public void checkInput(INDArray features) {
        InputChecks.requireShape(features, unfrozen(net.getLayerWiseConfigurations().getConf(0).getLayer()),
                net.getLayerWiseConfigurations().getInputPreProcess(0));
    }

    @Override
    public Object unwrap() {
        return net;
    }

    @Override
    public String architecture() {
        return net.getLayerWiseConfigurations().toJson();
    }

    @Override
    public INDArray params() {
        return net.params();
    }

    @Override
    public void write(Path file) throws IOException {
        ModelSerializer.writeModel(net, file.toFile(), false);
    }

    /** The configurations to train and to hand back, and where the frozen bottom ends. */
    private record Plan(MultiLayerConfiguration train, MultiLayerConfiguration plain, int split, Set<String> frozen,
                        Set<String> adapted, boolean newHead) {
    }

    @Override
    public void check(TrainingPlan plan) {
        configure(plan);
    }

    private Plan configure(TrainingPlan plan) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        int n = conf.getConfs().size();
        for (int i = 0; i < n; i++) {
            conf.getConf(i).setLayer(unfrozen(conf.getConf(i).getLayer()).clone());
        }
        int head = n - 1;
        if (plan.headClasses() > 0) {
            Layer old = conf.getConf(head).getLayer();
            if (!(old instanceof BaseOutputLayer out)) {
                throw new IllegalArgumentException("cannot replace the head: the last layer '" + old.getLayerName()
                        + "' is a " + old.getClass().getSimpleName() + ", not a dense output layer");
            }
            for (int i = 0; i < head; i++) {
                if (plan.headName().equals(conf.getConf(i).getLayer().getLayerName())) {
                    throw new IllegalArgumentException("the new head's name '" + plan.headName()
                            + "' is taken by layer " + i + "; choose another head name");
                }
            }
            conf.getConf(head).setLayer(Heads.softmax(plan.headName(), out.getNIn(), plan.headClasses()));
        }
        List<LayerInfo> layers = layers(conf, null);
        Set<String> adapted = plan.adapter() == null ? Set.of()
                : Adapting.targets(plan.adapter(), layers, i -> conf.getConf(i).getLayer());
        if (plan.headClasses() > 0 && adapted.contains(plan.headName())) {
            throw new IllegalArgumentException("the " + plan.adapter().name() + " targets take the new head '"
                    + plan.headName() + "', which is new and trained in full; target only pretrained layers, e.g. "
                    + "the hidden layers' names");
        }
        // The method's own reason to refuse a target (an attention layer with no weights, a rank too large) comes
        // before any freezing message.
        Map<String, Layer> adaptedConfs = new HashMap<>();
        for (LayerInfo l : layers) {
            if (adapted.contains(l.name())) {
                adaptedConfs.put(l.name(), plan.adapter().adapt(conf.getConf(l.index()).getLayer().clone()));
            }
        }
        // Frozen non-target layers of which the method trains a part (LoRA's Bias.ALL: their biases).
        Set<String> partly = plan.adapter() == null ? Set.of() : Adapting.partlyTrained(plan.adapter(), layers,
                i -> conf.getConf(i).getLayer(), plan.freeze().frozenLayers(layers), adapted);
        // An adapted layer's base weights are frozen, but its adapter trains: it counts as trainable.
        Set<String> trainedByAdapter = new HashSet<>(adapted);
        trainedByAdapter.addAll(partly);
        Set<String> frozen = Freezing.resolve(plan.freeze(), layers,
                l -> FrozenPassThrough.supports(conf.getConf(l.index()).getLayer()),
                plan.adapter() == null ? Freezing.AdapterTraining.NONE
                        : new Freezing.AdapterTraining(plan.adapter().name(), adapted, trainedByAdapter));
        // Frozen layers with parameters all lie below every trainable layer (Freezing checks it), so the
        // network splits into a frozen bottom, run in inference mode, and a trainable top.
        int split = n;
        for (LayerInfo l : layers) {
            if (!frozen.contains(l.name())) {
                split = Math.min(split, l.index());
            }
        }
        MultiLayerConfiguration plain = conf.clone();
        for (int i = 0; i < n; i++) {
            NeuralNetConfiguration c = conf.getConf(i);
            c.setSeed(plan.seed());
            plain.getConf(i).setSeed(plan.seed());
            String name = c.getLayer().getLayerName();
            if (i < split) {
                FrozenLayer f = new FrozenLayer(c.getLayer());
                f.setLayerName(name);
                c.setLayer(f);
            } else if (frozen.contains(name)) {
                // A frozen layer above a trainable one: gradients must pass through it.
                Layer f = FrozenPassThrough.wrap(c.getLayer());
                f.setLayerName(name);
                c.setLayer(f);
            } else {
                if (trainedByAdapter.contains(name)) {
                    Layer a = adapted.contains(name) ? adaptedConfs.get(name)
                            : plan.adapter().adaptPart(c.getLayer().clone());
                    a.setLayerName(name);
                    c.setLayer(a);
                }
                // Dense, convolution and output layers and SameDiff layers (attention, adapted or not).
                Optimizers.configure(c.getLayer(), plan.optimizer());
                Optimizers.configure(plain.getConf(i).getLayer(), plan.optimizer());
            }
        }
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        // Keep each layer's forward intermediates (a convolution's im2col matrix and pre-activation) for
        // its backward pass, which otherwise recomputes them. Training only: the plain copy keeps NONE.
        conf.setCacheMode(CacheMode.DEVICE);
        conf.getConfs().forEach(c -> c.setCacheMode(CacheMode.DEVICE));
        return new Plan(conf, plain, split, frozen, trainedByAdapter, plan.headClasses() > 0);
    }

    @Override
    public TrainableModel prepare(TrainingPlan plan) {
        Plan p = configure(plan);
        MultiLayerNetwork fresh = new MultiLayerNetwork(p.train());
        fresh.init();
        int head = fresh.getnLayers() - 1;
        Map<Integer, Map<String, INDArray>> bases = new HashMap<>();
        for (int i = 0; i < fresh.getnLayers(); i++) {
            if ((p.newHead() && i == head) || net.getLayer(i).numParams() == 0) {
                continue;
            }
            if (fresh.getLayer(i) instanceof AdaptedLayer) {
                // The adapter keeps private copies: merging writes to them, never to the base model.
                Map<String, INDArray> base = new HashMap<>();
                net.getLayer(i).paramTable().forEach((k, v) -> base.put(k, v.dup()));
                bases.put(i, base);
            } else {
                fresh.getLayer(i).params().assign(net.getLayer(i).params());
            }
        }
        return new Trainable(fresh, p.plain(), p.split(), p.frozen(), p.adapted(), bases);
    }

    /** A multi-layer network being trained, split at its frozen bottom. */
    private static final class Trainable implements TrainableModel {
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
        /**
         * DL4J's only updater block when it spans every parameter of the top and the layers ask for no
         * gradient normalization, applied directly; null otherwise (DL4J's updater runs).
         */
        private final UpdaterBlock block;
        /**
         * Flat views of the top's gradient array (where DL4J's backward pass and the fused step both write)
         * and of the block's, made once: a view costs a step as much as a small op.
         */
        private final INDArray flatGradient;
        private final INDArray blockFlat;
        /** The gradient divided by the batch size, and the update subtracted, as ops made once per batch size. */
        private Op divide;
        private int divideRows;
        private CustomOp subtract;
        private INDArray subtractFrom;

        Trainable(MultiLayerNetwork full, MultiLayerConfiguration plain, int split, Set<String> frozen,
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
            List<UpdaterBlock> blocks = updater.getUpdaterBlocks();
            boolean normalized = false;
            for (var layer : top.getLayers()) {
                normalized |= Optimizers.normalizesGradients(layer.conf().getLayer());
            }
            this.block = blocks.size() == 1 && blocks.get(0).getParamOffsetStart() == 0
                    && blocks.get(0).getParamOffsetEnd() == top.numParams() && !normalized && top.conf().isMiniBatch()
                    ? blocks.get(0) : null;
            this.flatGradient = fusedGradient.gradient();
            this.blockFlat = block == null ? null : block.getGradientView().reshape(block.getGradientView().length());
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
                update(fusedGradient, (int) x.size(0), iteration, epoch);
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
            update(top.gradient(), (int) x.size(0), iteration, epoch);
            // Not top.clear(): that also drops the network's solver, and with it the optimizer state.
            for (var layer : top.getLayers()) {
                layer.clear();
            }
            top.setInput(null);
            top.setLabels(null);
            return score;
        }

        /**
         * The optimizer's step on the top's whole gradient array (sums over the rows), as DL4J's updater
         * takes it; DL4J's own gradient, like the fused step's, lies in that array ({@link #flatGradient}).
         */
        private void update(org.deeplearning4j.nn.gradient.Gradient gradient, int rows, int iteration, int epoch) {
            if (block != null) {
                if (divide == null || divideRows != rows) {
                    divide = new ScalarDivision(flatGradient, rows);
                    divideRows = rows;
                }
                Nd4j.exec(divide);
                applyBlock(block, blockFlat, iteration, epoch);
            } else {
                updater.update(top, gradient, iteration, epoch, rows, StepWorkspace.UPDATER);
            }
            if (subtractFrom != top.params()) {
                subtractFrom = top.params();
                subtract = new SubOp(subtractFrom, flatGradient, subtractFrom);
            }
            Nd4j.exec(subtract);
            top.setIterationCount(iteration + 1);
            top.setEpochCount(epoch);
        }

        /**
         * What DL4J's updater block does in its update, given the gradient divided by the batch size, without
         * the updater's per-step bookkeeping (splitting the gradient by layer, working memory): regularization
         * before the updater, the updater over the block's whole gradient, regularization after it (decoupled
         * weight decay).
         */
        private static void applyBlock(UpdaterBlock block, INDArray flatGradient, int iteration, int epoch) {
            var updater = block.getGradientUpdater();
            double lr = updater.getConfig().hasLearningRate() ? updater.getConfig().getLearningRate(iteration, epoch) : 1.0;
            regularize(block, Regularization.ApplyStep.BEFORE_UPDATER, lr, iteration, epoch);
            updater.applyUpdater(flatGradient, iteration, epoch);
            regularize(block, Regularization.ApplyStep.POST_UPDATER, lr, iteration, epoch);
        }

        private static void regularize(UpdaterBlock block, Regularization.ApplyStep when, double lr, int iteration,
                                       int epoch) {
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                List<Regularization> rs = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
                for (Regularization r : rs == null ? List.<Regularization>of() : rs) {
                    if (r.applyStep() == when) {
                        r.apply(p.getParamView(), p.getGradView(), lr, iteration, epoch);
                    }
                }
            }
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
        public Network live() {
            return new Network(new MlnHandle(full));
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
        public Network snapshot() {
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
            return branches.isEmpty() ? new Network(new MlnHandle(copy))
                    : new Network(new GraphHandle(BranchExport.graph(copy, branches)));
        }
    }
}
