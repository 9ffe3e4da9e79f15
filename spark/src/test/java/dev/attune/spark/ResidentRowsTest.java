package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Balanced;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.spi.Optimizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * The training rows stay on the executors: a step sends the partitions the mini-batch's row numbers
 * (and its labels), never its features, and the run still equals the single-machine run.
 */
class ResidentRowsTest {
    private final LabeledData train = Fixtures.blobs(200, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(60, 8, 3, 2);

    private static FineTuner tuner() {
        return FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(32).seed(7)
                .build();
    }

    /** {@code data} as a Dataset with columns f0..f7 and label, in {@code partitions} partitions. */
    private static Dataset<Row> frame(LabeledData data, int partitions) {
        return Frames.of(data, partitions);
    }

    @Test
    void aStepSendsRowNumbersAndLabelsNotFeatures() {
        FineTuneResult one = tuner().fit(train, validation);
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.session()).build();
        FineTuneResult fromDataset = spark.fit(tuner(), frame(train, 3), frame(validation, 1), "label",
                "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7");
        SynchronousStepTest.assertClose(fromDataset.model(), one.model());
        assertThat(fromDataset.provenance().trainData()).isEqualTo(train.fingerprint());

        SparkRunStats stats = spark.lastRunStats();
        assertThat(stats.tasks()).as("one task per partition of the Dataset").isEqualTo(3);
        // 200 rows in 7 mini-batches per epoch; each of the 3 partitions is sent, per row of the mini-batch,
        // its row number and its class (4 bytes each), and the one-hot labels' two values: no feature value.
        double rowsPerStep = 200.0 / 7;
        assertThat(stats.batchBytesPerStep()).isCloseTo(3 * (rowsPerStep * 8 + 8),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(stats.batchBytesPerStep()).isLessThan(rowsPerStep * (8 + 3) * 4);

        FineTuneResult again = spark.fit(tuner(), frame(train, 3), frame(validation, 1), "label",
                "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7");
        assertThat(again.model().handle().params()).as("the partial sums are added in partition order")
                .isEqualTo(fromDataset.model().handle().params());
    }

    @Test
    void aBalancerThatResamplesRowsIsRefusedWithTheFix() {
        FineTuner resampling = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(1)
                .batchSize(32).seed(7).balance((data, seed) -> Balanced.of(data.select(twiceTheFirstRow(data.size())))).build();
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.context()).tasks(2).build();
        assertThatThrownBy(() -> spark.fit(resampling, train, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the run trains on 201 rows but Spark's executors hold 200")
                .hasMessageContaining("balance with weights (Balancing.classWeights() or reweigh(...))");
    }

    private static int[] twiceTheFirstRow(int n) {
        int[] idx = new int[n + 1];
        for (int i = 0; i < n; i++) {
            idx[i + 1] = i;
        }
        return idx;
    }
}
