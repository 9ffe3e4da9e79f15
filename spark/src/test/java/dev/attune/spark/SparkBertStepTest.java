package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertFineTuningTest;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The BERT encoder's step on Spark (the tiny random encoder): LoRA and full fine-tuning equal the single-machine run. */
class SparkBertStepTest {
    private static final int LENGTH = 10;
    private final LabeledData train = sequences(96, 1);
    private final LabeledData validation = sequences(30, 2);

    /** Token ids and masks {@code [n, 2, LENGTH]}: a class's signal id among filler ids. */
    private static LabeledData sequences(int n, long seed) {
        Random rng = new Random(seed);
        float[] x = new float[n * 2 * LENGTH];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            labels[i] = c;
            int len = 5 + rng.nextInt(LENGTH - 4);
            int signal = 1 + rng.nextInt(len - 2);
            for (int t = 0; t < LENGTH; t++) {
                x[i * 2 * LENGTH + t] = t >= len ? 0 : t == 0 ? 1 : t == len - 1 ? 2 : t == signal ? 10 + 3 * c : 20 + rng.nextInt(8);
                x[i * 2 * LENGTH + LENGTH + t] = t < len ? 1 : 0;
            }
        }
        return LabeledData.of(Nd4j.create(x, new long[] {n, 2, LENGTH}, 'c'), labels, 3);
    }

    private static FineTuner.Builder builder() {
        return FineTuner.builder(Network.of(BertFineTuningTest.tiny(DataType.FLOAT))).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(32).seed(5).metrics(Fixtures.ACCURACY);
    }

    @Test
    void loraOnTheEncoderEqualsTheSingleMachineRun() {
        FineTuner lora = builder().adapter(Lora.rank(4).alpha(8).targets("*.attention.self.query", "*.attention.self.value"))
                .build();
        FineTuneResult one = lora.fit(train, validation);
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.context()).tasks(2).build();
        FineTuneResult two = spark.fit(lora, train, validation);
        SynchronousStepTest.assertClose(two.model(), one.model());
        assertThat(spark.lastRunStats().trainedValues()).isEqualTo(one.trainableParams());
        assertThat(spark.lastRunStats().trainedValues()).isLessThan(one.frozenParams());
    }

    @Test
    void fullFineTuningOfTheEncoderEqualsTheSingleMachineRun() {
        FineTuner full = builder().freeze(Freeze.none()).build();
        FineTuneResult one = full.fit(train, validation);
        FineTuneResult two = SparkFineTuner.on(LocalSpark.context()).tasks(2).build().fit(full, train, validation);
        SynchronousStepTest.assertClose(two.model(), one.model());
    }
}
