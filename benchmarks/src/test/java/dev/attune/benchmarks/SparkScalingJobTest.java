package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The spark-scaling job's table: one row per run, Spark's figures only where Spark ran. */
class SparkScalingJobTest {
    @Test
    void theTableShowsSparksFiguresOnlyForSparkRuns() {
        String table = SparkScalingJob.table(List.of(
                new SparkScalingJob.Run("full", "FineTuner.fit", 0, 0.95, 73, 137, 80202, 0, 0, 434.4, Double.NaN,
                        Double.NaN, 0),
                new SparkScalingJob.Run("full", "spark", 2, 0.95, 78, 128, 80202, 1283232, 100825, 390.2, 308, 82.2,
                        4.08e-6)));
        assertThat(table.lines()).containsExactly(
                "| mode | where | test accuracy | examples/s | trained values | bytes exchanged per step | ms per step"
                        + " | of which Spark | largest weight difference to one machine |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|",
                "| full | FineTuner.fit | 0.9500 | 73 | 80202 | - | 434.4 | - | - |",
                "| full | Spark, 2 tasks | 0.9500 | 78 | 80202 | 1283232 | 390.2 | 82.2 | 4.1e-06 |");
    }
}
