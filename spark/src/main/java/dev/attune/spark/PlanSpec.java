package dev.attune.spark;

import dev.attune.adapters.bottleneck.Bottleneck;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterMethod;
import dev.attune.spi.FreezePolicy;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainingPlan;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link TrainingPlan} in a form that travels to executors: the freeze policy as the layer sets it
 * chose on the driver (a policy is the caller's code, often a lambda), the adapter as its configuration
 * map, the optimizer as its values.
 */
record PlanSpec(int headClasses, String headName, Map<List<String>, Set<String>> frozen, Optimizer.Kind kind,
                double learningRate, double momentum, double weightDecay, long seed, String adapterName,
                Map<String, String> adapterConfig) implements Serializable {

    /**
     * The plan as it resolves on {@code base}: the freeze policy is asked on the driver (through the
     * handle's own check) and its answers are kept.
     *
     * @throws IllegalArgumentException when the adapter is not one that executors can rebuild
     */
    static PlanSpec of(TrainingPlan plan, ModelHandle base) {
        Map<List<String>, Set<String>> answers = new HashMap<>();
        FreezePolicy recording = layers -> {
            Set<String> out = plan.freeze().frozenLayers(layers);
            answers.put(names(layers), Set.copyOf(out));
            return out;
        };
        base.check(new TrainingPlan(plan.headClasses(), plan.headName(), recording, plan.optimizer(), plan.seed(),
                plan.adapter()));
        AdapterMethod a = plan.adapter();
        if (a != null && !(a instanceof Lora) && !(a instanceof Bottleneck)) {
            throw new IllegalArgumentException("adapter " + a.name() + " (" + a.getClass().getName() + ") cannot be rebuilt"
                    + " on Spark's executors; use Lora or Bottleneck from attune-adapters, or train it with FineTuner.fit");
        }
        Optimizer o = plan.optimizer();
        return new PlanSpec(plan.headClasses(), plan.headName(), Map.copyOf(answers), o.kind(), o.learningRate(),
                o.momentum(), o.weightDecay(), plan.seed(), a == null ? null : a instanceof Lora ? "lora" : "bottleneck",
                a == null ? null : new LinkedHashMap<>(a.config()));
    }

    /** The plan again, on an executor. */
    TrainingPlan plan() {
        FreezePolicy replay = layers -> {
            Set<String> out = frozen.get(names(layers));
            if (out == null) {
                throw new IllegalStateException("the executor's model offers the layers " + names(layers) + ", which the"
                        + " driver never saw (it saw " + frozen.keySet() + "); give executors the same Attune version and"
                        + " base model as the driver");
            }
            return out;
        };
        AdapterMethod adapter = adapterName == null ? null
                : adapterName.equals("lora") ? Lora.fromConfig(adapterConfig) : Bottleneck.fromConfig(adapterConfig);
        return new TrainingPlan(headClasses, headName, replay, new Optimizer(kind, learningRate, momentum, weightDecay),
                seed, adapter);
    }

    private static List<String> names(List<LayerInfo> layers) {
        return layers.stream().map(LayerInfo::name).toList();
    }
}
