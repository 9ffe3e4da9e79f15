package dev.attune.internal.multi;

/** How the low-rank updates of a mixed batch are computed. */
public enum Gather {
    /**
     * Rows grouped by adapter, two matrix products per group (SGMV): {@code (x_g A_g^T) B_g^T}, each
     * straight into the group's rows of the layer's output.
     */
    SEGMENTS,
    /**
     * Each row's {@code A} and {@code B} gathered into {@code [rows, in, r]} and {@code [rows, r, out]}
     * tensors and multiplied as a batch of row products (BGMV).
     */
    ROWS
}
