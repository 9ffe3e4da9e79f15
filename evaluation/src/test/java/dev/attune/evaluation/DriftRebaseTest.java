package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A monitor rebased onto a new model's reference: the window empties, the thresholds stay, the schema must fit. */
class DriftRebaseTest {
    private static final List<String> NAMES = List.of("age", "income");

    private static double[][] rows(int n, double incomeShift, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {40 + 10 * random.nextGaussian(), 3000 + incomeShift + 500 * random.nextGaussian()};
        }
        return rows;
    }

    private static DriftLevel levelOn(DriftMonitor monitor, double[][] rows) {
        monitor.observe(DriftBatch.features(NAMES, rows));
        DriftLevel level = monitor.report().level();
        monitor.clear();
        return level;
    }

    @Test
    void aRebasedMonitorComparesWithTheNewReferenceFromAnEmptyWindow() {
        DriftReference old = DriftReference.builder().features(NAMES, rows(2000, 0, 1)).build();
        DriftReference moved = DriftReference.builder().features(NAMES, rows(2000, 1000, 2)).build();
        DriftMonitor monitor = DriftMonitor.builder(old).window(500).psi(0.1, 0.25).fixedWindows().build();
        monitor.observe(DriftBatch.features(NAMES, rows(500, 1000, 3)));
        assertThat(monitor.latest().orElseThrow().level()).isEqualTo(DriftLevel.ALERT);
        monitor.observe(DriftBatch.features(NAMES, rows(100, 1000, 4)));

        monitor.rebase(moved);

        assertThat(monitor.reference()).isSameAs(moved);
        assertThat(monitor.size()).isZero();
        assertThat(monitor.latest()).isEmpty();
        assertThat(monitor.windowsClosed()).isZero();
        assertThat(monitor.window()).isEqualTo(500);
        assertThat(monitor.fixedWindows()).isTrue();
        monitor.observe(DriftBatch.features(NAMES, rows(500, 1000, 5)));
        assertThat(monitor.latest().orElseThrow().level()).isEqualTo(DriftLevel.OK);
        DriftMonitor sliding = DriftMonitor.builder(moved).window(500).build();
        assertThat(levelOn(sliding, rows(500, 0, 6))).isEqualTo(DriftLevel.ALERT);
        sliding.rebase(old);
        assertThat(levelOn(sliding, rows(500, 0, 6))).isEqualTo(DriftLevel.OK);
    }

    @Test
    void aReferenceOfAnotherSchemaIsRefusedAndTheMonitorIsUnchanged() {
        DriftReference reference = DriftReference.builder().features(NAMES, rows(500, 0, 1)).build();
        DriftMonitor monitor = DriftMonitor.builder(reference).window(100).build();
        monitor.observe(DriftBatch.features(NAMES, rows(50, 0, 2)));
        DriftReference other = DriftReference.builder().features(List.of("age", "debt"), rows(500, 0, 3)).build();
        assertThat(reference.sameSchema(other)).isFalse();
        assertThat(reference.sameSchema(DriftReference.builder().features(NAMES, rows(10, 5, 4)).build())).isTrue();

        assertThatThrownBy(() -> monitor.rebase(other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot rebase the drift monitor of DriftReference[2 features of 500 rows] [age, income] onto"
                        + " DriftReference[2 features of 500 rows] [age, debt]: the rows it observes would not fit; build"
                        + " the new reference of the same features, embeddings and predictions, or make a new monitor");
        assertThat(monitor.reference()).isSameAs(reference);
        assertThat(monitor.size()).isEqualTo(50);
        DriftReference withPredictions = DriftReference.builder().features(NAMES, rows(500, 0, 1))
                .predictions(new double[][] {{0.2, 0.8}, {0.9, 0.1}}).build();
        assertThatThrownBy(() -> monitor.rebase(withPredictions)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predictions of 2 classes");
    }
}
