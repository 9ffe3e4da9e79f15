package dev.attune.evaluation;

import dev.attune.Predictions;
import java.util.Map;

/**
 * AssertJ assertions on a model's predictions, for the test suite of an application that ships a
 * model: a metric, the calibration error or the demographic parity difference against a bound, with a
 * failure message that shows the value, its bootstrap confidence interval and the per-class
 * precision, recall and F1.
 *
 * <pre>{@code
 * import static dev.attune.evaluation.EvaluationAssertions.assertThat;
 *
 * Predictions predictions = network.predict(test);
 * assertThat(predictions).metric(Metrics.f1Macro()).isAtLeast(0.85);
 * assertThat(predictions).calibrationError().isBelow(0.05);
 * assertThat(predictions).parityDifference(Groups.of(region)).isBelow(0.1);
 * }</pre>
 *
 * <p>AssertJ ({@code org.assertj:assertj-core}) is an optional dependency of this module: add it to
 * the test class path to use these assertions.
 */
public final class EvaluationAssertions {
    private EvaluationAssertions() {
    }

    /**
     * Assertions on the given predictions, with the defaults of {@link PredictionsAssert}: a 95%
     * interval from 1000 bootstrap resamples, seed 1.
     */
    public static PredictionsAssert assertThat(Predictions actual) {
        return new PredictionsAssert(actual, Map.of());
    }

    /**
     * Assertions on the test predictions an evaluation report was made of, as
     * {@link #assertThat(Predictions)} gives them, where {@link PredictionsAssert#parityDifference(String)}
     * also takes the name of a group column the report was given:
     *
     * <pre>{@code
     * assertThat(report).metric(Metrics.f1Macro()).isAtLeast(0.85);
     * assertThat(report).parityDifference("sex").isBelow(0.1);
     * }</pre>
     */
    public static PredictionsAssert assertThat(EvaluationReport report) {
        java.util.Objects.requireNonNull(report, "report");
        return new PredictionsAssert(report.testPredictions(), report.groupColumns());
    }
}
