package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.evaluation.RobustnessReport;
import dev.attune.evaluation.RobustnessReport.Row;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuickstartRobustnessTableTest {
    private static RobustnessReport report(double clean, double noisy) {
        return new RobustnessReport(List.of(
                new Row(RobustnessReport.CLEAN, Double.NaN, "accuracy", clean, 0),
                new Row(RobustnessReport.CLEAN, Double.NaN, "f1_macro", 0.5, 0),
                new Row("gaussian_noise", 0.3, "accuracy", noisy, clean - noisy),
                new Row("gaussian_noise", 0.3, "f1_macro", 0.4, 0.1)), 1);
    }

    @Test
    void oneAccuracyColumnPerModelWithTheChangeAgainstClean() {
        Map<String, RobustnessReport> reports = new LinkedHashMap<>();
        reports.put("full", report(0.95, 0.90));
        reports.put("scratch", report(0.93, 0.80));
        assertThat(Quickstart.robustnessTable(reports)).isEqualTo("""
                | perturbation | strength | full | scratch |
                |---|---:|---:|---:|
                | clean | - | 0.950 | 0.930 |
                | gaussian_noise | 0.3 | 0.900 (-0.050) | 0.800 (-0.130) |
                """);
    }
}
