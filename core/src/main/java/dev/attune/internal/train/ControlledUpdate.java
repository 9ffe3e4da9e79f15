package dev.attune.internal.train;

import dev.attune.internal.layers.LayerNames;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainedTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The optimizer's update run by Attune itself over a model's {@link TrainedTensor}s, for training
 * controls: gradients summed over one or more mini-batches ({@link #accumulate}), divided by their rows,
 * clipped by their global norm, then the optimizer's rule (ND4J's own Adam, Nesterov or SGD updater, one
 * per tensor) and decoupled weight decay with a learning rate per layer group, on the groups that have
 * thawed.
 *
 * <p>The layers form groups, top first (by default one per layer). Group {@code g} learns at the
 * optimizer's rate divided by {@code factor^g}; under gradual unfreezing it thaws at epoch
 * {@code 1 + g * every} (epochs from 1). A group that has not thawed is not touched: no update, no
 * weight decay and no optimizer state, which is made (zero) when it thaws; its step count for Adam's
 * bias correction starts at its thaw. Every value used is a function of the configuration, the step
 * and the epoch.
 */
public final class ControlledUpdate {
    private final List<TrainedTensor> tensors;
    private final Optimizer optimizer;
    /** The group of each tensor (0 = top). */
    private final int[] group;
    private final int groups;
    private final double factor;
    private final int unfreezeEvery;
    private final double clipNorm;
    private final int stepsPerEpoch;
    /** Each group's updater configuration: its learning rate is set before each step. */
    private final IUpdater[] configs;
    /** Per tensor: the accumulated gradient (the tensor's shape and order), its flat view, updater and state. */
    private final INDArray[] acc;
    private final INDArray[] accFlat;
    private final GradientUpdater<?>[] updaters;
    private final INDArray[] states;
    private int rows;

    /**
     * @param tensors the model's trained tensors, forward order
     * @param optimizer the optimizer
     * @param groupGlobs the layer groups as one layer-name glob each, top first; empty for one group per layer
     * @param factor the divisor of the learning rate from one group to the next one down (1 for none)
     * @param unfreezeEvery epochs between two thaws (0: every group trains from the start)
     * @param clipNorm the largest global gradient norm (0: no clipping)
     * @param stepsPerEpoch optimizer steps per epoch
     * @throws IllegalArgumentException when a trained layer is in no group, a glob matches no trained layer,
     *     or gradual unfreezing has a single group to work with
     */
    public ControlledUpdate(List<TrainedTensor> tensors, Optimizer optimizer, List<String> groupGlobs, double factor,
                            int unfreezeEvery, double clipNorm, int stepsPerEpoch) {
        this.tensors = List.copyOf(tensors);
        this.optimizer = optimizer;
        this.factor = factor;
        this.unfreezeEvery = unfreezeEvery;
        this.clipNorm = clipNorm;
        this.stepsPerEpoch = stepsPerEpoch;
        List<String> layers = new ArrayList<>();
        for (TrainedTensor t : this.tensors) {
            if (!layers.contains(t.layer())) {
                layers.add(t.layer());
            }
        }
        Map<String, Integer> groupOf = groupsOf(layers, groupGlobs);
        this.groups = groupOf.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (unfreezeEvery > 0 && groups < 2) {
            throw new IllegalArgumentException("gradual unfreezing has nothing to thaw: the trained layers " + layers
                    + " form " + (groups == 1 ? "a single group" : "no group") + "; train more layers (loosen the freeze"
                    + " policy), give several layer groups, or remove gradualUnfreezing(...)");
        }
        this.group = new int[this.tensors.size()];
        for (int i = 0; i < group.length; i++) {
            group[i] = groupOf.get(this.tensors.get(i).layer());
        }
        this.configs = new IUpdater[groups];
        for (int g = 0; g < groups; g++) {
            configs[g] = optimizer.updater();
        }
        int n = this.tensors.size();
        acc = new INDArray[n];
        accFlat = new INDArray[n];
        updaters = new GradientUpdater<?>[n];
        states = new INDArray[n];
        for (int i = 0; i < n; i++) {
            INDArray v = this.tensors.get(i).value();
            char order = v.ordering();
            acc[i] = Nd4j.create(v.dataType(), v.shape(), order);
            accFlat[i] = acc[i].reshape(order, 1, v.length());
        }
    }

    /** Each trained layer's group (0 = top): by the globs, first match, or one group per layer from the top. */
    private static Map<String, Integer> groupsOf(List<String> layersForward, List<String> globs) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (globs.isEmpty()) {
            for (int i = layersForward.size() - 1; i >= 0; i--) {
                out.put(layersForward.get(i), layersForward.size() - 1 - i);
            }
            return out;
        }
        List<Pattern> patterns = globs.stream().map(LayerNames::glob).toList();
        for (int g = 0; g < patterns.size(); g++) {
            boolean hit = false;
            for (String layer : layersForward) {
                if (patterns.get(g).matcher(layer).matches()) {
                    hit = true;
                    out.putIfAbsent(layer, g);
                }
            }
            if (!hit) {
                throw new IllegalArgumentException("layer group '" + globs.get(g) + "' matches no trained layer; the trained"
                        + " layers are " + layersForward + " (frozen layers are in no group); fix the glob or drop it");
            }
        }
        for (String layer : layersForward) {
            if (!out.containsKey(layer)) {
                throw new IllegalArgumentException("the trained layer '" + layer + "' is in no layer group " + globs
                        + "; add a glob that matches it, e.g. \"" + layer + "\"");
            }
        }
        // Groups numbered by the globs; a glob that matched only layers taken by an earlier one leaves no gap.
        List<Integer> used = out.values().stream().distinct().sorted().toList();
        out.replaceAll((k, v) -> used.indexOf(v));
        return out;
    }

    /** The number of layer groups. */
    public int groups() {
        return groups;
    }

    /** The epoch (from 1) at which group {@code g} starts to train. */
    public int thawEpoch(int g) {
        return unfreezeEvery == 0 ? 1 : 1 + g * unfreezeEvery;
    }

    /** Whether group {@code g} trains at {@code epoch} (from 1). */
    public boolean thawed(int g, int epoch) {
        return epoch >= thawEpoch(g);
    }

    /** The learning rate of group {@code g} given the top group's. */
    public double groupRate(int g, double topRate) {
        return topRate / Math.pow(factor, g);
    }

    /**
     * Adds the gradients the model just wrote (sums over {@code batchRows} rows) into the step's sums;
     * the first call after a step starts them anew.
     */
    public void accumulate(int batchRows, int epoch) {
        boolean first = rows == 0;
        for (int i = 0; i < acc.length; i++) {
            if (thawed(group[i], epoch)) {
                if (first) {
                    acc[i].assign(tensors.get(i).gradient());
                } else {
                    acc[i].addi(tensors.get(i).gradient());
                }
            }
        }
        rows += batchRows;
    }

    /**
     * The optimizer's step on the accumulated gradients: divided by their rows, clipped, updated with the
     * top group's rate {@code topRate}.
     *
     * @param step the run's optimizer step, from 0
     * @param epoch the epoch, from 1
     * @return the global gradient norm before clipping (over the tensors that train now), or NaN without clipping
     */
    public double apply(int step, int epoch, double topRate) {
        if (rows == 0) {
            throw new IllegalStateException("no gradient was accumulated since the last step");
        }
        double sq = 0;
        for (int i = 0; i < acc.length; i++) {
            if (thawed(group[i], epoch)) {
                acc[i].divi(rows);
                if (clipNorm > 0 && tensors.get(i).role() != TrainedTensor.Role.STATISTIC) {
                    double n = acc[i].norm2Number().doubleValue();
                    sq += n * n;
                }
            }
        }
        rows = 0;
        double norm = clipNorm > 0 ? Math.sqrt(sq) : Double.NaN;
        double clip = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
        for (int g = 0; g < groups; g++) {
            configs[g].setLrAndSchedule(groupRate(g, topRate), null);
        }
        for (int i = 0; i < acc.length; i++) {
            int g = group[i];
            if (!thawed(g, epoch)) {
                continue;
            }
            TrainedTensor t = tensors.get(i);
            if (t.role() == TrainedTensor.Role.STATISTIC) {
                t.value().subi(acc[i]);
                continue;
            }
            if (clip != 1) {
                acc[i].muli(clip);
            }
            // The group's own steps since its thaw: Adam's bias correction starts there.
            int own = step - (thawEpoch(g) - 1) * stepsPerEpoch;
            updater(i).applyUpdater(accFlat[i], own, epoch - 1);
            if (t.role() == TrainedTensor.Role.WEIGHT) {
                for (Regularization r : optimizer.weightRegularization()) {
                    r.apply(t.value(), acc[i], groupRate(g, topRate), own, epoch - 1);
                }
            }
            t.value().subi(acc[i]);
        }
        return norm;
    }

    /** Tensor {@code i}'s updater, made with a zero state on its group's first step. */
    private GradientUpdater<?> updater(int i) {
        if (updaters[i] == null) {
            IUpdater config = configs[group[i]];
            long size = config.stateSize(tensors.get(i).value().length());
            states[i] = size == 0 ? null : Nd4j.zeros(tensors.get(i).value().dataType(), 1, size);
            updaters[i] = config.instantiate(states[i], true);
        }
        return updaters[i];
    }

    /** The optimizer state of each trained tensor by {@code <layer>.<name>}, {@code null} before its group thaws. */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < states.length; i++) {
            out.put(tensors.get(i).layer() + "." + tensors.get(i).name(), states[i]);
        }
        return out;
    }

    /**
     * The optimizer state made so far, by {@code <layer>.<name>}, as live arrays: between two steps it is
     * all a run needs to continue (the accumulated gradients are empty then, and the step counts follow
     * from the step).
     */
    public Map<String, INDArray> savedState() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < states.length; i++) {
            if (updaters[i] != null && states[i] != null) {
                out.put(key(i), states[i]);
            }
        }
        return out;
    }

    /**
     * Makes the updaters of the tensors {@code saved} names and puts their state back; the others wait
     * for their first step as in a run never stopped.
     *
     * @throws IllegalArgumentException when a name is not a trained tensor or a size differs, naming {@code source}
     */
    public void restoreSaved(Map<String, INDArray> saved, String source) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < states.length; i++) {
            index.put(key(i), i);
        }
        for (int i = 0; i < states.length; i++) {
            updaters[i] = null;
            states[i] = null;
        }
        saved.forEach((name, values) -> {
            Integer i = index.get(name);
            if (i == null) {
                throw new IllegalArgumentException(source + " holds optimizer state for " + name
                        + ", which is not trained here (trained: " + index.keySet() + "); checkpoint into another"
                        + " directory to start afresh");
            }
            updater(i);
            if (states[i] == null || states[i].length() != values.length()) {
                throw new IllegalArgumentException(source + " holds " + values.length() + " values of optimizer state for "
                        + name + " but its optimizer keeps " + (states[i] == null ? 0 : states[i].length())
                        + "; checkpoint into another directory to start afresh");
            }
            states[i].assign(values.reshape(states[i].shape()));
        });
        rows = 0;
    }

    private String key(int i) {
        return tensors.get(i).layer() + "." + tensors.get(i).name();
    }

    /** The number of optimizer-state values held now. */
    public long stateSize() {
        long n = 0;
        for (INDArray s : states) {
            n += s == null ? 0 : s.length();
        }
        return n;
    }

    /** A copy of the optimizer state, to {@link #restore}. */
    public Object snapshot() {
        INDArray[] copy = new INDArray[states.length];
        boolean[] made = new boolean[states.length];
        for (int i = 0; i < states.length; i++) {
            made[i] = updaters[i] != null;
            copy[i] = states[i] == null ? null : states[i].dup();
        }
        return new Saved(copy, made);
    }

    private record Saved(INDArray[] states, boolean[] made) {
    }

    /** Puts back the optimizer state of a {@link #snapshot}; what was not made then is dropped. */
    public void restore(Object snapshot) {
        Saved s = (Saved) snapshot;
        for (int i = 0; i < states.length; i++) {
            if (!s.made()[i]) {
                updaters[i] = null;
                states[i] = null;
            } else if (states[i] != null) {
                states[i].assign(s.states()[i]);
            }
        }
        rows = 0;
    }
}
