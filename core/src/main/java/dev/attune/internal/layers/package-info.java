/**
 * What every model family does with layers: names, globs and the list that messages show
 * ({@link dev.attune.internal.layers.LayerNames}), resolving a freeze policy against a network's
 * layers ({@link dev.attune.internal.layers.Freezing}), and checking inputs before the runtime sees
 * them ({@link dev.attune.internal.layers.InputChecks}).
 *
 * <p>Internal: public only so that Attune's own modules ({@code dev.attune..}) can reach it; not part
 * of the API, left out of the Javadoc. Depends on {@code dev.attune.spi} and DL4J.
 */
package dev.attune.internal.layers;

