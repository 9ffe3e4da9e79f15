package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import org.junit.jupiter.api.Test;

/** Local SGD: tasks step on their own shards and the driver averages every K steps. */
class LocalSgdTest {
    private final LabeledData train = Fixtures.blobs(240, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(60, 8, 3, 2);

    private FineTuner lora() {
        return FineTuner.builder(Fixtures.mlp(4, 5)).adapter(Lora.rank(4).alpha(8).targets("dense*")).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(4).batchSize(32).seed(7).build();
    }

    @Test
    void averagingEveryFourStepsLearnsAndExchangesOnlyTheTrainedValuesPerRound() {
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.context()).tasks(2).build();
        LocalSgdResult r = spark.fitLocalSgd(lora(), train, validation, 4);
        assertThat(r.validationAccuracy()).hasSize(4);
        assertThat(r.validationAccuracy().get(3)).isGreaterThan(0.9);
        assertThat(r.validationLoss().get(3)).isLessThan(r.validationLoss().get(0));
        // 120 rows per task in local batches of 16: 7 local steps per epoch, rounds of 4 and 3.
        assertThat(r.rounds()).isEqualTo(4 * 2);
        long trained = 96 + 128 + 51;
        assertThat(r.exchangedBytesPerRound()).isEqualTo(2.0 * 2 * 4 * trained);
        LocalSgdResult again = spark.fitLocalSgd(lora(), train, validation, 4);
        assertThat(again.model().fingerprint()).as("repeatable").isEqualTo(r.model().fingerprint());
    }

    @Test
    void averagingEveryZeroStepsIsRefused() {
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.context()).tasks(2).build();
        assertThatThrownBy(() -> spark.fitLocalSgd(lora(), train, validation, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local SGD averages every 0 steps; give at least 1");
    }
}
