/**
 * What every model family does with layer names: globs, the list that messages show, and resolving
 * a freeze policy against a network's layers ({@link dev.attune.internal.layers.Freezing}).
 *
 * <p>Internal: public only so that Attune's own modules ({@code dev.attune..}) can reach it; not part
 * of the API, left out of the Javadoc. Depends on {@code dev.attune.spi} alone.
 */
package dev.attune.internal.layers;

