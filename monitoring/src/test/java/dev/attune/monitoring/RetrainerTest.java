package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.evaluation.DriftLevel;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.registry.AuditEntry;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.Stage;
import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retrainer on real digits, a real network and a real SQLite registry. */
class RetrainerTest {
    @TempDir
    Path dir;

    private static FineTuner adapt(dev.attune.Network serving) {
        return FineTuner.builder(serving).optimizer(Optimizer.adam(3e-3)).epochs(4).batchSize(32).seed(2).build();
    }

    private Retrainer.Builder retrainer(ModelRegistry registry, RetrainPolicy policy) {
        return Retrainer.builder(registry, DigitsWorld.MODEL, policy)
                .fineTuning(RetrainerTest::adapt)
                .packaging(p -> p.image(255f, 784))
                .workDir(dir.resolve("challengers"));
    }

    /** A retrainer that watches 200 live examples after a promotion, having just promoted a challenger of shifted digits. */
    private Retrainer promotedOnShiftedDigits(ModelRegistry registry) {
        RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).margin(0.05).bootstrap(300, 1)
                .rollbackBelow(0.6, 200).build();
        Retrainer retrainer = retrainer(registry, policy)
                .heldOut(DigitsWorld.shifted(DigitsWorld.digits(1000, 400))).build();
        DriftMonitor monitor = DigitsWorld.monitor();
        LabeledData live = DigitsWorld.shifted(DigitsWorld.digits(0, 600));
        monitor.observe(DigitsWorld.batch(live));
        retrainer.feedback(live);
        assertThat(retrainer.check(monitor)).last().isInstanceOf(RetrainEvent.Promoted.class);
        return retrainer;
    }

    private static List<AuditEntry> decisions(ModelRegistry registry) {
        List<AuditEntry> log = registry.auditLog(DigitsWorld.MODEL);
        return log.subList(2, log.size()); // after the first model's registration and promotion
    }

    @Test
    void driftTriggersAChallengerThatIsPromotedWhenBetter() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).margin(0.05)
                    .requireSignificance(0.05).bootstrap(300, 1).build();
            List<RetrainEvent> heard = new ArrayList<>();
            Retrainer retrainer = retrainer(registry, policy)
                    .heldOut(DigitsWorld.shifted(DigitsWorld.digits(1000, 400)))
                    .listener(heard::add)
                    .build();
            DriftMonitor monitor = DigitsWorld.monitor();
            LabeledData live = DigitsWorld.shifted(DigitsWorld.digits(0, 600));
            monitor.observe(DigitsWorld.batch(live));
            assertThat(retrainer.feedback(live)).isEmpty();

            List<RetrainEvent> events = retrainer.check(monitor);

            assertThat(events).extracting(e -> e.getClass().getSimpleName())
                    .containsExactly("Triggered", "Trained", "Compared", "Registered", "Promoted");
            assertThat(heard).isEqualTo(events);
            RetrainEvent.Compared compared = (RetrainEvent.Compared) events.get(2);
            assertThat(compared.examples()).isEqualTo(400);
            assertThat(compared.difference()).isGreaterThanOrEqualTo(0.05);
            assertThat(compared.mcnemar().pValue()).isLessThan(0.05);
            assertThat(compared.bootstrap().lower()).isGreaterThan(0);
            assertThat(((RetrainEvent.Trained) events.get(1)).examples()).isEqualTo(600);
            assertThat(registry.inStage(DigitsWorld.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(2);
            assertThat(retrainer.serving().version()).isEqualTo(2);
            // the new serving network answers the drifted world as well as the comparison said
            assertThat(retrainer.servingNetwork().predict(DigitsWorld.shifted(DigitsWorld.digits(1000, 400)))
                    .score(dev.attune.evaluation.Metrics.accuracy())).isEqualTo(compared.challengerAccuracy());

            List<AuditEntry> log = decisions(registry);
            assertThat(log).extracting(AuditEntry::action)
                    .containsExactly(AuditEntry.Action.REGISTER, AuditEntry.Action.PROMOTE);
            assertThat(log.get(0).why()).contains("triggered: drift at ALERT", "trained: 4 epochs on 600",
                    "compared on 400 held-out examples", String.format(java.util.Locale.ROOT, "challenger accuracy %.4f",
                            compared.challengerAccuracy()), "McNemar");
            assertThat(log.get(1).why()).startsWith("promoted over digits:1: held-out accuracy");
            assertThat(log.get(1).stage()).contains(Stage.PRODUCTION);
            assertThat(log.get(1).who()).isEqualTo(RetrainPolicy.DEFAULT_ACTOR);
        }
    }

    @Test
    void aWorseChallengerIsRejectedAndTheLogSaysWhyWithTheFigures() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            RetrainPolicy policy = RetrainPolicy.builder().onAccuracyBelow(0.99, 200).margin(0.02).bootstrap(300, 1)
                    .build();
            // a set-up that throws the trained head away and barely trains the new one
            Retrainer retrainer = retrainer(registry, policy)
                    .fineTuning(serving -> FineTuner.builder(serving).replaceHead(10).optimizer(Optimizer.sgd(1e-6))
                            .epochs(1).seed(3).build())
                    .build();
            assertThat(retrainer.feedback(DigitsWorld.digits(0, 500))).isEmpty();
            assertThat(retrainer.feedbackAccuracy().orElseThrow()).isLessThan(0.99);

            List<RetrainEvent> events = retrainer.check();

            assertThat(events).extracting(e -> e.getClass().getSimpleName())
                    .containsExactly("Triggered", "Trained", "Compared", "Registered", "Rejected");
            RetrainEvent.Compared compared = (RetrainEvent.Compared) events.get(2);
            assertThat(compared.examples()).isEqualTo(150); // the policy's 0.3 of the 500 recent examples
            assertThat(compared.difference()).isLessThan(0.02);
            assertThat(registry.inStage(DigitsWorld.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(1);
            assertThat(registry.version(DigitsWorld.MODEL, 2).stage()).contains(Stage.ARCHIVED);
            assertThat(retrainer.serving().version()).isEqualTo(1);

            List<AuditEntry> log = decisions(registry);
            assertThat(log).extracting(AuditEntry::action)
                    .containsExactly(AuditEntry.Action.REGISTER, AuditEntry.Action.PROMOTE);
            assertThat(log.get(0).why()).contains("triggered: feedback accuracy");
            assertThat(log.get(1).stage()).contains(Stage.ARCHIVED);
            assertThat(log.get(1).why()).startsWith("rejected: held-out accuracy").contains(
                    String.format(java.util.Locale.ROOT, "%.4f against the serving version's %.4f: difference %+.4f",
                            compared.challengerAccuracy(), compared.servingAccuracy(), compared.difference()),
                    "margin 0.0200");
        }
    }

    @Test
    void aChallengerBetterByTheMarginButNotSignificantlyIsRejectedWhenThePolicyAsksForSignificance() {
        // eight held-out examples: a large difference, but too few discordant examples for McNemar at 0.05
        LabeledData heldOut = DigitsWorld.shifted(DigitsWorld.digits(1000, 8));
        for (boolean significance : new boolean[] {true, false}) {
            try (ModelRegistry registry = DigitsWorld.registryServingBase(dir.resolve("significance-" + significance))) {
                RetrainPolicy.Builder b = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).margin(0.05).bootstrap(300, 1);
                RetrainPolicy policy = significance ? b.requireSignificance(0.05).build() : b.build();
                Retrainer retrainer = retrainer(registry, policy).heldOut(heldOut).build();
                DriftMonitor monitor = DigitsWorld.monitor();
                LabeledData live = DigitsWorld.shifted(DigitsWorld.digits(0, 600));
                monitor.observe(DigitsWorld.batch(live));
                retrainer.feedback(live);

                List<RetrainEvent> events = retrainer.check(monitor);

                RetrainEvent.Compared compared = (RetrainEvent.Compared) events.get(2);
                assertThat(compared.difference()).isGreaterThanOrEqualTo(0.05);
                assertThat(compared.mcnemar().pValue()).isGreaterThanOrEqualTo(0.05);
                if (significance) {
                    assertThat(events).last().isInstanceOf(RetrainEvent.Rejected.class);
                    assertThat(((RetrainEvent.Rejected) events.get(4)).reason()).contains("is not significant at alpha"
                            + " 0.0500: McNemar p = ", "(not below alpha)");
                    assertThat(registry.inStage(DigitsWorld.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(1);
                } else {
                    assertThat(events).last().isInstanceOf(RetrainEvent.Promoted.class);
                    assertThat(registry.inStage(DigitsWorld.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void aPromotionFollowedByDegradedLiveAccuracyIsRolledBack() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            Retrainer retrainer = promotedOnShiftedDigits(registry);
            assertThat(retrainer.watching().map(v -> v.version())).contains(2);

            // the promoted version meets a world whose labels moved: 150 of its 200 watched examples come first
            assertThat(retrainer.feedback(DigitsWorld.relabelled(DigitsWorld.shifted(DigitsWorld.digits(600, 150)))))
                    .isEmpty();
            List<RetrainEvent> events = retrainer.feedback(DigitsWorld.relabelled(DigitsWorld.shifted(
                    DigitsWorld.digits(750, 100))));

            assertThat(events).singleElement().isInstanceOf(RetrainEvent.RolledBack.class);
            RetrainEvent.RolledBack back = (RetrainEvent.RolledBack) events.get(0);
            assertThat(back.from()).isEqualTo(2);
            assertThat(back.restored().version()).isEqualTo(1);
            assertThat(back.examples()).isEqualTo(200);
            assertThat(back.accuracy()).isLessThan(0.6);
            assertThat(registry.inStage(DigitsWorld.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(1);
            assertThat(retrainer.serving().version()).isEqualTo(1);
            assertThat(retrainer.watching()).isEmpty();
            AuditEntry last = registry.auditLog(DigitsWorld.MODEL).get(registry.auditLog(DigitsWorld.MODEL).size() - 1);
            assertThat(last.action()).isEqualTo(AuditEntry.Action.ROLLBACK);
            assertThat(last.why()).startsWith("rolled back: live accuracy").contains(
                    String.format(java.util.Locale.ROOT, "%.4f on the 200 labelled examples after the promotion of digits:2",
                            back.accuracy()), "below the rollback threshold 0.6000");
        }
    }

    @Test
    void aPromotionWhoseLiveAccuracyHoldsStays() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            Retrainer retrainer = promotedOnShiftedDigits(registry);

            List<RetrainEvent> events = retrainer.feedback(DigitsWorld.shifted(DigitsWorld.digits(600, 200)));

            assertThat(events).singleElement().isInstanceOf(RetrainEvent.WatchPassed.class);
            assertThat(((RetrainEvent.WatchPassed) events.get(0)).accuracy()).isGreaterThanOrEqualTo(0.6);
            assertThat(registry.inStage(DigitsWorld.MODEL, Stage.PRODUCTION).orElseThrow().version()).isEqualTo(2);
        }
    }

    @Test
    void noTriggerNoTraining() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).onAccuracyBelow(0.5, 200).build();
            AtomicInteger fineTunings = new AtomicInteger();
            Retrainer retrainer = retrainer(registry, policy).fineTuning(serving -> {
                fineTunings.incrementAndGet();
                return adapt(serving);
            }).build();
            DriftMonitor monitor = DigitsWorld.monitor();
            LabeledData live = DigitsWorld.digits(0, 600);
            monitor.observe(DigitsWorld.batch(live));
            retrainer.feedback(live);
            assertThat(monitor.report().level()).as(monitor.report().toText()).isNotEqualTo(DriftLevel.ALERT);
            assertThat(retrainer.feedbackAccuracy().orElseThrow()).isGreaterThanOrEqualTo(0.5);

            assertThat(retrainer.check(monitor)).isEmpty();
            assertThat(retrainer.check()).isEmpty();

            assertThat(fineTunings).hasValue(0);
            assertThat(registry.versions(DigitsWorld.MODEL)).hasSize(1);
            assertThat(registry.auditLog(DigitsWorld.MODEL)).hasSize(2);
            assertThat(retrainer.serving().version()).isEqualTo(1);
        }
    }

    @Test
    void aTriggerWithTooFewLabelledExamplesTrainsNothing() {
        try (ModelRegistry registry = DigitsWorld.registryServingBase(dir)) {
            RetrainPolicy policy = RetrainPolicy.builder().onDrift(DriftLevel.ALERT).trainOnRecent(2000, 100).build();
            Retrainer retrainer = retrainer(registry, policy).build();
            DriftMonitor monitor = DigitsWorld.monitor();
            monitor.observe(DigitsWorld.batch(DigitsWorld.shifted(DigitsWorld.digits(0, 300))));
            retrainer.feedback(DigitsWorld.shifted(DigitsWorld.digits(0, 50)));

            List<RetrainEvent> events = retrainer.check(monitor);

            assertThat(events).singleElement().isInstanceOf(RetrainEvent.Deferred.class);
            assertThat(((RetrainEvent.Deferred) events.get(0)).available()).isEqualTo(50);
            assertThat(registry.versions(DigitsWorld.MODEL)).hasSize(1);
            assertThat(retrainer.watching()).isEqualTo(Optional.empty());
        }
    }
}
