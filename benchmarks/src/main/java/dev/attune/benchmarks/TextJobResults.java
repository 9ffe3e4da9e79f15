package dev.attune.benchmarks;

import dev.attune.evaluation.ConfidenceInterval;
import dev.attune.evaluation.LatencyReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of a text job's four models ({@link IntentFineTuningJob#fourModels}) and the
 * {@code results.json} built from them: each model's accuracy and macro-F1 with their bootstrap
 * intervals, trainable parameters, epochs and training time, each epoch's loss, the largest difference
 * of the LoRA model unmerged against merged, and the inference latency.
 */
final class TextJobResults {
    private TextJobResults() {
    }

    /**
     * One model's row of the table.
     *
     * @param epochs null for a model that does not train (printed as "-")
     */
    record ModelRow(String model, ConfidenceInterval accuracy, ConfidenceInterval f1Macro, long trainableParams,
                    Integer epochs, double trainSeconds) {
        /** The printed cells: model, accuracy and macro-F1 with intervals, trainable, epochs, time. */
        String[] cells() {
            return new String[] {model, interval(accuracy), interval(f1Macro), String.format(Locale.ROOT, "%,d", trainableParams),
                epochs == null ? "-" : epochs.toString(), String.format(Locale.ROOT, "%.1f", trainSeconds)};
        }
    }

    /** One training epoch as the job prints it. */
    record Epoch(String model, int epoch, double trainLoss, double secondsSinceStart, double loadAverage) {
    }

    /** What the four models gave. */
    record FourModels(List<ModelRow> rows, List<Epoch> epochs, double unmergedVsMerged, LatencyReport latency) {
        FourModels {
            rows = List.copyOf(rows);
            epochs = List.copyOf(epochs);
        }
    }

    /** {@code 0.931 [0.889, 0.972]}. */
    static String interval(ConfidenceInterval ci) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", ci.estimate(), ci.lower(), ci.upper());
    }

    /**
     * The results file's content: job, data, protocol, environment, then the models, epochs, the LoRA
     * gap and the latency.
     */
    static Map<String, Object> json(String job, Map<String, Object> data, Map<String, Object> protocol,
                                    Map<String, Object> environment, FourModels result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", job);
        m.put("data", data);
        m.put("protocol", protocol);
        m.put("environment", environment);
        List<Object> models = new ArrayList<>();
        result.rows().forEach(r -> models.add(row(r)));
        m.put("models", models);
        List<Object> epochs = new ArrayList<>();
        for (Epoch e : result.epochs()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("model", e.model());
            x.put("epoch", e.epoch());
            x.put("trainLoss", e.trainLoss());
            x.put("secondsSinceStart", e.secondsSinceStart());
            x.put("loadAverage", e.loadAverage());
            epochs.add(x);
        }
        m.put("epochs", epochs);
        m.put("loraUnmergedVsMergedMaxAbsDifference", result.unmergedVsMerged());
        m.put("latency", latency(result.latency()));
        return m;
    }

    static Map<String, Object> row(ModelRow r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", r.model());
        m.put("accuracy", interval(r.accuracy(), true));
        m.put("f1Macro", interval(r.f1Macro(), true));
        m.put("trainableParams", r.trainableParams());
        m.put("epochs", r.epochs());
        m.put("trainSeconds", r.trainSeconds());
        return m;
    }

    /** A bootstrap interval: estimate, lower, upper, level and resamples (with the metric's name when asked). */
    static Map<String, Object> interval(ConfidenceInterval ci, boolean withMetric) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (withMetric) {
            m.put("metric", ci.metric());
        }
        m.put("estimate", ci.estimate());
        m.put("lower", ci.lower());
        m.put("upper", ci.upper());
        m.put("level", ci.level());
        m.put("resamples", ci.resamples());
        return m;
    }

    /** The latency report: its conditions and one entry per model and batch, with the time ratio to the first model. */
    static Map<String, Object> latency(LatencyReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conditions", report.conditions());
        m.put("warmupCalls", report.warmup());
        m.put("measuredCalls", report.calls());
        m.put("backend", report.backend());
        m.put("cores", report.cores());
        m.put("threads", report.threads());
        String first = report.rows().get(0).model();
        List<Object> rows = new ArrayList<>();
        for (LatencyReport.Row r : report.rows()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("model", r.model());
            x.put("batch", r.batch());
            x.put("p50Micros", r.p50());
            x.put("p95Micros", r.p95());
            x.put("p99Micros", r.p99());
            x.put("examplesPerSecond", r.examplesPerSecond());
            x.put("timeRatioTo", first);
            x.put("timeRatio", report.ratio(r.model(), first, r.batch()));
            rows.add(x);
        }
        m.put("rows", rows);
        return m;
    }
}
