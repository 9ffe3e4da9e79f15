package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.spi.Optimizer;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Spark's data and set-ups that do not fit: refused with the value and the fix named; empty partitions are kept. */
class SparkBadInputTest {
    private final LabeledData data = Fixtures.blobs(90, 8, 3, 1);

    /** {@link #data} as a Dataset with columns f0..f7 (doubles) and label (int), in {@code partitions} partitions. */
    private Dataset<Row> frame(int partitions) {
        return Frames.of(data, partitions);
    }

    private static String[] features() {
        String[] f = new String[8];
        for (int j = 0; j < 8; j++) {
            f[j] = "f" + j;
        }
        return f;
    }

    @Test
    void aMissingColumnIsNamedWithTheColumnsThereAre() {
        assertThatThrownBy(() -> SparkData.fromDataset(frame(2), "target", features()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the Dataset has no label column 'target'; its columns are [f0: double,")
                .hasMessageContaining("label: int]; name one of them");
        assertThatThrownBy(() -> SparkData.fromDataset(frame(2), "label", "f0", "f9"))
                .hasMessageContaining("no feature column 'f9'");
    }

    @Test
    void aColumnOfTheWrongTypeIsNamedWithItsType() {
        Dataset<Row> text = frame(2).withColumn("f3", org.apache.spark.sql.functions.lit("x"));
        assertThatThrownBy(() -> SparkData.fromDataset(text, "label", features()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feature column 'f3' is of type string, not a number; give numeric columns");
        Dataset<Row> textLabel = frame(2).withColumn("label", org.apache.spark.sql.functions.lit("cat"));
        assertThatThrownBy(() -> SparkData.fromDataset(textLabel, "label", features()))
                .hasMessageContaining("label column 'label' is of type string, not a number; give class indices 0, 1");
        Dataset<Row> fractional = frame(2).withColumn("label", org.apache.spark.sql.functions.lit(0.5));
        assertThatThrownBy(() -> SparkData.fromDataset(fractional, "label", features()))
                .hasMessageContaining("label column 'label' holds 0.5 in row 0; give class indices 0, 1, ...");
        Dataset<Row> nulls = frame(2).withColumn("f1", org.apache.spark.sql.functions.lit(null).cast("double"));
        assertThatThrownBy(() -> SparkData.fromDataset(nulls, "label", features()))
                .hasMessageContaining("column 'f1' is null in row 0; drop or impute missing values");
    }

    @Test
    void emptyPartitionsContributeZeroExamples() {
        // 90 rows in 200 partitions: most partitions are empty.
        Dataset<Row> sparse = frame(200);
        assertThat(sparse.javaRDD().getNumPartitions()).isEqualTo(200);
        LabeledData read = SparkData.fromDataset(sparse, "label", features());
        assertThat(read.fingerprint()).isEqualTo(data.fingerprint());

        JavaRDD<LabeledData> shards = LocalSpark.context().parallelize(List.of(data.select(range(0, 40)),
                data.select(range(40, 90))), 5);
        assertThat(SparkData.fromShards(shards).fingerprint()).isEqualTo(data.fingerprint());
        FineTuner shardTuner = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(1).batchSize(30)
                .seed(3).build();
        FineTuneResult fromShards = SparkFineTuner.on(LocalSpark.context()).tasks(2).build().fit(shardTuner, shards, null);
        assertThat(fromShards.provenance().trainData()).isEqualTo(data.fingerprint());
        assertThatThrownBy(() -> SparkData.fromShards(LocalSpark.context().parallelize(List.<LabeledData>of(), 3)))
                .hasMessageContaining("the RDD holds no LabeledData shard (every partition is empty)");

        FineTuner tuner = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(1).batchSize(30)
                .seed(3).build();
        FineTuneResult r = SparkFineTuner.on(LocalSpark.session()).tasks(2).build()
                .fit(tuner, sparse, null, "label", features());
        assertThat(r.history()).hasSize(1);
    }

    @Test
    void trainedBatchNormalisationIsRefusedWithTheFix() {
        MultiLayerNetwork bn = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(8).nOut(16).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().name("bn").nIn(16).nOut(16).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        bn.init();
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.context()).tasks(2).build();
        FineTuner tuner = FineTuner.builder(bn).epochs(1).build();
        assertThatThrownBy(() -> spark.fit(tuner, data, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 'bn' keeps running statistics")
                .hasMessageContaining("freeze it with the layers below (Freeze.upTo(\"bn\"))");
        // Frozen, it is the executors' fixed layer and the run goes on.
        FineTuner frozen = FineTuner.builder(bn).freeze(Freeze.upTo("bn")).epochs(1).build();
        assertThat(spark.fit(frozen, data, null).history()).hasSize(1);
    }

    @Test
    void zeroTasksAreRefused() {
        assertThatThrownBy(() -> SparkFineTuner.on(LocalSpark.context()).tasks(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tasks must be at least 1, got 0");
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }
}
