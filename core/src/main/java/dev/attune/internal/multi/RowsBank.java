package dev.attune.internal.multi;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A fixed set of prepared adapters by slot, and the per-row forward pass over them. */
public interface RowsBank {
    /**
     * The outputs where row {@code i} goes through the adapter in slot {@code slots[i]}, or through the
     * base model alone when {@code slots[i]} is negative.
     *
     * @throws IllegalArgumentException when the rows' adapters give outputs of different widths
     */
    INDArray output(INDArray features, int[] slots);
}
