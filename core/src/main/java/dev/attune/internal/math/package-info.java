/**
 * Shared numerics: products straight into BLAS ({@link dev.attune.internal.math.Gemm}), the
 * workspaces of a training step, and row ranges and chunked work over them
 * ({@link dev.attune.internal.math.Rows}).
 *
 * <p>Internal: public only so that Attune's own modules ({@code dev.attune..}, the adapters' LoRA
 * kernels) can reach it; not part of the API, left out of the Javadoc. Depends on ND4J alone.
 */
package dev.attune.internal.math;

