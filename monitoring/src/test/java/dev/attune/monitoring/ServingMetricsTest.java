package dev.attune.monitoring;

import static dev.attune.monitoring.Scrape.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.serving.PredictorService;
import dev.attune.serving.ServingStats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ServingMetricsTest {

    private static double requests(Map<String, Double> s, String adapter, String outcome) {
        return s.get(key("attune_serving_requests_total", "model", "credit", "version", "3", "adapter", adapter,
                "outcome", outcome));
    }

    private static double sumOf(Map<String, Double> s, String name) {
        return s.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{")).mapToDouble(Map.Entry::getValue)
                .sum();
    }

    @Test
    void theEndpointServesEveryOutcomeByAdapterAndAgreesWithTheServiceStats() throws Exception {
        try (ServingMetrics metrics = ServingMetrics.create()) {
            MetricsEndpoint endpoint = metrics.serve(0);
            assertThat(endpoint.url().toString()).isEqualTo("http://127.0.0.1:" + endpoint.port() + "/metrics");
            Traffic traffic = new Traffic(metrics);

            Map<String, Double> fresh = Scrape.series(endpoint.url());       // every series exists from the start
            assertThat(requests(fresh, "b", "refused_full")).isZero();
            assertThat(requests(fresh, "other", "ok")).isZero();
            assertThat(fresh.get(key("attune_serving_queue_capacity", "model", "credit", "version", "3"))).isEqualTo(2);

            traffic.block();
            Map<String, Double> blocked = Scrape.series(endpoint.url());
            assertThat(blocked.get(key("attune_serving_queue_depth", "model", "credit", "version", "3")))
                    .isEqualTo(traffic.whileBlocked.queueDepth()).isEqualTo(2);

            traffic.finish();
            Map<String, Double> s = Scrape.series(endpoint.url());
            ServingStats stats = traffic.service.stats();
            assertThat(requests(s, "a", "ok")).isEqualTo(2);
            assertThat(requests(s, "b", "ok")).isEqualTo(1);
            assertThat(requests(s, "other", "ok")).isEqualTo(1);
            assertThat(requests(s, "a", "error")).isEqualTo(1);
            assertThat(requests(s, "b", "timeout")).isEqualTo(1);
            assertThat(requests(s, "a", "refused_full")).isEqualTo(1);
            assertThat(requests(s, "b", "refused_full")).isEqualTo(1);
            assertThat(requests(s, "a", "invalid")).isEqualTo(1);
            String[] adapters = {"a", "b", "other"};
            double ok = 0;
            double error = 0;
            double timeout = 0;
            double full = 0;
            double invalid = 0;
            for (String a : adapters) {
                ok += requests(s, a, "ok");
                error += requests(s, a, "error");
                timeout += requests(s, a, "timeout");
                full += requests(s, a, "refused_full");
                invalid += requests(s, a, "invalid");
            }
            assertThat(ok).isEqualTo(stats.answered());
            assertThat(error).isEqualTo(stats.failed());
            assertThat(timeout).isEqualTo(stats.timedOut());
            assertThat(full).isEqualTo(stats.rejectedFull());
            assertThat(invalid).isEqualTo(stats.invalid());
            assertThat(sumOf(s, "attune_serving_errors_total")).isEqualTo(stats.errors());
            assertThat(s.get(key("attune_serving_errors_total", "model", "credit", "version", "3", "adapter", "b",
                    "reason", "timeout"))).isEqualTo(1);
            assertThat(s.get(key("attune_serving_unknown_adapter_total", "model", "credit", "version", "3")))
                    .isEqualTo(1);
            // Every accepted request's latency is observed, and every batch's size.
            assertThat(sumOf(s, "attune_serving_request_duration_seconds_count")).isEqualTo(stats.accepted());
            assertThat(s.get(key("attune_serving_batch_size_count", "model", "credit", "version", "3")))
                    .isEqualTo(stats.batches());
            double requestsInBatches = 0;
            for (int k = 0; k < stats.batchSizes().size(); k++) {
                requestsInBatches += (k + 1) * stats.batchSizes().get(k);
            }
            assertThat(s.get(key("attune_serving_batch_size_sum", "model", "credit", "version", "3")))
                    .isEqualTo(requestsInBatches);
            assertThat(s.get(key("attune_serving_queue_depth", "model", "credit", "version", "3"))).isZero();
            traffic.service.close();
        }
    }

    @Test
    void aServiceWithoutAdaptersIsLabelledNoneAndClosingTheBindingStopsItsQueueGauges() throws Exception {
        try (ServingMetrics metrics = ServingMetrics.create()) {
            MetricsEndpoint endpoint = metrics.serve(0);
            ServingMetrics.Binding<String> binding = metrics.bind("credit", "2");
            try (PredictorService<String, String> service = PredictorService.builder(new GatedModel())
                    .maxWait(Duration.ZERO).listener(binding).build()) {
                service.submit("x/1").get();
            }
            Map<String, Double> s = Scrape.series(endpoint.url());
            assertThat(s.get(key("attune_serving_requests_total", "model", "credit", "version", "2", "adapter", "none",
                    "outcome", "ok"))).isEqualTo(1);
            assertThat(s).containsKey(key("attune_serving_queue_depth", "model", "credit", "version", "2"));
            binding.close();
            s = Scrape.series(endpoint.url());
            assertThat(s).doesNotContainKey(key("attune_serving_queue_depth", "model", "credit", "version", "2"))
                    .containsKey(key("attune_serving_requests_total", "model", "credit", "version", "2", "adapter",
                            "none", "outcome", "ok"));
            metrics.bind("credit", "2").close();            // the labels are free again
        }
    }

    @Test
    void badLabelsAndASecondBindingOfAModelVersionAreRefusedByName() {
        ServingMetrics metrics = ServingMetrics.create();
        assertThatThrownBy(() -> metrics.bind(" ", "3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the model label is blank; give the model its series are labelled with, such as"
                        + " \"credit-risk\"");
        assertThatThrownBy(() -> metrics.bind("credit", "3\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the version label '3?' is longer than 200 characters or holds a control character; give a"
                        + " short printable name");
        assertThatThrownBy(() -> metrics.bind("credit", "3", Set.of("a", "other"), (String i) -> i))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the adapter label 'other' is reserved (\"none\" labels a service without adapters, \"other\""
                        + " a request whose adapter is not declared); name the adapter otherwise");
        assertThatThrownBy(() -> metrics.bind("credit", "3", Set.of(), (String i) -> i))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("no adapter is declared;");
        ServingMetrics.Binding<String> first = metrics.bind("credit", "3");
        assertThatThrownBy(() -> metrics.bind("credit", "3")).isInstanceOf(IllegalStateException.class)
                .hasMessage("model 'credit' version '3' is already bound to these metrics; close that binding first, or"
                        + " label this service with another version");
        try (PredictorService<String, String> one = PredictorService.builder(new GatedModel()).name("one")
                .listener(first).build()) {
            assertThatThrownBy(() -> PredictorService.builder(new GatedModel()).name("two").listener(first).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the metrics binding of model 'credit' version '3' is already given to predictor"
                            + " service 'one'; bind each service on its own");
        }
        assertThatThrownBy(() -> ServingMetrics.create(metrics.registry())).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the registry already holds Attune's serving metrics (")
                .hasMessageEndingWith("); make one ServingMetrics per registry and bind every service to it");
        ServingMetrics.create(new PrometheusRegistry());     // another registry is fine
    }

    @Test
    void aPortInUseIsRefusedNamingItAndTheFix() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
             ServingMetrics metrics = ServingMetrics.create()) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> metrics.serve(port)).isInstanceOf(AttuneException.class)
                    .hasMessageStartingWith("cannot serve metrics on 127.0.0.1:" + port + ": the port is in use")
                    .hasMessageEndingWith("; choose another port, or 0 for a free one");
            assertThatThrownBy(() -> metrics.serve(70000)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("port 70000 is not a TCP port; give one from 1 to 65535, or 0 for a free one");
        }
    }

    @Test
    void closingTheMetricsStopsTheirEndpoints() throws Exception {
        ServingMetrics metrics = ServingMetrics.create();
        MetricsEndpoint endpoint = metrics.serve(0);
        metrics.bind("credit", "1");
        assertThat(Scrape.text(endpoint.url())).contains("attune_serving_requests_total");
        metrics.close();
        assertThatThrownBy(() -> Scrape.text(endpoint.url())).isInstanceOf(java.io.IOException.class);
        try (ServerSocket again = new ServerSocket(endpoint.port(), 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThat(again.getLocalPort()).isEqualTo(endpoint.port());      // the port is free
        }
    }
}
