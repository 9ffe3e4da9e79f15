package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.evaluation.ConfidenceInterval;
import dev.attune.evaluation.LatencyReport;
import dev.attune.internal.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text jobs' results file, built from fixed rows (no training), written as the jobs write it and
 * read back through {@link Json}: every printed figure is in it.
 */
class TextJobResultsTest {
    static final String MERGED = "LoRA merged (plain encoder)";
    static final String UNMERGED = "LoRA unmerged (adapter path)";

    static TextJobResults.FourModels fixed() {
        List<TextJobResults.ModelRow> rows = List.of(
                new TextJobResults.ModelRow("nearest class centroid, frozen encoder",
                        new ConfidenceInterval("accuracy", 0.91, 0.861, 0.951, 0.95, 1000),
                        new ConfidenceInterval("f1_macro", 0.908, 0.854, 0.95, 0.95, 1000), 0, null, 7.9),
                new TextJobResults.ModelRow("full fine-tuning",
                        new ConfidenceInterval("accuracy", 0.958, 0.924, 0.986, 0.95, 1000),
                        new ConfidenceInterval("f1_macro", 0.959, 0.921, 0.987, 0.95, 1000), 22_569_996L, 4, 63.6));
        List<TextJobResults.Epoch> epochs = List.of(new TextJobResults.Epoch("LoRA", 1, 1.234, 13.0, 1.5),
                new TextJobResults.Epoch("full fine-tuning", 4, 0.125, 70.5, 1.8));
        LatencyReport latency = new LatencyReport(List.of(
                new LatencyReport.Row(MERGED, 1, 44_800, 82_300, 90_000, 20.5),
                new LatencyReport.Row(UNMERGED, 1, 45_000, 97_800, 99_000, 19.25)),
                Map.of(MERGED + "/" + MERGED + "@1", 1.0, UNMERGED + "/" + MERGED + "@1", 1.062,
                        MERGED + "/" + UNMERGED + "@1", 0.94),
                5, 30, "CpuBackend", 2, "OMP_NUM_THREADS=2");
        return new TextJobResults.FourModels(rows, epochs, 8.9e-7, latency);
    }

    @Test
    void everyFigureOfTheFourModelsRoundTripsThroughTheWrittenFile(@TempDir Path dir) throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("train", 504);
        data.put("trainTruncated", 3);
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("threadSettings", "OMP_NUM_THREADS=2");
        environment.put("javaVersion", "17.0.9");
        environment.put("loadAverageBefore", RunEnvironment.parseLoadAverage("1.50 1.60 1.70 2/300 42"));
        environment.put("loadAverageAfter", RunEnvironment.parseLoadAverage("1.80 1.65 1.72 1/301 43"));
        Path file = dir.resolve("intent-fine-tuning").resolve("results.json");

        RunEnvironment.write(file, TextJobResults.json("intent-fine-tuning", data,
                IntentFineTuningJob.protocol(32, 60, 3, 4), environment, fixed()));

        Map<String, Object> json = map(Json.parse(Files.readString(file), 16, Json.Numbers.LONGS_WHEN_INTEGRAL));
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("results.json");
        }
        assertThat(json.keySet()).containsExactly("job", "data", "protocol", "environment", "models", "epochs",
                "loraUnmergedVsMergedMaxAbsDifference", "latency");
        assertThat(json.get("job")).isEqualTo("intent-fine-tuning");
        assertThat(map(json.get("data"))).containsEntry("train", 504L).containsEntry("trainTruncated", 3L);
        Map<String, Object> env = map(json.get("environment"));
        assertThat(env).containsEntry("threadSettings", "OMP_NUM_THREADS=2").containsEntry("javaVersion", "17.0.9");
        assertThat(map(env.get("loadAverageBefore"))).containsEntry("1min", 1.5).containsEntry("5min", 1.6)
                .containsEntry("15min", 1.7);
        assertThat(map(env.get("loadAverageAfter"))).containsEntry("1min", 1.8);
        Map<String, Object> protocol = map(json.get("protocol"));
        assertThat(protocol).containsEntry("maxLength", 32L).containsEntry("seed", 1L);
        assertThat((String) protocol.get("headOnly")).contains("60 epochs");
        assertThat((String) protocol.get("lora")).contains("3 epochs");
        assertThat((String) protocol.get("full")).contains("4 epochs");
        assertThat((String) protocol.get("bootstrap")).contains("1000 resamples");
        assertThat((String) protocol.get("latency")).contains("5 warm-up and 30 measured");

        List<?> models = (List<?>) json.get("models");
        assertThat(models).hasSize(2);
        Map<String, Object> centroid = map(models.get(0));
        assertThat(centroid.keySet()).containsExactly("model", "accuracy", "f1Macro", "trainableParams", "epochs",
                "trainSeconds");
        assertThat(centroid).containsEntry("model", "nearest class centroid, frozen encoder")
                .containsEntry("trainableParams", 0L).containsEntry("epochs", null).containsEntry("trainSeconds", 7.9);
        Map<String, Object> full = map(models.get(1));
        assertThat(full).containsEntry("trainableParams", 22_569_996L).containsEntry("epochs", 4L)
                .containsEntry("trainSeconds", 63.6);
        assertThat(map(full.get("accuracy"))).containsEntry("metric", "accuracy").containsEntry("estimate", 0.958)
                .containsEntry("lower", 0.924).containsEntry("upper", 0.986).containsEntry("level", 0.95)
                .containsEntry("resamples", 1000L);
        assertThat(map(full.get("f1Macro"))).containsEntry("metric", "f1_macro").containsEntry("estimate", 0.959)
                .containsEntry("lower", 0.921).containsEntry("upper", 0.987);

        List<?> epochs = (List<?>) json.get("epochs");
        assertThat(map(epochs.get(1))).containsEntry("model", "full fine-tuning").containsEntry("epoch", 4L)
                .containsEntry("trainLoss", 0.125).containsEntry("secondsSinceStart", 70.5).containsEntry("loadAverage", 1.8);
        assertThat(json.get("loraUnmergedVsMergedMaxAbsDifference")).isEqualTo(8.9e-7);

        Map<String, Object> latency = map(json.get("latency"));
        assertThat(latency).containsEntry("warmupCalls", 5L).containsEntry("measuredCalls", 30L)
                .containsEntry("backend", "CpuBackend").containsEntry("cores", 2L).containsEntry("threads", "OMP_NUM_THREADS=2");
        assertThat((String) latency.get("conditions")).contains("5 warm-up and 30 measured calls");
        Map<String, Object> unmerged = map(((List<?>) latency.get("rows")).get(1));
        assertThat(unmerged).containsEntry("model", UNMERGED).containsEntry("batch", 1L).containsEntry("p50Micros", 45_000.0)
                .containsEntry("p95Micros", 97_800.0).containsEntry("p99Micros", 99_000.0)
                .containsEntry("examplesPerSecond", 19.25).containsEntry("timeRatioTo", MERGED)
                .containsEntry("timeRatio", 1.062);
    }

    @Test
    void theJobsWriteTheirResultsWithThisRunsEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("food-review-fine-tuning").resolve("results.json");
        Map<String, Object> before = RunEnvironment.parseLoadAverage("0.25 0.5 0.75 1/1 1");

        IntentFineTuningJob.writeResults(file, "food-review-fine-tuning", Map.of("train", 1000),
                IntentFineTuningJob.protocol(64, 30, 4, 2), before, fixed());

        Map<String, Object> json = map(Json.parse(Files.readString(file), 16));
        assertThat(json).containsEntry("job", "food-review-fine-tuning");
        assertThat(map(json.get("protocol"))).containsEntry("maxLength", 64.0);
        Map<String, Object> env = map(json.get("environment"));
        assertThat(env).containsEntry("javaVersion", System.getProperty("java.version"))
                .containsEntry("threadSettings", BaseModels.threadSettings()).containsKey("nativeBlas");
        assertThat(map(env.get("loadAverageBefore"))).containsEntry("1min", 0.25);
        assertThat(map(env.get("loadAverageAfter"))).containsKeys("source", "1min");
        assertThat((List<?>) json.get("models")).hasSize(2);
    }

    @Test
    void theTableCellsAreTheFiguresOfTheRow() {
        assertThat(fixed().rows().get(0).cells()).containsExactly("nearest class centroid, frozen encoder",
                "0.910 [0.861, 0.951]", "0.908 [0.854, 0.950]", "0", "-", "7.9");
        assertThat(fixed().rows().get(1).cells()).containsExactly("full fine-tuning", "0.958 [0.924, 0.986]",
                "0.959 [0.921, 0.987]", "22,569,996", "4", "63.6");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
