package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training killed with SIGKILL at random moments (mid-step, mid-checkpoint-write) and started again
 * until it finishes ends bit for bit where a run never killed ends, for every core model family.
 */
class KillResumeTest {
    @TempDir
    Path work;

    @Test
    void runsKilledAtRandomAndRestartedEndBitForBitAsUninterruptedRuns() throws Exception {
        List<ResumableRun> runs = ResumableRuns.core();
        Map<String, String> uninterrupted = new LinkedHashMap<>();
        runs.forEach(r -> uninterrupted.put(r.name(), ResumableRun.summary(r.fit())));

        KillRestart.Outcome outcome = KillRestart.run(work, 11, 8, 300,
                runs.stream().<Class<? extends ResumableRun>>map(r -> r.getClass()).toList());

        assertThat(outcome.kills()).isPositive();
        assertThat(outcome.summaries()).isEqualTo(uninterrupted);
        System.out.println("killed " + outcome.kills() + " times in " + outcome.starts() + " starts; "
                + outcome.deadWrites() + " file writes cut short by a kill");
    }
}
