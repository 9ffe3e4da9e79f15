package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run resumed from any of its run checkpoints ends bit for bit where the uninterrupted run ends:
 * weights, adapter tensors, every epoch's losses and metrics, the best epoch, early stopping.
 */
class ResumeTest {
    @TempDir
    Path dir;

    static List<ResumableRun> runs() {
        return ResumableRuns.core();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void resumingFromEveryCheckpointEndsBitForBitAsTheUninterruptedRun(ResumableRun run) throws IOException {
        String uninterrupted = ResumableRun.summary(run.fit());

        CheckpointDirectory all = CheckpointStore.directory(dir.resolve("all")).everySteps(1).keepLast(1000);
        assertThat(ResumableRun.summary(run.fit(all))).as("checkpointing changes nothing").isEqualTo(uninterrupted);
        List<Path> checkpoints = all.runCheckpoints();
        assertThat(checkpoints).hasSizeGreaterThan(4);

        for (Path checkpoint : checkpoints) {
            Path one = dir.resolve("from-" + checkpoint.getFileName());
            Files.createDirectories(one);
            Files.copy(checkpoint, one.resolve(checkpoint.getFileName()));
            FineTuneResult resumed = run.fit(CheckpointStore.directory(one).everySteps(1));
            assertThat(ResumableRun.summary(resumed)).as("resumed from " + checkpoint.getFileName())
                    .isEqualTo(uninterrupted);
        }
    }
}
