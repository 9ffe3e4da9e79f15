package dev.attune.spi;

import java.util.List;
import java.util.Set;

/**
 * Decides which layers keep their pretrained weights during fine-tuning. Frozen layers hold no
 * optimizer state and no weight gradient is computed for them. Built-in policies come from
 * {@link dev.attune.Freeze}; implement this interface for a rule of your own.
 */
@FunctionalInterface
public interface FreezePolicy {
    /**
     * The names of the layers to freeze.
     *
     * @param layers every layer of the network to be fine-tuned (after head replacement), in forward order
     * @throws IllegalArgumentException when the policy names a layer that does not exist (list the names)
     */
    Set<String> frozenLayers(List<LayerInfo> layers);
}
