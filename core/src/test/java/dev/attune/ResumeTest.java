package dev.attune;

import java.io.IOException;
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
        ResumableRun.assertResumesFromEveryCheckpoint(run, dir);
    }
}
