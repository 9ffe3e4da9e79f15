package dev.attune.internal.multi;

/** How the low-rank updates of a mixed batch are computed. */
public enum Gather {
    /**
     * Rows grouped by adapter, two matrix products per group (SGMV): {@code (x_g A_g^T) B_g^T}, each
     * straight into the group's rows of the layer's output.
     */
    SEGMENTS,
    /**
     * Each row's update in plain Java loops ({@link RowLoops}) into one array of deltas, added to the
     * layer's output in one op: no native call per segment.
     */
    LOOPS,
    /** Per layer, {@link #SEGMENTS} when the segments hold many rows each, else {@link #LOOPS}. */
    MIXED,
    /**
     * Each row's {@code A} and {@code B} gathered into {@code [rows, in, r]} and {@code [rows, r, out]}
     * tensors and multiplied as a batch of row products (BGMV).
     */
    ROWS
}
