package dev.attune.internal.bert;

import dev.attune.internal.layers.Freezing;
import dev.attune.spi.FreezePolicy;
import dev.attune.spi.LayerInfo;
import dev.attune.spi.TrainingPlan;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A training plan resolved against a BERT encoder: {@code frozen} names the layers whose own weights stay
 * frozen (with an adapter, the adapted layers too); {@code lora} is {@code null} without an adapter.
 */
record BertPlan(String headName, int headClasses, Set<String> frozen, List<LayerInfo> layers, BertLora lora) {

    /**
     * Resolves the plan against a model without LoRA.
     *
     * @throws IllegalStateException for a model with LoRA
     * @throws IllegalArgumentException when the plan does not fit the encoder (the message says why)
     */
    static BertPlan resolve(BertHandle model, TrainingPlan plan) {
        if (model.lora() != null) {
            throw new IllegalStateException("this BERT encoder carries LoRA; train its merged copy instead");
        }
        BertLora spec = plan.adapter() == null ? null : BertLora.of(plan.adapter(), plan.seed());
        if (spec != null) {
            spec.modules(model.config()); // every target matches a projection, the rank fits
        }
        String head = model.headName();
        int classes = model.headClasses();
        if (plan.headClasses() > 0) {
            head = plan.headName();
            classes = plan.headClasses();
            if (head.equals("embeddings") || head.startsWith("encoder.")) {
                throw new IllegalArgumentException("the new head's name '" + head + "' is taken by the encoder's layers;"
                        + " choose another head name");
            }
        } else if (model.headClasses() == 0) {
            throw new IllegalArgumentException("this BERT encoder has no classification head; call replaceHead(k) with"
                    + " the number of classes to put a dense softmax layer on its mean-pooled output");
        }
        List<LayerInfo> layers = BertLayout.layers(model.config(), null, head, classes);
        // A layer with an adapter trains it, its own weights frozen: it counts as trainable (as on DL4J networks).
        Set<String> adapted = new HashSet<>();
        if (spec != null) {
            spec.modules(model.config()).forEach(m -> adapted.add(m.substring(0, m.indexOf('.', "encoder.".length()))));
        }
        FreezePolicy policy = adapted.isEmpty() ? plan.freeze() : ls -> {
            Set<String> f = new HashSet<>(plan.freeze().frozenLayers(ls));
            f.removeAll(adapted);
            return f;
        };
        Set<String> frozen = new HashSet<>(Freezing.resolve(policy, layers, l -> true));
        if (spec != null) {
            String h = head;
            List<String> open = layers.stream().map(LayerInfo::name)
                    .filter(n -> !n.equals(h) && !frozen.contains(n) && !adapted.contains(n)).toList();
            if (!open.isEmpty()) {
                throw new IllegalArgumentException("with an adapter the BERT encoder's own weights stay frozen, but the"
                        + " freeze policy " + plan.freeze() + " leaves " + open + " trainable; freeze them (the default"
                        + " with adapter(...) is Freeze.all().andUnfreeze(\"" + head + "\")) or fine-tune them in full"
                        + " without an adapter");
            }
            frozen.addAll(adapted); // their own weights
        }
        return new BertPlan(head, classes, frozen, layers, spec);
    }
}
