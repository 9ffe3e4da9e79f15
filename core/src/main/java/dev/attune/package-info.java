/**
 * Attune's core: the {@link dev.attune.FineTuner} entry point, the {@link dev.attune.Network}
 * handle over DL4J networks, freezing, the training loop, listeners, early stopping, checkpoints,
 * the check for validation examples that copy training examples ({@link dev.attune.LeakagePolicy}),
 * provenance, and the interfaces other modules and host applications implement
 * ({@link dev.attune.DataSource}, {@link dev.attune.Metric}, {@link dev.attune.FreezePolicy},
 * {@link dev.attune.TrainingListener}, {@link dev.attune.CheckpointStore}), and
 * {@link dev.attune.DataAuditSummary}, the checks of a data audit as evaluation reports show them.
 */
package dev.attune;
