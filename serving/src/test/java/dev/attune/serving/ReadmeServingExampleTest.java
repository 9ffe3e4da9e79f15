package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Network;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.nd4j.linalg.factory.Nd4j;

/** Compiles and runs the README's serving example, and checks that the README shows it. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ReadmeServingExampleTest {
    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        Network network = Mlp.of(12, 3, 3);
        float[] row = {0.5f, -1f, 2f, 0f, 0.25f, 1f, -0.5f, 3f, 0f, 1f, 1f, -2f};
        float[] probabilities;
        float[] queued;
        ServingStats stats;
        network.output(Nd4j.create(new float[][] {row}));    // loads the backend before the timed calls

        // README example: begin
        try (PredictorService<float[], float[]> service = PredictorService.forNetwork(network, 12)
                .maxBatch(32)                            // rows per batched Network.output call
                .maxWait(Duration.ofMillis(2))           // how long a batch waits for more requests
                .queueCapacity(1024)                     // a submit beyond it is refused at once
                .build()) {
            probabilities = service.predict(row, Duration.ofSeconds(1));        // from any thread; blocks
            CompletableFuture<float[]> later = service.submit(row, Duration.ofSeconds(1));  // or not
            queued = later.get();
            stats = service.stats();   // accepted, answered, errors, timeouts, rejections, batch sizes, queue depth
        }                              // close(): answers every accepted request, then stops the worker
        // README example: end

        float[] alone = network.output(Nd4j.create(new float[][] {row})).toFloatMatrix()[0];
        assertThat(probabilities).isEqualTo(alone);      // each request ran in a batch of one here
        assertThat(queued).isEqualTo(alone);
        assertThat(stats.answered()).isEqualTo(2);
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeServingExampleTest.class);
    }
}
