/**
 * The model-family and adapter SPI: what a kind of model implements to be fine-tuned
 * ({@link dev.attune.spi.ModelFamily}, its {@link dev.attune.spi.ModelHandle} and
 * {@link dev.attune.spi.TrainableModel}, built from a {@link dev.attune.spi.TrainingPlan}), what an
 * adapter method implements ({@link dev.attune.spi.AdapterMethod}, {@link dev.attune.spi.AdaptedLayer},
 * with its product {@link dev.attune.spi.AdapterWeights} and, for low-rank methods, its typed options
 * {@link dev.attune.spi.LowRankSpec}), and the values they speak: layers
 * ({@link dev.attune.spi.LayerInfo}), freeze policies ({@link dev.attune.spi.FreezePolicy}), the
 * optimizer ({@link dev.attune.spi.Optimizer}) and {@link dev.attune.spi.ModelFileException}. Data-parallel
 * training plugs in through {@link dev.attune.spi.GradientExchange} and {@link dev.attune.spi.BatchRows}, and
 * training rows held on other machines are described by {@link dev.attune.spi.HeldRows} (with
 * {@link dev.attune.spi.RowsFingerprint} for their fingerprint).
 *
 * <p>Implemented by Attune's own families and modules ({@code attune-adapters}) and by host
 * applications; users meet its values through the API. It depends on no other Attune package, so
 * every other package may depend on it.
 */
package dev.attune.spi;

