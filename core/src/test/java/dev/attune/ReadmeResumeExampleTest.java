package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's checkpoint and resume example, and checks that the README still shows this code. */
class ReadmeResumeExampleTest {
    @TempDir
    Path work;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        Network base = Network.of(Fixtures.mlp(3, 1));
        LabeledData train = Fixtures.blobs(64, 8, 3, 1);
        LabeledData validation = Fixtures.blobs(30, 8, 3, 2);

        // README example: begin
        Path dir = work.resolve("checkpoints");
        FineTuner tuner = FineTuner.builder(base)
                .optimizer(Optimizer.adam(1e-2))
                .epochs(3).batchSize(16).seed(3)
                .resumeFrom(CheckpointStore.directory(dir).everySteps(2).keepLast(3))   // every 2 steps and every epoch
                .build();
        FineTuneResult result = tuner.fit(train, validation);   // run again after a crash, it continues where it was
        Network third = Network.load(dir.resolve("epoch-003.zip"));   // each epoch's model loads as a network
        // README example: end

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("checkpoint-00000008.zip",
                    "checkpoint-00000010.zip", "checkpoint-00000012.zip", "epoch-001.zip", "epoch-002.zip", "epoch-003.zip");
        }
        assertThat(third.fingerprint()).isEqualTo(result.model().fingerprint());
        // Run again, the finished run resumes from its last checkpoint: the same result, no step taken.
        assertThat(ResumableRun.summary(tuner.fit(train, validation))).isEqualTo(ResumableRun.summary(result));
        ReadmeExamples.assertReadmeShowsExampleOf(ReadmeResumeExampleTest.class);
    }
}
