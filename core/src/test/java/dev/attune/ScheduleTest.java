package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The schedules' multipliers, by hand. */
class ScheduleTest {
    private static double[] all(Schedule s, int total) {
        double[] m = new double[total];
        for (int t = 0; t < total; t++) {
            m[t] = s.multiplier(t, total);
        }
        return m;
    }

    @Test
    void constantLinearAndCosineRunFromOneToTheirEndAtTheLastStep() {
        assertThat(all(Schedule.constant(), 4)).containsExactly(1, 1, 1, 1);
        assertThat(all(Schedule.linear(), 5)).containsExactly(new double[] {1, 0.75, 0.5, 0.25, 0}, within(1e-12));
        assertThat(all(Schedule.cosine(), 5)).containsExactly(new double[] {1, 0.5 * (1 + Math.cos(Math.PI / 4)), 0.5,
                0.5 * (1 + Math.cos(3 * Math.PI / 4)), 0}, within(1e-12));
        // A single step: nothing to fall over.
        assertThat(all(Schedule.linear(), 1)).containsExactly(1);
    }

    @Test
    void warmUpRisesLinearlyFromZeroThenTheScheduleRunsOverTheRest() {
        // 4 warm-up steps: 0, 1/4, 2/4, 3/4; then linear over steps 4..8: 1, 3/4, 1/2, 1/4, 0.
        assertThat(all(Schedule.linear().withWarmup(4), 9)).containsExactly(
                new double[] {0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0}, within(1e-12));
        assertThat(all(Schedule.constant().withWarmup(2), 3)).containsExactly(0, 0.5, 1);
        // A warm-up as long as the run is all warm-up.
        assertThat(all(Schedule.cosine().withWarmup(4), 4)).containsExactly(0, 0.25, 0.5, 0.75);
    }

    @Test
    void cosineWithRestartsStartsEachCycleAtOne() {
        // 2 cycles over steps 0..8 (progress t / 8): cycle positions 0, 1/4, 1/2, 3/4, then 0 again at t = 4.
        double[] m = all(Schedule.cosineWithRestarts(2), 9);
        assertThat(m[0]).isEqualTo(1);
        assertThat(m[2]).isCloseTo(0.5, within(1e-12));
        assertThat(m[4]).isEqualTo(1);
        assertThat(m[6]).isCloseTo(0.5, within(1e-12));
        assertThat(m[7]).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.75)), within(1e-12));
        assertThat(m[8]).isZero();
    }

    @Test
    void stepDecayMultipliesEveryNSteps() {
        assertThat(all(Schedule.stepDecay(2, 0.5), 6)).containsExactly(1, 1, 0.5, 0.5, 0.25, 0.25);
        assertThat(all(Schedule.stepDecay(2, 0.5).withWarmup(2), 5)).containsExactly(0, 0.5, 1, 1, 0.5);
    }

    @Test
    void schedulesReadAsTheCodeThatMakesThem() {
        assertThat(Schedule.cosine().withWarmup(100)).hasToString("cosine().withWarmup(100)");
        assertThat(Schedule.stepDecay(10, 0.5)).hasToString("stepDecay(10, 0.5)");
        assertThat(Schedule.cosineWithRestarts(3)).isEqualTo(Schedule.cosineWithRestarts(3))
                .isNotEqualTo(Schedule.cosineWithRestarts(2));
    }
}
