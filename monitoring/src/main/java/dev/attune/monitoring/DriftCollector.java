package dev.attune.monitoring;

import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReport;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The drift gauges of every watched {@link DriftMonitor}: at each scrape, each monitor's
 * {@link DriftMonitor#latest() latest report} is read once and exported whole, so the gauges of one
 * scrape all describe the same report. A monitor without a report yet exports nothing.
 */
final class DriftCollector implements MultiCollector {
    static final String FEATURE_PSI = "attune_drift_feature_psi";
    static final String FEATURE_KS = "attune_drift_feature_ks_statistic";
    static final String FEATURE_KS_P = "attune_drift_feature_ks_p_value";
    static final String EMBEDDING_SHIFT = "attune_drift_embedding_shift";
    static final String PREDICTION_PSI = "attune_drift_prediction_psi";
    static final String MEAN_CONFIDENCE = "attune_drift_mean_confidence";
    static final String REFERENCE_MEAN_CONFIDENCE = "attune_drift_reference_mean_confidence";
    static final String LEVEL = "attune_drift_level";
    static final String ROWS = "attune_drift_window_rows";

    private static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        HELP.put(FEATURE_PSI, "Population Stability Index of a feature in the latest drift window against the reference");
        HELP.put(FEATURE_KS, "Kolmogorov-Smirnov statistic of a feature in the latest drift window against the reference");
        HELP.put(FEATURE_KS_P, "Kolmogorov-Smirnov p-value of a feature in the latest drift window (lower is worse)");
        HELP.put(EMBEDDING_SHIFT, "Shift of the mean embedding in units of the reference's spread");
        HELP.put(PREDICTION_PSI, "Population Stability Index of the predicted classes against the reference");
        HELP.put(MEAN_CONFIDENCE, "Mean largest class probability in the latest drift window");
        HELP.put(REFERENCE_MEAN_CONFIDENCE, "Mean largest class probability of the drift reference");
        HELP.put(LEVEL, "Worst drift level of the latest window: 0 ok, 1 warn, 2 alert");
        HELP.put(ROWS, "Rows in the latest drift report's window");
    }

    /** The watched monitors by model and version. */
    private final Map<List<String>, DriftMonitor> monitors = new ConcurrentHashMap<>();

    /** Watches the monitor under these labels; false when they are taken. */
    boolean watch(String model, String version, DriftMonitor monitor) {
        return monitors.putIfAbsent(List.of(model, version), monitor) == null;
    }

    void unwatch(String model, String version, DriftMonitor monitor) {
        monitors.remove(List.of(model, version), monitor);
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, List<GaugeDataPointSnapshot>> points = new LinkedHashMap<>();
        HELP.keySet().forEach(n -> points.put(n, new ArrayList<>()));
        monitors.forEach((key, monitor) -> {
            DriftReport r;
            try {
                r = monitor.latest().orElse(null);
            } catch (RuntimeException e) {
                r = null;       // a report that cannot be made now is left out of this scrape, not the others
            }
            if (r == null) {
                return;
            }
            String model = key.get(0);
            String version = key.get(1);
            Labels labels = Labels.of("model", model, "version", version);
            for (DriftReport.FeatureDrift f : r.features()) {
                Labels fl = Labels.of("feature", f.name(), "model", model, "version", version);
                points.get(FEATURE_PSI).add(point(f.psi(), fl));
                points.get(FEATURE_KS).add(point(f.ks().statistic(), fl));
                points.get(FEATURE_KS_P).add(point(f.ks().pValue(), fl));
            }
            r.embeddings().ifPresent(e -> points.get(EMBEDDING_SHIFT).add(point(e.shift(), labels)));
            r.predictions().ifPresent(p -> {
                points.get(PREDICTION_PSI).add(point(p.psi(), labels));
                points.get(MEAN_CONFIDENCE).add(point(p.currentMeanConfidence(), labels));
                points.get(REFERENCE_MEAN_CONFIDENCE).add(point(p.referenceMeanConfidence(), labels));
            });
            points.get(LEVEL).add(point(r.level().ordinal(), labels));
            points.get(ROWS).add(point(r.rows(), labels));
        });
        List<MetricSnapshot> snapshots = new ArrayList<>();
        points.forEach((name, list) -> {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(HELP.get(name));
            list.forEach(b::dataPoint);
            snapshots.add(b.build());
        });
        return new MetricSnapshots(snapshots);
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.copyOf(HELP.keySet());
    }

    private static GaugeDataPointSnapshot point(double value, Labels labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }
}
