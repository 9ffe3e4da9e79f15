package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Network;
import dev.attune.ReadmeExamples;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The README's Spark example, run on {@code local[2]}. */
class ReadmeSparkExampleTest {
    @Test
    void theReadmeExampleTrainsOnADataset() throws Exception {
        SparkSession spark = LocalSpark.session();
        Network base = Network.of(Fixtures.mlp(4, 5));
        Dataset<Row> trainDf = Frames.of(Fixtures.blobs(240, 8, 3, 1));
        Dataset<Row> validationDf = Frames.of(Fixtures.blobs(60, 8, 3, 2));

        // README example: begin
        FineTuner tuner = FineTuner.builder(base)
                .replaceHead(3)
                .adapter(Lora.rank(4).alpha(8).targets("dense*"))
                .optimizer(Optimizer.adam(1e-2))
                .epochs(5).batchSize(32).seed(42)
                .build();
        SparkFineTuner onSpark = SparkFineTuner.on(spark).tasks(2).build();
        FineTuneResult result = onSpark.fit(tuner, trainDf, validationDf, "label",
                "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7");
        SparkRunStats stats = onSpark.lastRunStats();
        System.out.printf("%d steps, %.0f bytes exchanged per step, %.1f ms of Spark per step%n",
                stats.steps(), stats.exchangedBytesPerStep(), stats.overheadMillis());
        // README example: end

        assertThat(result.history()).hasSize(5);
        assertThat(result.history().get(4).validationLoss()).isLessThan(result.history().get(0).validationLoss());
        assertThat(stats.steps()).isEqualTo(5 * 8);
        ReadmeExamples.assertReadmeShowsExampleOf(ReadmeSparkExampleTest.class);
    }
}
