package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.evaluation.DriftLevel;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.Stage;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's retraining example, and checks that the README still shows this code. */
class ReadmeRetrainExampleTest {
    /** The example's drift features of images: brightness and ink. */
    private static double[][] driftRows(LabeledData images) {
        return DigitsWorld.driftRows(images);
    }

    @Test
    void theReadmeRetrainExampleRuns(@TempDir Path runDir) {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(runDir)) {
            DriftMonitor monitor = DigitsWorld.monitor();
            List<String> names = DigitsWorld.DRIFT_FEATURES;
            LabeledData labelled = DigitsWorld.shifted(DigitsWorld.digits(0, 600));
            monitor.observe(DigitsWorld.batch(labelled));

            // README example: begin
            RetrainPolicy policy = RetrainPolicy.builder()
                    .onDrift(DriftLevel.ALERT)               // a drift report at ALERT triggers
                    .onAccuracyBelow(0.85, 300)              // so does accuracy below 0.85 on the last 300 labelled examples
                    .margin(0.02)                            // the challenger must be 2 points better on held-out examples
                    .requireSignificance(0.05)               // and significantly so: McNemar and the paired bootstrap
                    .rollbackBelow(0.75, 300)                // roll back if the next 300 labelled examples score below 0.75
                    .referenceOnRecent(300)                  // a challenger's drift reference: the latest 300 labelled examples
                    .build();
            Retrainer retrainer = Retrainer.builder(registry, "digits", policy) // serves the production version
                    .fineTuning(serving -> FineTuner.builder(serving).optimizer(Optimizer.adam(3e-3)).epochs(4).seed(2).build())
                    .packaging(p -> p.image(255f, 784))      // the challenger package's preprocessing
                    .workDir(runDir.resolve("challengers"))
                    .driftReference((network, recent) ->     // packaged with the challenger: the world it is for
                            DriftReference.builder().features(names, driftRows(recent)).build())
                    .monitor(monitor)                        // rebased onto the serving version's reference
                    .build();

            retrainer.feedback(labelled);                         // labelled live examples, as they come
            List<RetrainEvent> events = retrainer.check(monitor); // retrain if a trigger is crossed
            events.forEach(e -> System.out.println(e.summary())); // triggered, trained, compared, registered, promoted
            // README example: end

            assertThat(events).last().isInstanceOf(RetrainEvent.Promoted.class);
            assertThat(registry.inStage("digits", Stage.PRODUCTION).orElseThrow().version()).isEqualTo(2);
            assertThat(retrainer.watching().orElseThrow().version()).isEqualTo(2);
            assertThat(monitor.reference()).isSameAs(retrainer.driftReference().orElseThrow());
            assertThat(monitor.reference().featureRows()).isEqualTo(300);
            assertThat(monitor.size()).isZero();
        }
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeRetrainExampleTest.class);
    }
}
