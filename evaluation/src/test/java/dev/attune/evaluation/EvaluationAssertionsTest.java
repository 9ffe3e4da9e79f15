package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Predictions;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class EvaluationAssertionsTest {
    /** 30 examples of 3 classes, 10 each; 24 right: class 0 all, class 1 8 (2 called 2), class 2 6 (4 called 0). */
    private static Predictions threeClasses() {
        int[] actual = new int[30];
        int[] predicted = new int[30];
        for (int i = 0; i < 30; i++) {
            actual[i] = i / 10;
            predicted[i] = actual[i];
        }
        predicted[10] = 2;
        predicted[11] = 2;
        for (int i = 20; i < 24; i++) {
            predicted[i] = 0;
        }
        return Fixtures.predictions(3, actual, predicted);
    }

    @Test
    void boundsPassAndFailAsTheyShould() {
        Predictions p = threeClasses();
        EvaluationAssertions.assertThat(p).metric(Metrics.accuracy()).isAtLeast(0.8).isAtMost(0.8).isAbove(0.79).isBelow(0.81);
        assertThat(EvaluationAssertions.assertThat(p).metric(Metrics.accuracy()).value()).isEqualTo(0.8);

        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).metric(Metrics.accuracy()).isAbove(0.8))
                .isInstanceOf(AssertionError.class).hasMessageContaining("to be above 0.8 but was 0.8000");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).metric(Metrics.accuracy()).isBelow(0.8))
                .isInstanceOf(AssertionError.class).hasMessageContaining("to be below 0.8 but was 0.8000");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).metric(Metrics.accuracy()).isAtLeast(0.85))
                .isInstanceOf(AssertionError.class).hasMessageContaining("to be at least 0.85 but was 0.8000");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).metric(Metrics.accuracy()).isAtMost(0.75))
                .isInstanceOf(AssertionError.class).hasMessageContaining("to be at most 0.75 but was 0.8000");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).metric(Metrics.logLoss()).isBelow(0.1))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Expecting log_loss (lower is better)");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat((Predictions) null).metric(Metrics.accuracy()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("Expecting actual not to be null");
    }

    @Test
    void aFailureShowsTheValueTheBootstrapIntervalAndThePerClassTable() {
        Predictions p = threeClasses();
        ConfidenceInterval ci = Bootstrap.of(Metrics.f1Macro()).resamples(1000).seed(1).interval(p, 0.95);

        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).metric(Metrics.f1Macro()).isAtLeast(0.85))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(String.format(Locale.ROOT, "Expecting f1_macro (higher is better) to be at least 0.85 but was %.4f",
                        p.score(Metrics.f1Macro())))
                .hasMessageContaining(String.format(Locale.ROOT, "95%% bootstrap interval: %.4f to %.4f (1000 resamples)",
                        ci.lower(), ci.upper()))
                .hasMessageContaining("on 30 examples; per class:")
                .hasMessageContaining("class  precision    recall        f1   support")
                // Class 0: 10 right of 14 called 0; class 1: 8 of 8, recall 0.8; class 2: 6 of 8, recall 0.6.
                .hasMessageContaining(String.format(Locale.ROOT, "0         %.4f    1.0000    %.4f        10", 10 / 14.0, 2 * (10 / 14.0) / (10 / 14.0 + 1)))
                .hasMessageContaining("1         1.0000    0.8000    0.8889        10")
                .hasMessageContaining("2         0.7500    0.6000    0.6667        10");
    }

    @Test
    void theIntervalFollowsTheChosenBootstrapAndTheDescriptionIsKept() {
        Predictions p = threeClasses();
        ConfidenceInterval ci = Bootstrap.of(Metrics.accuracy()).resamples(200).seed(7).interval(p, 0.9);

        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).as("release gate").withInterval(0.9, 200, 7)
                .metric(Metrics.accuracy()).isAtLeast(0.9))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("[release gate]")
                .hasMessageContaining(String.format(Locale.ROOT, "90%% bootstrap interval: %.4f to %.4f (200 resamples)",
                        ci.lower(), ci.upper()));
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).withInterval(1.0, 200, 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).withInterval(0.9, 5, 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[10, 10000000]");
    }

    @Test
    void calibrationErrorIsTheExpectedCalibrationError() {
        // Every prediction has confidence 0.7 and 80% are right: one bin, error |0.8 - 0.7|.
        Predictions p = threeClasses();
        EvaluationAssertions.assertThat(p).calibrationError().isBelow(0.11).isAbove(0.09);
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).calibrationError().isBelow(0.05))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expecting ece (lower is better) to be below 0.05 but was 0.1000")
                .hasMessageContaining("95% bootstrap interval: ")
                .hasMessageContaining("per class:");
    }

    @Test
    void parityDifferenceIsTheGapInSelectionRates() {
        // Group a: 6 of 10 predicted positive; group b: 2 of 10.
        int[] actual = new int[20];
        int[] predicted = new int[20];
        String[] group = new String[20];
        for (int i = 0; i < 20; i++) {
            actual[i] = i % 2;
            group[i] = i < 10 ? "a" : "b";
            predicted[i] = (i < 10 && i % 10 < 6) || (i >= 10 && i % 10 < 2) ? 1 : 0;
        }
        Predictions p = Fixtures.predictions(2, actual, predicted);
        Groups groups = Groups.of(group);

        EvaluationAssertions.assertThat(p).parityDifference(groups).isBelow(0.41).isAbove(0.39);
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(p).parityDifference(groups).isBelow(0.1))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expecting demographic_parity_difference (lower is better) to be below 0.1 but was 0.4000")
                .hasMessageMatching("(?s).*95% bootstrap interval: 0\\.\\d{4} to 0\\.\\d{4} \\(1000 resamples\\).*")
                .hasMessageContaining("class  precision");
        int[] halves = new int[30];
        java.util.Arrays.fill(halves, 15, 30, 1);
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(threeClasses()).parityDifference(Groups.of(halves)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("binary task");
    }

    @Test
    void anEvaluationReportIsAssertedOnItsTestPredictionsAndItsGroupColumnsByName() {
        Predictions test = SectionFixtures.predictions();
        EvaluationReport report = EvaluationReport.builder(ReportFixtures.binaryResult(), test).resamples(100)
                .groups("sex", Groups.of(SectionFixtures.SEX)).build();
        double f1 = test.score(Metrics.f1Macro());
        double parity = Fairness.of(test, Groups.of(SectionFixtures.SEX)).demographicParityDifference();

        EvaluationAssertions.assertThat(report).metric(Metrics.f1Macro()).isAtLeast(f1).isAtMost(f1);
        EvaluationAssertions.assertThat(report).parityDifference("sex").isAtMost(parity).isAtLeast(parity);
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(report).parityDifference("sex").isBelow(parity))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expecting demographic_parity_difference (lower is better) to be below");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(report).parityDifference("age"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no group column named 'age'; the report has [sex]");
        assertThatThrownBy(() -> EvaluationAssertions.assertThat(test).parityDifference("sex"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("these predictions carry none; pass the groups, parityDifference(Groups.of(...))");
    }
}
