package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.CheckpointDirectory;
import dev.attune.CheckpointStore;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on Spark is repeatable bit for bit (the gradient sums are added in task order), and a run
 * stopped and resumed from its run checkpoint (written by the driver: executors never touch the
 * checkpoint directory) ends with the same weights as a run never stopped.
 */
class SparkResumeTest {
    @TempDir
    Path dir;

    private final LabeledData train = Fixtures.blobs(160, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(45, 8, 3, 2);

    private FineTuner.Builder builder() {
        return FineTuner.builder(Fixtures.mlp(4, 5)).adapter(Lora.rank(2).alpha(4).targets("dense*")).replaceHead(3)
                .optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(32).seed(11).metrics(Fixtures.ACCURACY);
    }

    @Test
    void aResumedRunEndsBitForBitAsTheRunNeverStopped() throws IOException {
        SparkFineTuner spark = SparkFineTuner.on(LocalSpark.context()).tasks(2).build();
        FineTuneResult uninterrupted = spark.fit(builder().build(), train, validation);
        FineTuneResult again = spark.fit(builder().build(), train, validation);
        assertThat(again.model().fingerprint()).as("repeatable").isEqualTo(uninterrupted.model().fingerprint());

        CheckpointDirectory all = CheckpointStore.directory(dir.resolve("all")).everySteps(1).keepLast(100);
        spark.fit(builder().resumeFrom(all).build(), train, validation);
        List<Path> checkpoints;
        try (Stream<Path> s = Files.list(dir.resolve("all"))) {
            checkpoints = s.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).sorted().toList();
        }
        assertThat(checkpoints).hasSizeGreaterThan(5);
        Path mid = checkpoints.get(checkpoints.size() / 2);
        Path one = Files.createDirectories(dir.resolve("one"));
        Files.copy(mid, one.resolve(mid.getFileName()));

        FineTuneResult resumed = spark.fit(builder().resumeFrom(CheckpointStore.directory(one).everySteps(1)).build(),
                train, validation);
        assertThat(resumed.model().fingerprint()).as("resumed from " + mid.getFileName())
                .isEqualTo(uninterrupted.model().fingerprint());
        assertThat(resumed.adapters().orElseThrow().fingerprint())
                .isEqualTo(uninterrupted.adapters().orElseThrow().fingerprint());
    }
}
