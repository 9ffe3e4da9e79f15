/**
 * The DL4J model family ({@link dev.attune.internal.dl4j.Dl4jFamily}): handles over
 * {@code MultiLayerNetwork} and {@code ComputationGraph}, the frozen-bottom split, frozen layers that
 * pass gradients, new heads, the fused dense step and the optimizer's update, the export of
 * unmergeable adapters as stock layers.
 *
 * <p>Internal: public only so that Attune's own modules ({@code dev.attune..}) can reach it; not part
 * of the API, left out of the Javadoc, and free to change. Depends on {@code dev.attune.spi} and the
 * other internal packages, never on {@code dev.attune}.
 */
package dev.attune.internal.dl4j;

