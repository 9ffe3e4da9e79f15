package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Fixed (tumbling) windows beside sliding ones, the latest report, and a reference read from JSON text. */
class DriftWindowsTest {
    private static final List<String> NAMES = List.of("age", "income");

    private static double[][] rows(int n, double incomeShift, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {40 + 10 * random.nextGaussian(), 3000 + incomeShift + 500 * random.nextGaussian()};
        }
        return rows;
    }

    private static DriftReference reference() {
        return DriftReference.builder().features(NAMES, rows(2000, 0, 1)).build();
    }

    /** What a sliding monitor reports on exactly these rows. */
    private static DriftReport slidingReportOf(DriftReference reference, double[][] rows) {
        DriftMonitor m = DriftMonitor.builder(reference).window(rows.length).build();
        m.observe(DriftBatch.features(NAMES, rows));
        return m.report();
    }

    @Test
    void aFixedWindowIsReportedOnceWhenItFillsAndTheNextStartsEmpty() {
        DriftReference reference = reference();
        DriftMonitor monitor = DriftMonitor.builder(reference).window(100).fixedWindows().build();
        assertThat(monitor.fixedWindows()).isTrue();
        double[][] calm = rows(100, 0, 2);
        monitor.observe(DriftBatch.features(NAMES, Arrays.copyOfRange(calm, 0, 60)));
        assertThat(monitor.latest()).isEmpty();
        assertThat(monitor.size()).isEqualTo(60);
        assertThat(monitor.report().rows()).isEqualTo(60);              // the window still filling

        monitor.observe(DriftBatch.features(NAMES, Arrays.copyOfRange(calm, 60, 100)));
        assertThat(monitor.windowsClosed()).isEqualTo(1);
        assertThat(monitor.size()).isZero();
        DriftReport first = monitor.latest().orElseThrow();
        assertThat(first.rows()).isEqualTo(100);
        assertThat(first.toText()).isEqualTo(slidingReportOf(reference, calm).toText());

        double[][] moved = rows(250, 1000, 3);                          // one batch fills two windows and starts a third
        monitor.observe(DriftBatch.features(NAMES, moved));
        assertThat(monitor.windowsClosed()).isEqualTo(3);
        assertThat(monitor.size()).isEqualTo(50);
        DriftReport third = monitor.latest().orElseThrow();
        assertThat(third.toText()).isEqualTo(slidingReportOf(reference, Arrays.copyOfRange(moved, 100, 200)).toText());
        assertThat(third.feature("income").psiLevel()).isEqualTo(DriftLevel.ALERT);

        monitor.clear();
        assertThat(monitor.latest()).isEmpty();
        assertThat(monitor.windowsClosed()).isZero();
        assertThat(monitor.size()).isZero();
    }

    @Test
    void aSlidingWindowsLatestReportIsThatOfItsRowsNow() {
        DriftReference reference = reference();
        DriftMonitor monitor = DriftMonitor.builder(reference).window(100).build();
        assertThat(monitor.fixedWindows()).isFalse();
        assertThat(monitor.latest()).isEmpty();
        double[][] moved = rows(150, 1000, 4);
        monitor.observe(DriftBatch.features(NAMES, moved));
        assertThat(monitor.windowsClosed()).isZero();
        assertThat(monitor.latest().orElseThrow().toText()).isEqualTo(monitor.report().toText())
                .isEqualTo(slidingReportOf(reference, Arrays.copyOfRange(moved, 50, 150)).toText());
    }

    @Test
    void aReferenceReadsBackFromItsJsonTextAndAnotherSchemaIsRefusedNamingTheSource() {
        DriftReference reference = reference();
        String json = reference.toJson();
        assertThat(DriftReference.fromJson(json, "credit.attune!drift/reference.json").toJson()).isEqualTo(json);
        String foreign = json.replace(DriftReference.SCHEMA, "attune-evaluation/4");
        assertThatThrownBy(() -> DriftReference.fromJson(foreign, "credit.attune!drift/reference.json"))
                .isInstanceOf(AttuneException.class)
                .hasMessage("drift reference credit.attune!drift/reference.json is not a drift reference: its schema is"
                        + " 'attune-evaluation/4', not attune-drift-reference/1; give a file written by"
                        + " DriftReference.write");
    }
}
