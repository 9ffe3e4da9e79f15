package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.deploy.ModelPackage;
import dev.attune.evaluation.DriftLevel;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.registry.ModelRegistry;
import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a promotion the retrainer's monitor measures drift against the world the promoted version was
 * trained for (its package's reference, of the most recent examples), and after a rollback against the
 * restored version's own reference.
 */
class RetrainerDriftReferenceTest {
    @TempDir
    Path dir;

    /** Old-world digits 0-300, then 600 of the shifted world: the challenger trains on both, but is for the new one;
     * 1000-1400 are held out, 1400-1600 watched, 1600-2000 measured (the bundled test set has 2,000). */
    private static final int OLD = 300;
    private static final int NEW = 600;

    private Retrainer retrainer(ModelRegistry registry, RetrainPolicy policy, DriftMonitor monitor) {
        return Retrainer.builder(registry, DigitsWorld.MODEL, policy)
                .fineTuning(serving -> FineTuner.builder(serving).optimizer(Optimizer.adam(3e-3)).epochs(4)
                        .batchSize(32).seed(2).build())
                .packaging(p -> p.image(255f, 784))
                .workDir(dir.resolve("challengers"))
                .heldOut(DigitsWorld.shifted(DigitsWorld.digits(1000, 400)))
                .driftReference((network, recent) -> DriftReference.builder()
                        .features(DigitsWorld.DRIFT_FEATURES, DigitsWorld.driftRows(recent)).build())
                .monitor(monitor)
                .build();
    }

    /** Feeds the old world and then the shifted one, and checks: the drift trigger promotes a challenger. */
    private static RetrainEvent.Promoted promoteOnShiftedData(Retrainer retrainer, DriftMonitor monitor) {
        retrainer.feedback(DigitsWorld.digits(0, OLD));
        LabeledData shifted = DigitsWorld.shifted(DigitsWorld.digits(OLD, NEW));
        retrainer.feedback(shifted);
        monitor.observe(DigitsWorld.batch(shifted));
        List<RetrainEvent> events = retrainer.check(monitor);
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("Triggered", "Trained", "Compared", "Registered", "Promoted");
        assertThat(((RetrainEvent.Trained) events.get(1)).examples()).isEqualTo(OLD + NEW); // both worlds trained on
        return (RetrainEvent.Promoted) events.get(4);
    }

    private static DriftLevel levelOn(DriftMonitor monitor, LabeledData images) {
        monitor.clear();
        monitor.observe(DigitsWorld.batch(images));
        return monitor.report().level();
    }

    @Test
    void afterAPromotionTheMonitorMeasuresAgainstThePromotedPackagesReferenceOfTheNewWorld() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).margin(0.05).bootstrap(300, 1)
                    .referenceOnRecent(NEW).build();
            DriftMonitor monitor = DigitsWorld.monitor();
            DriftReference before = monitor.reference();
            Retrainer retrainer = retrainer(registry, policy, monitor);
            assertThat(retrainer.driftReference()).containsSame(before);

            RetrainEvent.Promoted promoted = promoteOnShiftedData(retrainer, monitor);

            // the registered version says what its reference is, and the monitor was rebased onto it
            ModelPackage pkg = ModelPackage.load(registry.artifact(promoted.version()));
            DriftReference packaged = pkg.driftReference().orElseThrow();
            assertThat(packaged.featureRows()).isEqualTo(NEW);
            assertThat(promoted.driftReference()).containsSame(retrainer.driftReference().orElseThrow());
            assertThat(monitor.reference()).isSameAs(retrainer.driftReference().orElseThrow());
            assertThat(monitor.reference().toJson()).isEqualTo(packaged.toJson());
            assertThat(monitor.size()).isZero();

            // more of the new world is no drift; the old world now is
            assertThat(levelOn(monitor, DigitsWorld.shifted(DigitsWorld.digits(1600, 300)))).isEqualTo(DriftLevel.OK);
            assertThat(levelOn(monitor, DigitsWorld.digits(1600, 300))).isEqualTo(DriftLevel.ALERT);
            // and the next check on new-world traffic triggers nothing
            monitor.clear();
            monitor.observe(DigitsWorld.batch(DigitsWorld.shifted(DigitsWorld.digits(1700, 300))));
            retrainer.feedback(DigitsWorld.shifted(DigitsWorld.digits(1700, 300)));
            assertThat(retrainer.check(monitor)).isEmpty();
        }
    }

    @Test
    void afterARollbackTheRestoredVersionsOwnReferenceIsBack() {
        DriftReference v1Reference = DigitsWorld.reference();
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir, v1Reference)) {
            RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).margin(0.05).bootstrap(300, 1)
                    .referenceOnRecent(NEW).rollbackBelow(0.6, 200).build();
            DriftMonitor monitor = DigitsWorld.monitor();
            Retrainer retrainer = retrainer(registry, policy, monitor);
            RetrainEvent.Promoted promoted = promoteOnShiftedData(retrainer, monitor);
            assertThat(monitor.reference()).isSameAs(promoted.driftReference().orElseThrow());
            assertThat(levelOn(monitor, DigitsWorld.digits(1600, 300))).isEqualTo(DriftLevel.ALERT);

            // the promoted version meets a world whose labels moved: its watch rolls it back
            List<RetrainEvent> events = retrainer.feedback(DigitsWorld.relabelled(DigitsWorld.shifted(
                    DigitsWorld.digits(1400, 200))));

            assertThat(events).singleElement().isInstanceOf(RetrainEvent.RolledBack.class);
            RetrainEvent.RolledBack back = (RetrainEvent.RolledBack) events.get(0);
            assertThat(back.restored().version()).isEqualTo(1);
            String v1Json = ModelPackage.load(registry.artifact(back.restored())).driftReference().orElseThrow().toJson();
            assertThat(v1Json).isEqualTo(v1Reference.toJson());
            assertThat(back.driftReference().orElseThrow().toJson()).isEqualTo(v1Json);
            assertThat(retrainer.driftReference()).isEqualTo(back.driftReference());
            assertThat(monitor.reference()).isSameAs(back.driftReference().orElseThrow());
            assertThat(monitor.size()).isZero();
            // v1's world is no drift again; the world v2 was trained for is
            assertThat(levelOn(monitor, DigitsWorld.digits(1600, 300))).isEqualTo(DriftLevel.OK);
            assertThat(levelOn(monitor, DigitsWorld.shifted(DigitsWorld.digits(1600, 300)))).isEqualTo(DriftLevel.ALERT);
        }
    }
}
