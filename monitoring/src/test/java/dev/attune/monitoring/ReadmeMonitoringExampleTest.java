package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Network;
import dev.attune.deploy.ModelPackage;
import dev.attune.evaluation.DriftBatch;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.serving.PredictorService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Compiles and runs the README's monitoring example, and checks that the README shows it. */
// A guard against a hang, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ReadmeMonitoringExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        mln.init();
        Network network = Network.of(mln);
        List<String> names = IntStream.range(0, 12).mapToObj(i -> "f" + i).toList();
        Random random = new Random(3);
        double[][] training = new double[400][12];
        for (double[] r : training) {
            for (int j = 0; j < r.length; j++) {
                r[j] = random.nextGaussian();
            }
        }
        Path file = ModelPackage.builder("credit-risk").model(network).classNames(List.of("low", "mid", "high"))
                .image(1f, 12).driftReference(DriftReference.builder().features(names, training).build())
                .write(dir.resolve("credit-risk.attune")).path();
        float[] row = {0.5f, -1f, 2f, 0f, 0.25f, 1f, -0.5f, 3f, 0f, 1f, 1f, -2f};
        double[] features = new double[12];
        for (int j = 0; j < 12; j++) {
            features[j] = row[j];
        }
        Path rules = dir.resolve("rules");
        float[] probabilities;

        // README example: begin
        ServingMetrics metrics = ServingMetrics.create();
        DriftMonitor monitor = DriftMonitor.builder(ModelPackage.load(file).driftReference().orElseThrow())
                .window(500).fixedWindows()                  // one drift report per 500 rows
                .build();
        metrics.watchDrift("credit-risk", "3", monitor);    // gauges of its latest report
        MetricsEndpoint endpoint = metrics.serve(0);        // on 127.0.0.1; 0: a free port, endpoint.url() says which
        try (PredictorService<float[], float[]> service = PredictorService.forNetwork(network, 12)
                .listener(metrics.bind("credit-risk", "3"))  // requests, errors, latency, batches, queue
                .build()) {
            probabilities = service.predict(row, Duration.ofSeconds(1));
            monitor.observe(DriftBatch.features(names, new double[][] {features}));
        }
        AlertRules.write(rules.resolve("attune-alerts.yml"));   // for Prometheus's rule_files
        // README example: end

        URI scrapeUrl = endpoint.url();
        Map<String, Double> scraped = Scrape.series(scrapeUrl);
        metrics.close();
        assertThat(probabilities).hasSize(3);
        assertThat(scrapeUrl).isEqualTo(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"));
        assertThat(scraped.get(Scrape.key("attune_serving_requests_total", "model", "credit-risk", "version", "3",
                "adapter", "none", "outcome", "ok"))).isEqualTo(1);
        assertThat(monitor.size()).isEqualTo(1);
        assertThat(Files.readString(rules.resolve("attune-alerts.yml"))).isEqualTo(AlertRules.text());
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeMonitoringExampleTest.class);
    }
}
