package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run whose steps Spark's tasks compute equals the single-machine run at the same global batch: the
 * gradient sums differ only in the order their float terms are added (per task, then task by task,
 * where one machine adds all rows in one matrix product), so the weights agree to float tolerance,
 * not bit for bit.
 */
class SynchronousStepTest {
    /**
     * Float sums in another order differ by an ulp or so per step (weights near 1 have ulps of 6e-8 to
     * 1.2e-7); measured after 21 Adam steps: at most 1.2e-7. The bound leaves a hundredfold margin.
     */
    static final double TOLERANCE = 1e-5;

    private final LabeledData train = Fixtures.blobs(200, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(60, 8, 3, 2);

    private FineTuner full() {
        return FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.adam(1e-2)).epochs(3).batchSize(32).seed(7)
                .metrics(Fixtures.ACCURACY).build();
    }

    private FineTuner lora() {
        return FineTuner.builder(Fixtures.mlp(4, 5)).adapter(Lora.rank(4).alpha(8).targets("dense*")).replaceHead(3)
                .optimizer(Optimizer.adamW(1e-2, 0.01)).epochs(3).batchSize(32).seed(7).metrics(Fixtures.ACCURACY).build();
    }

    private static SparkFineTuner spark(int tasks) {
        return SparkFineTuner.on(LocalSpark.context()).tasks(tasks).build();
    }

    @Test
    void fullFineTuningEqualsTheSingleMachineRun() {
        FineTuneResult one = full().fit(train, validation);
        SparkFineTuner spark = spark(3);
        FineTuneResult three = spark.fit(full(), train, validation);

        assertClose(three.model(), one.model());
        assertThat(three.history()).hasSameSizeAs(one.history());
        assertThat(three.history().get(2).validationLoss()).isCloseTo(one.history().get(2).validationLoss(),
                org.assertj.core.data.Offset.offset(1e-5));
        SparkRunStats stats = spark.lastRunStats();
        assertThat(stats.steps()).isEqualTo(3 * 7);
        assertThat(stats.trainedValues()).isEqualTo(one.trainableParams());
        assertThat(stats.gradientBytesPerStep()).isEqualTo(3.0 * 4 * one.trainableParams());
        assertThat(stats.valueBytesPerStep()).isEqualTo(3.0 * 4 * one.trainableParams());
    }

    @Test
    void loraEqualsTheSingleMachineRunAndExchangesOnlyTheAdapters() {
        FineTuneResult one = lora().fit(train, validation);
        SparkFineTuner spark = spark(2);
        FineTuneResult two = spark.fit(lora(), train, validation);

        assertClose(two.model(), one.model());
        INDArray a = two.adapters().orElseThrow().tensor("dense0.lora_B");
        assertThat(a.sub(one.adapters().orElseThrow().tensor("dense0.lora_B")).amaxNumber().doubleValue())
                .isLessThan(TOLERANCE);
        SparkRunStats stats = spark.lastRunStats();
        assertThat(stats.trainedValues()).isEqualTo(one.trainableParams()).isLessThan(one.frozenParams() + one.trainableParams());
        assertThat(stats.gradientBytesPerStep()).as("only the trained tensors' gradients come back")
                .isEqualTo(2.0 * 4 * one.trainableParams());
    }

    @Test
    void aTaskWithoutRowsContributesZeroExamples() {
        // 200 rows in batches of 32: the last mini-batch has 8 rows, and 10 tasks leave some without any.
        FineTuneResult one = full().fit(train, validation);
        FineTuneResult ten = spark(10).fit(full(), train, validation);
        assertClose(ten.model(), one.model());
    }

    @Test
    void plainSgdEqualsTheSingleMachineRunSoTheGradientScaleIsRight() {
        // Adam hardly sees a gradient's scale; plain SGD steps by it, so a share summed twice or averaged shows.
        FineTuner sgd = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.sgd(0.1)).epochs(3).batchSize(32)
                .seed(7).build();
        FineTuneResult one = sgd.fit(train, validation);
        FineTuneResult three = spark(3).fit(sgd, train, validation);
        assertClose(three.model(), one.model());
    }

    @Test
    void loraOnAConvolutionalNetworkWithAFrozenBottomEqualsTheSingleMachineRun() {
        LabeledData images = Fixtures.blobs(96, 64, 3, 3);
        FineTuner lora = FineTuner.builder(Fixtures.cnn(3, 5)).adapter(Lora.rank(4).alpha(8).targets("dense0"))
                .replaceHead(3).optimizer(Optimizer.sgd(0.05)).epochs(2).batchSize(32).seed(7).build();
        FineTuneResult one = lora.fit(images, null);
        FineTuneResult two = spark(2).fit(lora, images, null);
        assertClose(two.model(), one.model());
    }

    static void assertClose(Network actual, Network expected) {
        INDArray a = actual.handle().params();
        INDArray e = expected.handle().params();
        double diff = a.sub(e).amaxNumber().doubleValue();
        assertThat(diff).as("largest weight difference").isLessThan(TOLERANCE);
    }
}
