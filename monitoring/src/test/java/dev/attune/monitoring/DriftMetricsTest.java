package dev.attune.monitoring;

import static dev.attune.monitoring.Scrape.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.evaluation.DriftBatch;
import dev.attune.evaluation.DriftLevel;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.evaluation.DriftReport;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftMetricsTest {
    private static final List<String> NAMES = List.of("age", "income");

    /** Rows of age, income (shifted by {@code shift}), a 3-d embedding (moved by {@code shift / 1000}) and 2-class probabilities. */
    private static DriftBatch batch(int n, double shift, long seed) {
        Random r = new Random(seed);
        double[][] rows = new double[n][];
        double[][] emb = new double[n][];
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {40 + 10 * r.nextGaussian(), 3000 + shift + 500 * r.nextGaussian()};
            emb[i] = new double[] {r.nextGaussian() + shift / 1000, r.nextGaussian(), r.nextGaussian()};
            double c = 0.6 + 0.3 * r.nextDouble();
            p[i] = i % (shift > 0 ? 4 : 2) == 0 ? new double[] {1 - c, c} : new double[] {c, 1 - c};
        }
        return DriftBatch.features(NAMES, rows).withEmbeddings(emb).withProbabilities(p);
    }

    private static DriftReference reference() {
        Random r = new Random(1);
        double[][] rows = new double[1000][];
        double[][] emb = new double[1000][];
        double[][] p = new double[1000][];
        for (int i = 0; i < 1000; i++) {
            rows[i] = new double[] {40 + 10 * r.nextGaussian(), 3000 + 500 * r.nextGaussian()};
            emb[i] = new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
            double c = 0.6 + 0.3 * r.nextDouble();
            p[i] = i % 2 == 0 ? new double[] {1 - c, c} : new double[] {c, 1 - c};
        }
        return DriftReference.builder().features(NAMES, rows).embeddings(emb).predictions(p).build();
    }

    private static String labelled(String name) {
        return key(name, "model", "credit", "version", "3");
    }

    @Test
    void theLatestFixedWindowsReportIsExportedWholeOnceItFills() throws Exception {
        DriftMonitor monitor = DriftMonitor.builder(reference()).window(200).fixedWindows().build();
        try (ServingMetrics metrics = ServingMetrics.create()) {
            MetricsEndpoint endpoint = metrics.serve(0);
            ServingMetrics.Registration watch = metrics.watchDrift("credit", "3", monitor);
            monitor.observe(batch(150, 1500, 2));
            assertThat(Scrape.series(endpoint.url())).doesNotContainKey(labelled("attune_drift_level"));

            monitor.observe(batch(100, 1500, 3));                       // fills the first window of 200
            DriftReport report = monitor.latest().orElseThrow();
            Map<String, Double> s = Scrape.series(endpoint.url());
            for (String f : NAMES) {
                String[] l = {"feature", f, "model", "credit", "version", "3"};
                assertThat(s.get(key("attune_drift_feature_psi", l))).isCloseTo(report.feature(f).psi(), within(1e-9));
                assertThat(s.get(key("attune_drift_feature_ks_statistic", l)))
                        .isCloseTo(report.feature(f).ks().statistic(), within(1e-9));
                assertThat(s.get(key("attune_drift_feature_ks_p_value", l)))
                        .isCloseTo(report.feature(f).ks().pValue(), within(1e-9));
            }
            assertThat(s.get(labelled("attune_drift_embedding_shift")))
                    .isCloseTo(report.embeddings().orElseThrow().shift(), within(1e-9)).isGreaterThan(0);
            DriftReport.PredictionDrift p = report.predictions().orElseThrow();
            assertThat(s.get(labelled("attune_drift_prediction_psi"))).isCloseTo(p.psi(), within(1e-9));
            assertThat(s.get(labelled("attune_drift_mean_confidence")))
                    .isCloseTo(p.currentMeanConfidence(), within(1e-9));
            assertThat(s.get(labelled("attune_drift_reference_mean_confidence")))
                    .isCloseTo(p.referenceMeanConfidence(), within(1e-9));
            assertThat(report.level()).isEqualTo(DriftLevel.ALERT);
            assertThat(s.get(labelled("attune_drift_level"))).isEqualTo(2);
            assertThat(s.get(labelled("attune_drift_window_rows"))).isEqualTo(200);

            assertThatThrownBy(() -> metrics.watchDrift("credit", "3", DriftMonitor.of(reference())))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("a drift monitor is already watched for model 'credit' version '3'; close its"
                            + " registration first, or watch this one under another version");
            watch.close();
            assertThat(Scrape.series(endpoint.url())).doesNotContainKey(labelled("attune_drift_level"));
        }
    }

    @Test
    void aSlidingMonitorIsReportedOnItsRowsAtEachScrape() throws Exception {
        DriftMonitor monitor = DriftMonitor.builder(reference()).window(300).build();
        try (ServingMetrics metrics = ServingMetrics.create()) {
            MetricsEndpoint endpoint = metrics.serve(0);
            metrics.watchDrift("credit", "3", monitor);
            assertThat(Scrape.series(endpoint.url())).doesNotContainKey(labelled("attune_drift_level"));
            monitor.observe(batch(300, 0, 7));
            Map<String, Double> calm = Scrape.series(endpoint.url());
            assertThat(calm.get(labelled("attune_drift_prediction_psi")))
                    .isCloseTo(monitor.report().predictions().orElseThrow().psi(), within(1e-9)).isLessThan(0.1);
            monitor.observe(batch(300, 1500, 8));
            Map<String, Double> moved = Scrape.series(endpoint.url());
            assertThat(moved.get(key("attune_drift_feature_psi", "feature", "income", "model", "credit", "version", "3")))
                    .isCloseTo(monitor.report().feature("income").psi(), within(1e-9)).isGreaterThan(0.25);
            assertThat(moved.get(labelled("attune_drift_level"))).isEqualTo(2);
        }
    }
}
