/**
 * Attune's API, what applications touch: the {@link dev.attune.FineTuner} entry point, the
 * {@link dev.attune.Network} any model family hides behind, {@link dev.attune.Freeze} policies, the
 * data and results ({@link dev.attune.LabeledData}, {@link dev.attune.Predictions},
 * {@link dev.attune.FineTuneResult}, {@link dev.attune.EpochRecord}, {@link dev.attune.Provenance}),
 * {@link dev.attune.EarlyStopping}, {@link dev.attune.Progress}, {@link dev.attune.AdaptedNetwork},
 * the {@link dev.attune.BertEncoder}, and {@link dev.attune.AttuneException}.
 *
 * <p>The interfaces that speak this vocabulary and that the builder takes as options live here too,
 * for users to pass and for other modules and host applications to implement:
 * {@link dev.attune.DataSource}, {@link dev.attune.Metric}, {@link dev.attune.Balancer},
 * {@link dev.attune.TrainingDataCheck}, {@link dev.attune.TrainingListener},
 * {@link dev.attune.CheckpointStore}, and {@link dev.attune.DataAuditSummary}, the checks of a data
 * audit as evaluation reports show them. The training loop's orchestration (epochs, listeners, early
 * stopping, checkpoints) is package-private here because it speaks this vocabulary throughout.
 *
 * <p>Anyone may depend on this package. It depends on {@code dev.attune.spi} and on the internal
 * packages, never the other way round; its public signatures name no internal type.
 */
package dev.attune;

