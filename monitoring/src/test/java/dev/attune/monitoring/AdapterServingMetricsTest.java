package dev.attune.monitoring;

import static dev.attune.monitoring.Scrape.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.serving.AdapterRequest;
import dev.attune.serving.AdapterServing;
import dev.attune.serving.AdapterStore;
import dev.attune.serving.PredictorService;
import dev.attune.spi.AdapterWeights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A multi-adapter service's requests counted per adapter, labelled by each request's adapter name. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class AdapterServingMetricsTest {

    private static Network base() {
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        mln.init();
        return Network.of(mln);
    }

    /** A LoRA adapter with random, non-zero tensors. */
    private static AdapterWeights adapter(Network base, long seed) {
        AdapterWeights t = AdaptedNetwork.of(base).add("t", Lora.rank(2).targets("dense0", "out"), seed).adapter("t");
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        t.tensors().forEach((k, v) -> tensors.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5)));
        return new AdapterWeights(t.method(), null, tensors, t.baseFingerprint(), Map.of());
    }

    private static double requests(Map<String, Double> s, String adapter, String outcome) {
        return s.get(key("attune_serving_requests_total", "model", "support", "version", "7", "adapter", adapter,
                "outcome", outcome));
    }

    @Test
    void eachRequestIsCountedUnderItsAdapter() throws Exception {
        Network base = base();
        AdapterWeights de = adapter(base, 1);
        AdapterWeights fr = adapter(base, 2);
        AdapterStore store = AdapterStore.over(base, 1L << 20).add("de", () -> de).add("fr", () -> fr);
        float[] row = {0.5f, -1f, 2f, 0.25f};
        try (ServingMetrics metrics = ServingMetrics.create()) {
            MetricsEndpoint endpoint = metrics.serve(0);
            try (PredictorService<AdapterRequest, float[]> service = AdapterServing.forStore(store, 4).name("support")
                    .maxBatch(8).maxWait(Duration.ofMillis(2))
                    .listener(metrics.bind("support", "7", Set.of("de", "fr"), AdapterRequest::adapter))
                    .build()) {
                List<CompletableFuture<float[]>> answers = new ArrayList<>();
                for (String a : new String[] {"de", "fr", "de", "de", "fr"}) {
                    answers.add(service.submit(new AdapterRequest(a, row)));
                }
                answers.add(service.submit(AdapterRequest.base(row)));        // no adapter: the base model
                for (CompletableFuture<float[]> f : answers) {
                    assertThat(f.get()).hasSize(3);
                }
                assertThatThrownBy(() -> service.submit(new AdapterRequest("fr", new float[] {1f, 2f})))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            Map<String, Double> s = Scrape.series(endpoint.url());
            assertThat(requests(s, "de", "ok")).isEqualTo(3);
            assertThat(requests(s, "fr", "ok")).isEqualTo(2);
            assertThat(requests(s, "fr", "invalid")).isEqualTo(1);
            assertThat(requests(s, "de", "invalid")).isZero();
            // A request for the base model has no adapter name: it is counted under "other".
            assertThat(requests(s, "other", "ok")).isEqualTo(1);
            assertThat(s.get(key("attune_serving_unknown_adapter_total", "model", "support", "version", "7")))
                    .isEqualTo(1);
            assertThat(s.get(key("attune_serving_request_duration_seconds_count", "model", "support", "version", "7",
                    "adapter", "de"))).isEqualTo(3);
        }
    }
}
