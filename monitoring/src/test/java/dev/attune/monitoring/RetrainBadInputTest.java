package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.evaluation.DriftLevel;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Bad policies and bad data given to a retrainer are refused with the value and the fix. */
class RetrainBadInputTest {
    @TempDir
    Path dir;

    @Test
    void thresholdsOutOfRangeAndANegativeMarginAreRefused() {
        assertThatThrownBy(() -> RetrainPolicy.builder().onAccuracyBelow(1.5, 200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the accuracy trigger's threshold is an accuracy in (0, 1], got 1.5; for example"
                        + " onAccuracyBelow(0.85, 200)");
        assertThatThrownBy(() -> RetrainPolicy.builder().onAccuracyBelow(0.8, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the accuracy trigger's window is 1 or more labelled examples, got 0");
        assertThatThrownBy(() -> RetrainPolicy.builder().rollbackBelow(0, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the rollback threshold is an accuracy in (0, 1], got 0.0");
        assertThatThrownBy(() -> RetrainPolicy.builder().margin(-0.01))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the margin is a difference of accuracies in [0, 1), got -0.01; use margin(0) to promote any"
                        + " better challenger, margin(0.02) for two points");
        assertThatThrownBy(() -> RetrainPolicy.builder().margin(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got NaN");
        assertThatThrownBy(() -> RetrainPolicy.builder().requireSignificance(0.9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha is in (0, 0.5], got 0.9; use requireSignificance(0.05)");
        assertThatThrownBy(() -> RetrainPolicy.builder().onDrift(DriftLevel.OK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a drift trigger at OK would fire on every report; use onDrift(DriftLevel.WARN)");
        assertThatThrownBy(() -> RetrainPolicy.builder().trainOnRecent(50, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 10 <= minimum <= keep, got keep 50 and minimum 100");
        assertThatThrownBy(() -> RetrainPolicy.builder().bootstrap(10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 100 resamples, got 10");
        assertThatThrownBy(() -> RetrainPolicy.builder().holdOut(0.9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in [0.1, 0.5], got 0.9");
        assertThatThrownBy(() -> RetrainPolicy.builder().cooldown(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
        assertThatThrownBy(() -> RetrainPolicy.builder().margin(0.02).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("a retrain policy needs a trigger; call onDrift(DriftLevel.ALERT), onAccuracyBelow(threshold,"
                        + " window) or both");
    }

    @Test
    void emptyFeedbackAndHeldOutOrFeedbackOfOtherClassesAreRefused() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).build();
            Retrainer.Builder builder = Retrainer.builder(registry, DigitsWorld.MODEL, policy)
                    .fineTuning(serving -> FineTuner.builder(serving).epochs(1).build())
                    .packaging(p -> p.image(255f, 784)).workDir(dir.resolve("challengers"));
            LabeledData digits = DigitsWorld.digits(0, 20);
            LabeledData threeClasses = LabeledData.of(digits.features(), new int[20], 3);

            assertThatThrownBy(() -> builder.heldOut(threeClasses).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the held-out set has 3 classes but the serving model digits:1 has 10 (0, 1, 2, 3, 4, 5,"
                            + " 6, 7, 8, 9); give examples labelled with the model's 10 classes");

            Retrainer retrainer = builder.heldOut(digits).build();
            assertThatThrownBy(() -> retrainer.feedback(Nd4j.create(0, 784), new int[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the feedback holds no examples (0 labels, features of shape [0, 784]); pass at least one"
                            + " labelled example");
            assertThatThrownBy(() -> retrainer.feedback(threeClasses))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("the feedback has 3 classes but the serving model digits:1 has 10");
            assertThatThrownBy(() -> retrainer.feedback(digits.features(), new int[] {1, 2}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("features hold 20 examples but labels hold 2");
        }
    }

    @Test
    void aMonitorWithoutAReferenceFunctionOrAReferenceThatDoesNotFitItIsRefused() {
        assertThatThrownBy(() -> RetrainPolicy.builder().referenceOnRecent(5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a drift reference is built from 10 or more recent labelled examples, got 5; for example"
                        + " referenceOnRecent(500), or the size of one labelled window");
        assertThatThrownBy(() -> RetrainPolicy.builder().onDrift(DriftLevel.ALERT).trainOnRecent(300, 100)
                .referenceOnRecent(400).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("referenceOnRecent(400) asks for more examples than the 300 kept (trainOnRecent); give at"
                        + " most 300 or keep more");
        assertThat(RetrainPolicy.builder().onDrift(DriftLevel.ALERT).trainOnRecent(300, 100).build()
                .referenceExamples()).isEqualTo(300);
        assertThat(RetrainPolicy.builder().onDrift(DriftLevel.ALERT).build().referenceExamples())
                .isEqualTo(RetrainPolicy.DEFAULT_REFERENCE_EXAMPLES);

        RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).bootstrap(100, 1).build();
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            DriftMonitor monitor = DigitsWorld.monitor();
            assertThatThrownBy(() -> Retrainer.builder(registry, DigitsWorld.MODEL, policy)
                    .fineTuning(serving -> FineTuner.builder(serving).build()).workDir(dir).monitor(monitor).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("a monitor to rebase after a promotion needs the challenger's drift reference; call"
                            + " driftReference((network, recent) -> DriftReference.builder().features(names,"
                            + " rows(recent)).build())");

            // a reference function of other features: refused before anything is registered
            Retrainer retrainer = Retrainer.builder(registry, DigitsWorld.MODEL, policy)
                    .fineTuning(serving -> FineTuner.builder(serving).epochs(1).seed(1).build())
                    .packaging(p -> p.image(255f, 784)).workDir(dir.resolve("challengers"))
                    .driftReference((network, recent) -> DriftReference.builder()
                            .features(List.of("brightness"), new double[][] {{0.1}, {0.2}}).build())
                    .monitor(monitor).build();
            LabeledData live = DigitsWorld.shifted(DigitsWorld.digits(0, 200));
            retrainer.feedback(live);
            monitor.observe(DigitsWorld.batch(live));
            assertThatThrownBy(() -> retrainer.check(monitor))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the drift reference built for the challenger, DriftReference[1 features of 2 rows]"
                            + " [brightness], does not fit the monitor, which compares rows of DriftReference[2 features"
                            + " of 2000 rows] [brightness, ink]; build it of the monitor's features, embeddings and"
                            + " predictions");
            assertThat(registry.versions(DigitsWorld.MODEL)).hasSize(1);
            assertThat(monitor.size()).isEqualTo(200);

            // a monitor of other features than the serving package's reference
            try (ModelRegistry carrying = DigitsWorld.registryServingBase(dir.resolve("carrying"),
                    DriftReference.builder().features(List.of("brightness"), new double[][] {{0.1}, {0.2}}).build())) {
                assertThatThrownBy(() -> Retrainer.builder(carrying, DigitsWorld.MODEL, policy)
                        .fineTuning(serving -> FineTuner.builder(serving).build()).workDir(dir)
                        .driftReference((network, recent) -> DigitsWorld.reference()).monitor(monitor).build())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("the monitor compares rows of DriftReference[2 features of 2000 rows]"
                                + " [brightness, ink] but the package of digits:1 carries DriftReference[1 features of 2"
                                + " rows] [brightness]; give a monitor of the serving package's reference");
            }
        }
    }

    @Test
    void aRetrainerWithoutFineTuningOrAProductionVersionIsRefused() {
        RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).build();
        try (ModelRegistry empty = ModelRegistry.sqlite(dir.resolve("empty"))) {
            assertThatThrownBy(() -> Retrainer.builder(empty, "digits", policy).workDir(dir).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("call fineTuning(serving -> FineTuner.builder(serving).epochs(3).build())");
            assertThatThrownBy(() -> Retrainer.builder(empty, "digits", policy)
                    .fineTuning(serving -> FineTuner.builder(serving).build()).workDir(dir).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("model 'digits' has no version in production, so there is nothing to retrain; register"
                            + " its package and promote it to production first");
        }
    }
}
