/**
 * Measuring models. The built-in {@link dev.attune.Metric}s ({@link dev.attune.evaluation.Metrics},
 * as scikit-learn defines them, with optional example weights), the
 * {@link dev.attune.evaluation.ConfusionMatrix} and the {@link dev.attune.evaluation.ReliabilityDiagram};
 * bootstrap confidence intervals and paired comparisons ({@link dev.attune.evaluation.Bootstrap},
 * {@link dev.attune.evaluation.McNemar}); per-group tables and group fairness
 * ({@link dev.attune.evaluation.Groups}, {@link dev.attune.evaluation.Fairness}); robustness to
 * perturbed and shifted test sets ({@link dev.attune.evaluation.Robustness},
 * {@link dev.attune.evaluation.Perturbations}); inference latency ({@link dev.attune.evaluation.Latency});
 * AssertJ assertions on predictions for test suites ({@link dev.attune.evaluation.EvaluationAssertions});
 * drift of a deployed model's traffic from a {@link dev.attune.evaluation.DriftReference}, watched by a
 * {@link dev.attune.evaluation.DriftMonitor} (per-feature {@link dev.attune.evaluation.PopulationStability}
 * and {@link dev.attune.evaluation.KolmogorovSmirnov}, {@link dev.attune.evaluation.EmbeddingShift}, predicted
 * classes and confidence);
 * the {@link dev.attune.evaluation.EvaluationReport} of a run and its test predictions (with groups and
 * fairness checks, robustness and the data audit when given), as JSON and as one self-contained HTML
 * page; the Markdown {@link dev.attune.evaluation.ModelCard}; and {@link dev.attune.evaluation.ReportFiles},
 * which writes all three. Every metric reads {@link dev.attune.Predictions} and can drive
 * validation history and early stopping in {@code dev.attune.FineTuner}.
 */
package dev.attune.evaluation;
