package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.Optimizer;
import org.junit.jupiter.api.Test;

/** Runs the README's training-controls example, and checks that the README still shows this code. */
class ReadmeTrainingControlsExampleTest {

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        Network base = Network.of(Fixtures.mlp(5, 1));
        LabeledData train = Fixtures.blobs(200, 8, 3, 1);
        LabeledData validation = Fixtures.blobs(60, 8, 3, 2);

        // README example: begin
        FineTuneResult result = FineTuner.builder(base)
                .replaceHead(3)
                .freeze(Freeze.layers("dense0"))                  // never thaws; its outputs are computed once
                .optimizer(Optimizer.adamW(1e-2))
                .schedule(Schedule.cosine().withWarmup(10))       // 0 -> 1e-2 over 10 steps, then down to 0
                .discriminativeLearningRates(2.6)                 // head 1e-2, dense1 1e-2 / 2.6
                .gradualUnfreezing(2)                             // dense1 thaws at epoch 3
                .clipGradientNorm(1.0)
                .accumulateGradients(2)                           // steps of 2 x 16 examples
                .labelSmoothing(0.1)
                .onDivergence(Divergence.rollback(0.5, 3))
                .epochs(8).batchSize(16).seed(42)
                .build()
                .fit(train, validation);

        result.history().forEach(e -> System.out.printf("epoch %d: lr %.5f, loss %.3f%n",
                e.epoch(), e.learningRate(), e.trainLoss()));
        // README example: end

        // 200 rows in batches of 16: 13 mini-batches, 7 steps an epoch, 56 in all.
        Schedule schedule = Schedule.cosine().withWarmup(10);
        for (EpochRecord e : result.history()) {
            assertThat(e.learningRate()).isEqualTo(1e-2 * schedule.multiplier(7 * e.epoch() - 1, 56));
        }
        assertThat(result.history().get(7).trainLoss()).isLessThan(result.history().get(0).trainLoss());
        assertThat(result.provenance().config()).containsEntry("schedule", "cosine().withWarmup(10)")
                .containsEntry("discriminativeLearningRates", "2.6").containsEntry("gradualUnfreezing", "every 2 epochs")
                .containsEntry("clipGradientNorm", "1.0").containsEntry("accumulateGradients", "2")
                .containsEntry("labelSmoothing", "0.1").containsEntry("onDivergence", "rollback(0.5, 3)");
        ReadmeExamples.assertReadmeShowsExampleOf(ReadmeTrainingControlsExampleTest.class);
    }
}
