package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.KillRestart;
import dev.attune.ResumableRun;
import java.io.IOException;
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
        ResumableRun.assertResumesFromEveryCheckpoint(run, dir);
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
