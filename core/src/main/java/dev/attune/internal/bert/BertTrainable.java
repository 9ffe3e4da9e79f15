package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;
import dev.attune.spi.AdaptedLayer;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A BERT classifier being trained. The gradient of the whole network comes from {@link BertStep}
 * (the encoder's forward and backward pass written out in ND4J ops, equal to SameDiff's backward pass
 * of {@link BertGraph}); the update from the same ND4J updaters (Adam, Nesterov, SGD) and decoupled
 * weight decay that DL4J layers use, applied to the parameter vector: in one call over the trained
 * tensors when they lie in one run of it, else one call per tensor on the tensor's view.
 *
 * <p>Frozen tensors get no gradient and hold no optimizer state. When every layer below the head is
 * frozen, the frozen bottom is the whole encoder: {@link #encode} gives the pooled embeddings and each
 * step trains the head alone, in a SameDiff graph of its own.
 */
public final class BertTrainable implements TrainableModel {
    private static final String LABELS = "labels";
    private static final String WEIGHTS = "example_weights";
    private static final String LOSS = "loss";
    private static final String HEAD_INPUT = "pooled_input";

    private final BertHandle model;
    private final Set<String> frozen;
    private final Optimizer optimizer;
    private final boolean headOnly;
    private final String head;
    /** Trained tensor names, in forward order. */
    private final List<String> trained = new ArrayList<>();
    private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
    private final Map<String, Boolean> decayed = new LinkedHashMap<>();
    /** The gradient arrays {@link BertStep} writes, one per trained tensor (views of {@link #runGradient} when that is set). */
    private final Map<String, INDArray> gradients = new LinkedHashMap<>();
    /**
     * When the trained tensors are one run of the parameter vector (full fine-tuning, LoRA, a frozen
     * bottom): that run's offsets and gradient, updated by one updater in one call per step.
     */
    private long[] run;
    private INDArray runGradient;
    private GradientUpdater<?> runUpdater;
    /** Adam over the run in one pass (with Adam, on ND4J's CPU backend), else {@code null}. */
    private AdamPass adam;
    private long stateSize;
    private SameDiff graph;
    private BertStep step;
    private ModelHandle live;
    private List<AdaptedLayer> adapted;
    private List<dev.attune.spi.TrainedTensor> controlled;

    BertTrainable(BertHandle model, Set<String> frozen, Optimizer optimizer) {
        this.model = model;
        this.frozen = Set.copyOf(frozen);
        this.optimizer = optimizer;
        this.head = model.headName();
        boolean below = false;
        for (String name : model.tensors().keySet()) {
            String layer = model.layerOf(name);
            // An adapter's tensors train though their layer's own weights are frozen.
            if (frozen.contains(layer) && !BertLayout.isAdapterTensor(name)) {
                continue;
            }
            trained.add(name);
            below |= !layer.equals(head);
        }
        this.headOnly = !below;
        IUpdater updater = optimizer.updater();
        for (String name : trained) {
            // Weights decay, adapters too, not biases nor layer-norm gains (as the DL4J path and Hugging Face's AdamW recipe).
            decayed.put(name, name.equals(head + ".W") || BertLayout.isAdapterTensor(name)
                    || (name.endsWith(".weight") && !name.endsWith("LayerNorm.weight")));
        }
        if (!headOnly) {
            long start = model.offset(trained.get(0))[0];
            long end = start;
            for (String name : trained) {
                long[] at = model.offset(name);
                end = at[0] == end ? end + at[1] : -1;
            }
            if (end > 0) {
                // Adam's and the other updaters' rules are element-wise: one call over the run computes what
                // one call per tensor does.
                run = new long[] {start, end};
                runGradient = Nd4j.create(model.dataType(), 1, end - start);
                stateSize = updater.stateSize(end - start);
                runUpdater = updater.instantiate(stateSize == 0 ? null : Nd4j.zeros(model.dataType(), 1, stateSize), true);
                List<AdamPass.Segment> segments = new ArrayList<>();
                for (String name : trained) {
                    long[] at = model.offset(name);
                    gradients.put(name, runGradient.get(NDArrayIndex.interval(0, 1),
                            NDArrayIndex.interval(at[0] - start, at[0] - start + at[1])).reshape('c', model.tensors().get(name).shape()));
                    segments.add(new AdamPass.Segment(at[0] - start, at[1], decayed.get(name)));
                }
                if (updater instanceof Adam a && BertForward.supports(model.dataType()) && end - start < Integer.MAX_VALUE) {
                    adam = new AdamPass(segments, a.getBeta1(), a.getBeta2(), a.getEpsilon(), optimizer.weightDecay());
                }
                return;
            }
        }
        for (String name : trained) {
            INDArray w = model.tensors().get(name);
            long size = updater.stateSize(w.length());
            INDArray state = size == 0 ? null : Nd4j.zeros(model.dataType(), 1, size);
            updaters.put(name, updater.instantiate(state, true));
            stateSize += size;
            if (!headOnly) { // the head-only graph returns gradients of its own
                gradients.put(name, Nd4j.create(w.dataType(), w.shape(), 'c'));
            }
        }
    }

    /** The training graph when the encoder is frozen: the head alone on pooled inputs. */
    private SameDiff graph() {
        if (graph != null) {
            return graph;
        }
        Map<String, INDArray> t = model.tensors();
        graph = SameDiff.create();
        SDVariable pooled = graph.placeHolder(HEAD_INPUT, model.dataType(), -1, model.config().hiddenSize());
        SDVariable w = graph.var(head + ".W", t.get(head + ".W").dup('c'));
        SDVariable b = graph.var(head + ".b", t.get(head + ".b").dup('c'));
        SDVariable labels = graph.placeHolder(LABELS, model.dataType(), -1, w.getShape()[1]);
        SDVariable weights = graph.placeHolder(WEIGHTS, model.dataType(), -1, 1);
        // log-softmax as logits - max - log(sum(exp(logits - max))): SameDiff's logSoftmax op with a dimension
        // fails when the gradient graph is made. The max's gradient cancels exactly.
        SDVariable logits = graph.mmul(pooled, w).add(b);
        SDVariable shifted = logits.sub(logits.max(true, 1));
        SDVariable logProbs = shifted.sub(graph.math().log(graph.math().exp(shifted).sum(true, 1)));
        // The weighted sum of the examples' cross-entropies divided by the number of rows.
        SDVariable loss = graph.mean(LOSS, logProbs.mul(labels).sum(1).neg().mul(weights.reshape(-1)));
        graph.setLossVariables(loss);
        return graph;
    }

    /** The model being trained (its live tensors). */
    BertHandle model() {
        return model;
    }

    @Override
    public boolean hasFrozenBottom() {
        return headOnly;
    }

    @Override
    public INDArray encode(INDArray features) {
        return headOnly ? model.pooled(features) : features;
    }

    @Override
    public double step(INDArray x, INDArray y, INDArray weights, int iteration, int epoch) {
        Computed c = compute(x, y, weights);
        if (run == null) {
            for (String name : trained) {
                update(name, c.gradients().get(name), iteration, epoch);
            }
            return c.loss();
        }
        if (adam != null) {
            Map<String, INDArray> state = runUpdater.getState();
            adam.apply(FlatArray.of(runGradient), FlatArray.of(state.get("M")), FlatArray.of(state.get("V")),
                    FlatArray.of(model.params().get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(run[0], run[1]))),
                    optimizer.learningRate(), iteration);
            return c.loss();
        }
        // One update of the whole run, decoupled weight decay on the decayed tensors' views, as update() does per tensor.
        runUpdater.applyUpdater(runGradient, iteration, epoch);
        for (String name : trained) {
            decay(name, gradients.get(name).reshape('c', 1, gradients.get(name).length()), iteration, epoch);
        }
        model.params().get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(run[0], run[1])).subi(runGradient);
        return c.loss();
    }

    /** A mini-batch's loss and the gradient of every trained tensor (the word table's a reused buffer). */
    public record Computed(double loss, Map<String, INDArray> gradients) {
    }

    public Computed compute(INDArray x, INDArray y, INDArray weights) {
        DataType dt = model.dataType();
        if (!headOnly) {
            TokenInputs.checkFeatures(x, model.config());
            if (step == null) {
                step = new BertStep(model.config(), model.tensors(), gradients, model.lora(), head);
            }
            long n = x.size(0);
            long len = x.size(2);
            int[] ids = x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).castTo(DataType.INT32)
                    .dup('c').reshape(n * len).toIntVector();
            INDArray mask = x.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()).castTo(dt).dup('c');
            return step.compute(ids, mask, y.castTo(dt), weights == null ? null : weights.castTo(dt).reshape(n, 1));
        }
        SameDiff sd = graph();
        long n = x.size(0);
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put(LABELS, y.castTo(dt));
        in.put(WEIGHTS, weights == null ? Nd4j.ones(dt, n, 1) : weights.castTo(dt));
        in.put(HEAD_INPUT, x.castTo(dt));
        for (String name : trained) {
            // SameDiff holds its own copy of each variable: bring it up to date.
            sd.getArrForVarName(name).assign(model.tensors().get(name));
        }
        var result = sd.calculateGradientsAndOutputs(in, List.of(LOSS), trained);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (String name : trained) {
            grads.put(name, result.getGradients().get(name));
        }
        return new Computed(result.getOutputs().get(LOSS).getDouble(0), grads);
    }

    /** The optimizer's update of one tensor (as a DL4J layer's: updater, then decoupled weight decay). */
    private void update(String name, INDArray gradient, int iteration, int epoch) {
        INDArray param = model.tensors().get(name);
        // The gradient is this step's own (SameDiff's output, or the word table's buffer, cleared each step):
        // the updater may overwrite it. reshape copies only an array that is not contiguous.
        INDArray g = gradient.castTo(param.dataType()).reshape('c', 1, param.length());
        updaters.get(name).applyUpdater(g, iteration, epoch);
        decay(name, g, iteration, epoch);
        param.subi(g.reshape('c', param.shape()));
    }

    /** Decoupled weight decay of a decayed tensor into its updated gradient {@code g} ({@code [1, length]}). */
    private void decay(String name, INDArray g, int iteration, int epoch) {
        if (decayed.get(name)) {
            INDArray p = model.tensors().get(name);
            for (Regularization r : optimizer.weightRegularization()) {
                r.apply(p.reshape('c', 1, p.length()), g, optimizer.learningRate(), iteration, epoch);
            }
        }
    }

    @Override
    public List<dev.attune.spi.TrainedTensor> gradientTensors() {
        if (controlled == null) {
            controlled = new ArrayList<>();
            for (String name : trained) {
                INDArray w = model.tensors().get(name);
                // The head-only graph returns gradients of its own: they are copied into arrays kept here.
                INDArray g = headOnly ? Nd4j.create(w.dataType(), w.shape(), 'c') : gradients.get(name);
                controlled.add(new dev.attune.spi.TrainedTensor(model.layerOf(name), name, w, g,
                        decayed.get(name) ? dev.attune.spi.TrainedTensor.Role.WEIGHT : dev.attune.spi.TrainedTensor.Role.NO_DECAY));
            }
        }
        return controlled;
    }

    /** The gradients of {@link #compute}, means over the rows, are scaled to sums into {@link #gradientTensors()}'s arrays. */
    @Override
    public double computeGradients(INDArray x, INDArray y, INDArray weights) {
        List<dev.attune.spi.TrainedTensor> out = gradientTensors();
        Computed c = compute(x, y, weights);
        long rows = x.size(0);
        if (run != null) {
            runGradient.muli(rows);
            return c.loss();
        }
        for (var t : out) {
            if (headOnly) {
                t.gradient().assign(c.gradients().get(t.name()));
            }
            t.gradient().muli(rows);
        }
        return c.loss();
    }

    @Override
    public INDArray predictEncoded(INDArray x) {
        return headOnly ? model.head(x) : model.output(x);
    }

    @Override
    public INDArray params() {
        return model.params();
    }

    @Override
    public long trainableParams() {
        return trained.stream().mapToLong(n -> model.tensors().get(n).length()).sum();
    }

    @Override
    public long frozenParams() {
        return model.numParams() - trainableParams();
    }

    /** The frozen layers; a layer with an adapter counts as trained (its adapter is). */
    @Override
    public Set<String> frozenLayers() {
        Set<String> out = new HashSet<>(frozen);
        model.loraModules().forEach(m -> out.remove(model.layerOf(m + ".lora_A")));
        return out;
    }

    @Override
    public long optimizerStateSize() {
        return stateSize;
    }

    @Override
    public Map<String, INDArray> trainedTensors() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        trained.forEach(n -> out.put(n, model.tensors().get(n)));
        return out;
    }

    @Override
    public ModelHandle live() {
        if (live == null) {
            live = model.shared();
        }
        return live;
    }

    /** One per module with LoRA, in forward order (none without). */
    @Override
    public List<AdaptedLayer> adaptedLayers() {
        if (adapted == null) {
            adapted = model.adaptedModules();
        }
        return adapted;
    }

    /** A copy of the model with any LoRA merged into its weights: a plain BERT encoder and head. */
    @Override
    public ModelHandle snapshot() {
        return model.mergedCopy();
    }

    /**
     * The updaters' state arrays: {@code run.<key>} for the one updater over the trained run of the
     * parameter vector, else {@code <tensor>.<key>} per trained tensor ({@code M} and {@code V} for Adam).
     */
    @Override
    public Map<String, INDArray> optimizerState() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (runUpdater != null) {
            stateOf(runUpdater, "run.", out);
        }
        updaters.forEach((name, u) -> stateOf(u, name + ".", out));
        return out;
    }

    private static void stateOf(GradientUpdater<?> updater, String prefix, Map<String, INDArray> out) {
        Map<String, INDArray> state = updater.getState();
        if (state != null) {
            new java.util.TreeMap<>(state).forEach((k, v) -> out.put(prefix + k, v));
        }
    }
}
