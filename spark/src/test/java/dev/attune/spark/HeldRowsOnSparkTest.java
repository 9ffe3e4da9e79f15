package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.Balanced;
import dev.attune.Balancer;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.LeakagePolicy;
import dev.attune.spi.Optimizer;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A run on a Dataset's or an RDD's rows, which the driver never collects: it equals the single-machine run,
 * its provenance names the same data, a NaN is refused naming its partition and row, validation rows that
 * copy training rows are found on the executors, and a weighting balancer weighs the executors' rows.
 */
class HeldRowsOnSparkTest {
    private static final String[] F = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"};
    private final LabeledData train = Fixtures.blobs(200, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(60, 8, 3, 2);

    private static FineTuner.Builder tuner() {
        return FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(3).batchSize(32).seed(7)
                .metrics(Fixtures.ACCURACY);
    }

    private static SparkFineTuner spark() {
        return SparkFineTuner.on(LocalSpark.session()).build();
    }

    @Test
    void aDatasetRunEqualsTheSingleMachineRunAndNamesTheSameData() {
        FineTuneResult one = tuner().build().fit(train, validation);
        FineTuneResult three = spark().fit(tuner().build(), Frames.of(train, 3), Frames.of(validation, 2), "label", F);

        SynchronousStepTest.assertClose(three.model(), one.model());
        assertThat(three.history()).hasSameSizeAs(one.history());
        assertThat(three.history().get(2).validationLoss()).isCloseTo(one.history().get(2).validationLoss(),
                org.assertj.core.data.Offset.offset(1e-5));
        assertThat(three.provenance().trainData()).isEqualTo(train.fingerprint());
        assertThat(three.provenance().validationData()).isEqualTo(validation.fingerprint());
    }

    @Test
    void anRddRunEqualsTheSingleMachineRunAndNamesTheSameData() {
        // Shards of doubles: the executors hold them as floats, and the run names the float rows.
        LabeledData doubles = LabeledData.of(train.features().castTo(DataType.DOUBLE), train.labels(), 3);
        JavaRDD<LabeledData> shards = LocalSpark.context().parallelize(List.of(doubles.select(range(0, 70)),
                doubles.select(range(70, 130)), doubles.select(range(130, 200))), 2);
        FineTuneResult one = tuner().build().fit(train, validation);
        FineTuneResult two = spark().fit(tuner().build(), shards, validation);
        SynchronousStepTest.assertClose(two.model(), one.model());
        assertThat(two.provenance().trainData()).isEqualTo(train.fingerprint());
    }

    @Test
    void loraOnAConvolutionalNetworkWithAFrozenBottomOnShardsEqualsTheSingleMachineRun() {
        // The executors encode their blocks with the frozen bottom; the driver has no features to encode.
        LabeledData images = Fixtures.blobs(96, 64, 3, 3);
        FineTuner lora = FineTuner.builder(Fixtures.cnn(3, 5)).adapter(dev.attune.adapters.lora.Lora.rank(4).alpha(8)
                .targets("dense0")).replaceHead(3).optimizer(Optimizer.sgd(0.05)).epochs(2).batchSize(32).seed(7).build();
        JavaRDD<LabeledData> shards = LocalSpark.context().parallelize(List.of(images.select(range(0, 50)),
                images.select(range(50, 96))), 2);
        FineTuneResult one = lora.fit(images, null);
        FineTuneResult two = spark().fit(lora, shards, null);
        SynchronousStepTest.assertClose(two.model(), one.model());
        assertThat(two.provenance().trainData()).isEqualTo(images.fingerprint());
    }

    @Test
    void aNaNInOnePartitionIsRefusedNamingWhere() {
        INDArray x = train.features();
        x.putScalar(new long[] {143, 5}, Float.NaN);
        x.putScalar(new long[] {150, 2}, Float.POSITIVE_INFINITY);
        // 200 rows in 4 partitions of 50: row 143 is row 43 of partition 2.
        Dataset<Row> bad = Frames.of(x, train.labels(), 4);
        assertThatThrownBy(() -> spark().fit(tuner().build(), bad, null, "label", F))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features hold 2 NaN or infinite values (first in example 143, row 43 of"
                        + " partition 2 of the Dataset's rows on Spark's executors)")
                .hasMessageContaining("clean or impute them before training");
    }

    @Test
    void validationRowsThatCopyTheDatasetsRowsAreRefusedOrWarned() {
        INDArray v = validation.features();
        v.get(NDArrayIndex.point(17), NDArrayIndex.all()).assign(train.features().getRow(161));
        v.get(NDArrayIndex.point(40), NDArrayIndex.all()).assign(train.features().getRow(12));
        v.get(NDArrayIndex.point(41), NDArrayIndex.all()).assign(train.features().getRow(12));
        Dataset<Row> leaky = Frames.of(v, validation.labels(), 2);
        assertThatThrownBy(() -> spark().fit(tuner().build(), Frames.of(train, 3), leaky, "label", F))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 of the 60 validation examples are exact copies of training examples")
                .hasMessageContaining("for example validation example 17 and training example 161")
                .hasMessageContaining("or call leakage(LeakagePolicy.WARN)");

        FineTuneResult warned = spark().fit(tuner().leakage(LeakagePolicy.WARN).build(),
                Frames.of(train, 3), leaky, "label", F);
        assertThat(warned.provenance().warnings()).anySatisfy(w -> assertThat(w)
                .startsWith("leakage: 3 of the 60 validation examples")
                .contains("validation example 17 and training example 161"));
        // RDD shards against validation data of another type (doubles): compared widened, still found.
        LabeledData vDoubles = LabeledData.of(v.castTo(DataType.DOUBLE), validation.labels(), 3);
        JavaRDD<LabeledData> shards = LocalSpark.context().parallelize(List.of(train.select(range(0, 100)),
                train.select(range(100, 200))), 2);
        assertThatThrownBy(() -> spark().fit(tuner().build(), shards, vDoubles))
                .hasMessageContaining("3 of the 60 validation examples are exact copies");
    }

    @Test
    void aWeightingBalancerWeighsTheExecutorsRowsAsOnOneMachine() {
        // Class weights n / (classes * n_y), as Balancing.classWeights(), with every other row doubled.
        Balancer weights = (data, seed) -> {
            int[] counts = data.classCounts();
            double[] w = new double[data.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (double) data.size() / (3.0 * counts[data.label(i)]) * (1 + i % 2);
            }
            return Balanced.weighted(data, w);
        };
        LabeledData skewed = train.select(java.util.stream.IntStream.range(0, 200).filter(i -> i % 3 != 2 || i < 40)
                .toArray());
        FineTuneResult one = tuner().balance(weights).build().fit(skewed, validation);
        FineTuneResult onSpark = spark().fit(tuner().balance(weights).build(), Frames.of(skewed, 3),
                Frames.of(validation, 1), "label", F);
        FineTuneResult unweighted = tuner().build().fit(skewed, validation);
        SynchronousStepTest.assertClose(onSpark.model(), one.model());
        assertThat(onSpark.model().handle().params().sub(unweighted.model().handle().params()).amaxNumber()
                .doubleValue()).as("the weights changed the run").isGreaterThan(1e-3);
    }

    @Test
    void aBalancerThatResamplesTheDatasetsRowsIsRefusedWithTheFix() {
        FineTuner resampling = tuner().balance((data, seed) -> Balanced.of(data.select(new int[] {0, 1, 2}))).build();
        assertThatThrownBy(() -> spark().fit(resampling, Frames.of(train, 2), null, "label", F))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a balancer that resamples rows) needs the features of the training data, but"
                        + " these 200 examples are the Dataset's rows on Spark's executors")
                .hasMessageContaining("balance with weights (Balancing.classWeights() or reweigh(...))");
    }

    private static int[] range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).toArray();
    }
}
