package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void printsOneLinePerEpochWithMetricsAndEta() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingListener console = Progress.console(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        console.onFitStart(new TrainingListener.FitStart(4, 10, 320, 1290, 78912, true));
        EpochRecord first = new EpochRecord(1, 0.91234, 0.5, Map.of("accuracy", 0.8125), Duration.ofSeconds(3));
        console.onEpochEnd(new TrainingListener.EpochEnd(first, 4, true, Duration.ofSeconds(3)));
        console.onFitEnd(new TrainingListener.FitEnd(1, 1, false, Duration.ofSeconds(3)));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).isEqualTo("training 320 examples, 10 steps/epoch, up to 4 epochs; 1,290 trainable and 78,912 "
                + "frozen parameters; frozen layers' outputs computed once");
        // Three epochs remain at three seconds each.
        assertThat(lines[1]).isEqualTo("epoch 1/4  loss 0.9123  val_loss 0.5000  accuracy 0.8125  3.0s  ETA 9.0s  *");
        assertThat(lines[2]).isEqualTo("done: 1 epochs in 3.0s, best epoch 1");
    }
}
