package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.serving.ServingStats;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * A real Prometheus scrapes the metrics endpoint: the series it stores, read back through its HTTP API,
 * hold the counts and labels of the service's own stats, and it loads the bundled alerting rules.
 */
// A guard against a hang, not a timing assertion.
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class PrometheusScrapeTest {
    @TempDir
    Path dir;

    @Test
    void prometheusStoresTheServedCountsWithTheirLabels() throws Exception {
        Installed.require("prometheus");
        Path rules = AlertRules.write(dir.resolve("attune-alerts.yml"));
        try (ServingMetrics metrics = ServingMetrics.create()) {
            MetricsEndpoint endpoint = metrics.serve(0);
            Traffic traffic = new Traffic(metrics).block().finish();
            ServingStats stats = traffic.service.stats();
            long total = stats.accepted() + stats.rejected();
            try (PrometheusServer prometheus = PrometheusServer.start(dir, "127.0.0.1:" + endpoint.port(), rules)) {
                // Wait until a scrape after the traffic is stored: every request counted.
                String sum = "sum(attune_serving_requests_total{model=\"credit\",version=\"3\"})";
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                double seen = Double.NaN;
                while (System.nanoTime() < until && seen != total) {
                    Thread.sleep(200);
                    seen = prometheus.value(sum);
                }
                assertThat(seen).as("the requests Prometheus has scraped; its log:\n%s", prometheus.log())
                        .isEqualTo(total);
                assertThat(prometheus.value("up{job=\"attune\"}")).isEqualTo(1);

                JsonNode series = prometheus.query("attune_serving_requests_total{model=\"credit\",version=\"3\"}");
                Map<String, Double> byOutcome = new HashMap<>();
                Map<String, Double> byAdapterOutcome = new HashMap<>();
                for (JsonNode s : series) {
                    JsonNode m = s.get("metric");
                    assertThat(m.get("job").asText()).isEqualTo("attune");
                    double v = Double.parseDouble(s.get("value").get(1).asText());
                    byOutcome.merge(m.get("outcome").asText(), v, Double::sum);
                    byAdapterOutcome.put(m.get("adapter").asText() + "/" + m.get("outcome").asText(), v);
                }
                assertThat(byOutcome).containsEntry("ok", (double) stats.answered())
                        .containsEntry("error", (double) stats.failed())
                        .containsEntry("timeout", (double) stats.timedOut())
                        .containsEntry("cancelled", (double) stats.cancelled())
                        .containsEntry("refused_full", (double) stats.rejectedFull())
                        .containsEntry("refused_closed", (double) stats.rejectedClosed())
                        .containsEntry("invalid", (double) stats.invalid());
                assertThat(byAdapterOutcome).containsEntry("a/ok", 2.0).containsEntry("b/ok", 1.0)
                        .containsEntry("other/ok", 1.0).containsEntry("a/error", 1.0).containsEntry("b/timeout", 1.0)
                        .containsEntry("a/refused_full", 1.0).containsEntry("b/refused_full", 1.0)
                        .containsEntry("a/invalid", 1.0);
                assertThat(prometheus.value("sum(attune_serving_errors_total)")).isEqualTo(stats.errors());
                assertThat(prometheus.value("sum(attune_serving_request_duration_seconds_count)"))
                        .isEqualTo(stats.accepted());
                assertThat(prometheus.value("attune_serving_batch_size_count")).isEqualTo(stats.batches());
                assertThat(prometheus.value("attune_serving_queue_capacity")).isEqualTo(stats.queueCapacity());
                assertThat(prometheus.value("attune_serving_unknown_adapter_total")).isEqualTo(1);

                // Every rule loaded and evaluated (health "unknown" until its first evaluation).
                JsonNode groups = prometheus.api("/api/v1/rules").get("groups");
                long rulesUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (groups.toString().contains("\"health\":\"unknown\"") && System.nanoTime() < rulesUntil) {
                    Thread.sleep(200);
                    groups = prometheus.api("/api/v1/rules").get("groups");
                }
                int rulesLoaded = 0;
                for (JsonNode g : groups) {
                    for (JsonNode r : g.get("rules")) {
                        assertThat(r.get("health").asText()).as("rule %s", r.get("name")).isEqualTo("ok");
                        rulesLoaded++;
                    }
                }
                assertThat(rulesLoaded).isEqualTo(5);
                assertThat(prometheus.alive()).isTrue();
            } finally {
                traffic.service.close();
            }
        }
    }
}
