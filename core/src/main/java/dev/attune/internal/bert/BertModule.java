package dev.attune.internal.bert;

import dev.attune.spi.AdaptedLayer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One adapted module as an {@link AdaptedLayer}: merging adds {@code s (B A)^T} to its weight (a copy
 * of the weight is kept for {@link #unmerge}) and inference then skips its adapter path.
 */
final class BertModule implements AdaptedLayer {
    private final BertHandle model;
    private final String name;
    private INDArray before;

    BertModule(BertHandle model, String name) {
        this.model = model;
        this.name = name;
    }

    @Override
    public void bindBase(Map<String, INDArray> base) {
        // The base weights are the model's own tensors.
    }

    @Override
    public Map<String, INDArray> adapterTensors() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("lora_A", model.views().get(name + ".lora_A"));
        out.put("lora_B", model.views().get(name + ".lora_B"));
        return out;
    }

    @Override
    public Map<String, INDArray> mergedParams() {
        INDArray w = model.views().get(name + ".weight").dup('c');
        return Map.of("W", isMerged() ? w : w.addi(model.delta(name)), "b", model.views().get(name + ".bias").dup('c'));
    }

    @Override
    public void inputGradientNeeded(boolean needed) {
        // Gradients come from the SameDiff graph.
    }

    @Override
    public void merge() {
        if (isMerged()) {
            throw new IllegalStateException("the adapter of '" + name + "' is already merged; unmerge() it first");
        }
        INDArray w = model.views().get(name + ".weight");
        INDArray sum = w.dup('c').addi(model.delta(name));
        if (sum.isNaN().any() || sum.isInfinite().any()) {
            throw new IllegalStateException("merging the adapter of '" + name + "' gives NaN or infinite weights;"
                    + " the weights are left unmerged");
        }
        before = w.dup('c');
        w.assign(sum);
        model.mergedModules().add(name);
        model.touched();
    }

    @Override
    public void unmerge() {
        if (!isMerged()) {
            throw new IllegalStateException("the adapter of '" + name + "' is not merged; there is nothing to unmerge");
        }
        model.views().get(name + ".weight").assign(before);
        before = null;
        model.mergedModules().remove(name);
        model.touched();
    }

    @Override
    public boolean isMerged() {
        return model.mergedModules().contains(name);
    }
}
