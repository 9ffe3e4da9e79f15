/**
 * Measuring models: the built-in {@link dev.attune.Metric}s ({@link dev.attune.evaluation.Metrics})
 * and the {@link dev.attune.evaluation.ConfusionMatrix}. Every metric reads
 * {@link dev.attune.Predictions} and can drive validation history and early stopping in
 * {@code dev.attune.FineTuner}.
 */
package dev.attune.evaluation;
