package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.CheckpointDirectory;
import dev.attune.CheckpointStore;
import dev.attune.KillRestart;
import dev.attune.ResumableRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LoRA runs resumed from any run checkpoint, or killed with SIGKILL at random and restarted, end bit for
 * bit where the uninterrupted run ends: the merged model, the adapter tensors, the history.
 */
class LoraResumeTest {
    @TempDir
    Path dir;

    static List<ResumableRun> runs() {
        return LoraRuns.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void resumingFromEveryCheckpointEndsBitForBitAsTheUninterruptedRun(ResumableRun run) throws IOException {
        String uninterrupted = ResumableRun.summary(run.fit());
        CheckpointDirectory all = CheckpointStore.directory(dir.resolve("all")).everySteps(1).keepLast(1000);
        assertThat(ResumableRun.summary(run.fit(all))).as("checkpointing changes nothing").isEqualTo(uninterrupted);
        assertThat(all.runCheckpoints()).hasSizeGreaterThan(4);
        for (Path checkpoint : all.runCheckpoints()) {
            Path one = dir.resolve("from-" + checkpoint.getFileName());
            Files.createDirectories(one);
            Files.copy(checkpoint, one.resolve(checkpoint.getFileName()));
            assertThat(ResumableRun.summary(run.fit(CheckpointStore.directory(one).everySteps(1))))
                    .as("resumed from " + checkpoint.getFileName()).isEqualTo(uninterrupted);
        }
    }

    @Test
    void loraRunsKilledAtRandomAndRestartedEndBitForBitAsUninterruptedRuns() throws Exception {
        Map<String, String> uninterrupted = new LinkedHashMap<>();
        runs().forEach(r -> uninterrupted.put(r.name(), ResumableRun.summary(r.fit())));
        KillRestart.Outcome outcome = KillRestart.run(dir.resolve("work"), 23, 3, 40,
                runs().stream().<Class<? extends ResumableRun>>map(r -> r.getClass()).toList());
        assertThat(outcome.kills()).isPositive();
        assertThat(outcome.summaries()).isEqualTo(uninterrupted);
    }
}
