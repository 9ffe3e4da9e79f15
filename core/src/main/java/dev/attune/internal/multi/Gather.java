package dev.attune.internal.multi;

/** How the low-rank updates of a mixed batch are computed. */
public enum Gather {
    /**
     * Rows grouped by adapter, two matrix products per group (SGMV): {@code (x_g A_g^T) B_g^T}, each
     * straight into the group's rows of the layer's output.
     */
    SEGMENTS,
    /**
     * Each row's update as two matrix-vector products on the arrays where they lie ({@code A x_i}, then
     * {@code s B^T h} into the row's output): one BLAS call each, no ND4J op, in the batch's own order.
     */
    ROW_PRODUCTS,
    /** {@link #ROW_PRODUCTS} where the backend allows (float or double on the CPU), else {@link #SEGMENTS}. */
    MIXED,
    /**
     * Each row's {@code A} and {@code B} gathered into {@code [rows, in, r]} and {@code [rows, r, out]}
     * tensors and multiplied as a batch of row products (BGMV).
     */
    GATHERED
}
