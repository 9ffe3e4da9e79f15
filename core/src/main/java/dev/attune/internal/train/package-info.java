/**
 * The mechanics of the training loop that speak arrays and {@link dev.attune.spi.TrainableModel}
 * alone: mini-batches gathered in the epoch's order, the frozen bottom's output computed once,
 * chunked prediction, one-hot labels and the seeded shuffle. The loop's orchestration (epochs,
 * listeners, early stopping, checkpoints, the result) is the API's {@code Trainer}.
 *
 * <p>Internal: public only so that Attune's own packages ({@code dev.attune..}) can reach it; not part
 * of the API, left out of the Javadoc. Depends on {@code dev.attune.spi} and
 * {@code dev.attune.internal.math}.
 */
package dev.attune.internal.train;

