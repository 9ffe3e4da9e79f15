package dev.attune.evaluation;

import java.util.List;
import java.util.Map;

/** A hand-made latency report of two models at one batch size, for the report tests. */
final class LatencyReportFixture {
    private LatencyReportFixture() {
    }

    static LatencyReport report() {
        return new LatencyReport(
                List.of(new LatencyReport.Row("base", 8, 100.0, 120.0, 130.0, 80000.0),
                        new LatencyReport.Row("lora <merged>", 8, 50.0, 60.0, 65.0, 160000.0)),
                Map.of(LatencyReport.key("base", "base", 8), 1.0, LatencyReport.key("lora <merged>", "base", 8), 0.5,
                        LatencyReport.key("base", "lora <merged>", 8), 2.0,
                        LatencyReport.key("lora <merged>", "lora <merged>", 8), 1.0),
                5, 50, "CpuBackend (threads=2)", 2, "OMP_NUM_THREADS=2");
    }
}
