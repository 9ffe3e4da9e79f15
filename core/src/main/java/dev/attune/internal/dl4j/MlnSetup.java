package dev.attune.internal.dl4j;

import dev.attune.internal.layers.Freezing;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.TrainingPlan;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;

/**
 * A multi-layer network's training configuration, as a plan asks: the head replaced, the adapter's
 * layers in place of its targets, frozen layers wrapped, the optimizer set on the trainable ones, and
 * where the frozen bottom ends. Nothing is built.
 *
 * @param train the configuration to train
 * @param plain the same network as stock layers (no adapter, nothing frozen): what results are built from
 * @param split the index of the lowest trainable layer (the frozen bottom is below it)
 * @param frozen the frozen layers
 * @param adapted the layers an adapter trains (targets, and layers it trains a part of)
 * @param newHead whether the head is new
 */
record MlnSetup(MultiLayerConfiguration train, MultiLayerConfiguration plain, int split, Set<String> frozen,
                Set<String> adapted, boolean newHead) {

    /**
     * Resolves the plan against the network's configuration (checking names, head and freezing).
     *
     * @throws IllegalArgumentException when the plan does not fit the network (the message says why)
     */
    static MlnSetup of(MultiLayerConfiguration original, TrainingPlan plan) {
        MultiLayerConfiguration conf = original.clone();
        int n = conf.getConfs().size();
        for (int i = 0; i < n; i++) {
            conf.getConf(i).setLayer(MlnHandle.unfrozen(conf.getConf(i).getLayer()).clone());
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
        List<LayerInfo> layers = MlnHandle.layers(conf, null);
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
                c.setLayer(UndecayedGainDense.of(c.getLayer()));
            }
        }
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        // Keep each layer's forward intermediates (a convolution's im2col matrix and pre-activation) for
        // its backward pass, which otherwise recomputes them. Training only: the plain copy keeps NONE.
        conf.setCacheMode(CacheMode.DEVICE);
        conf.getConfs().forEach(c -> c.setCacheMode(CacheMode.DEVICE));
        return new MlnSetup(conf, plain, split, frozen, trainedByAdapter, plan.headClasses() > 0);
    }
}
