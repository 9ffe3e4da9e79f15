package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Splits;
import dev.attune.evaluation.ReportFiles;
import dev.attune.evaluation.RobustnessReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart's robustness run and report, on a model trained for one epoch on a few digits. */
class QuickstartReportTest {
    @Test
    void theRobustnessRunAndTheReportWorkOnTheBundledDigits(@TempDir Path dir) throws Exception {
        Network base = Network.of(BaseModels.smallCnn(1));
        LabeledData train = Splits.kPerClass(BundledData.MNIST.train(), 5, 1).train();
        LabeledData test = Splits.kPerClass(BundledData.MNIST.test(), 5, 1).train();
        FineTuneResult result = FineTuner.builder(base).replaceHead(10)
                .adapter(Lora.rank(16).alpha(32).targets("dense0")).epochs(1).seed(1).build().fit(train);

        RobustnessReport robustness = Quickstart.robustness(result.model(), test);
        assertThat(robustness.rows()).extracting(RobustnessReport.Row::perturbation)
                .contains("clean", "gaussian_noise", "brightness", "contrast", "occlusion", "shift");

        ReportFiles files = Quickstart.writeReport(result, base, test, robustness, 5, dir);
        assertThat(Files.readString(files.json())).contains("\"robustness\"").contains("\"latency\"");
        assertThat(Files.readString(files.html())).contains("<svg");
        assertThat(Files.readString(files.modelCard())).contains("## Robustness").contains("LoRA r16");
    }
}
