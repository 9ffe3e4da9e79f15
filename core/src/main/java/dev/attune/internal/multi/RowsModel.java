package dev.attune.internal.multi;

import dev.attune.spi.AdapterWeights;
import dev.attune.spi.LowRankSpec;
import java.util.List;

/**
 * A base model's forward pass in which each row of a batch goes through its own adapter: the family's
 * side of multi-adapter serving. Implementations hold the base model's weights read-only and are safe
 * to call from many threads at once.
 */
public interface RowsModel {
    /**
     * Checks that the adapter's tensors fit this model and prepares them for the per-row pass.
     *
     * @param name the adapter's name, for messages
     * @param spec the adapter's low-rank options (LoRA without DoRA)
     * @throws IllegalArgumentException when a tensor does not fit (the message names it and its shape)
     */
    RowsAdapter prepare(String name, AdapterWeights weights, LowRankSpec spec);

    /** An immutable bank of prepared adapters: slot {@code i} holds {@code adapters.get(i)}. */
    RowsBank bank(List<RowsAdapter> adapters);
}
