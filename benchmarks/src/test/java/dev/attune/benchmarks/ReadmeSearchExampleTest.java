package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.evaluation.Metrics;
import dev.attune.search.Param;
import dev.attune.search.Search;
import dev.attune.search.SearchResult;
import dev.attune.search.SearchSpace;
import dev.attune.search.Strategy;
import dev.attune.search.TrialRecord;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Compiles and runs the README's search example, and checks that the README still shows this code. */
class ReadmeSearchExampleTest {
    @Test
    void theReadmeSearchExampleRuns() throws IOException {
        Path baseZip = Path.of("target/attune/quickstart/base-fashion-cnn.zip");
        if (!Files.exists(baseZip)) {
            // The quickstart pretrains this base; a randomly initialised one of the same shape runs the same code.
            Network.of(BaseModels.smallCnn(1)).save(baseZip);
        }
        Files.deleteIfExists(Path.of("target/search.json"));   // a fresh search, not one resumed from an earlier run

        // README example: begin
        Network base = Network.load(Path.of("target/attune/quickstart/base-fashion-cnn.zip"));
        Split labelled = Splits.kPerClass(BundledData.MNIST.train(), 50, 42);
        LabeledData validation = Splits.kPerClass(labelled.validation(), 20, 42).train();

        SearchResult result = Search.over(SearchSpace.of(
                        Param.choice("rank", 4, 16),
                        Param.logUniform("lr", 1e-3, 1e-2)))
                .trials(point -> FineTuner.builder(base)              // a new builder for every trial
                        .replaceHead(10)
                        .adapter(Lora.rank(point.getInt("rank")).alpha(2 * point.getInt("rank")).targets("dense0"))
                        .optimizer(Optimizer.adam(point.getDouble("lr")))
                        .metrics(Metrics.f1Macro())
                        .epochs(9).seed(point.seed()))                // the trial's own seed
                .maximize(Metrics.f1Macro())
                .strategy(Strategy.random(6).halving(1, 3))           // weak trials stop at epoch 1 or 3
                .parallelism(2)
                .journal(Path.of("target/search.json"))               // run again after a crash: it resumes
                .run(labelled.train(), validation);

        System.out.println(result.leaderboard());                     // best first; epochs saved
        FineTuneResult best = result.bestResult().orElseThrow();      // the best trial's model and adapter
        // README example: end
        assertThat(result.trials()).hasSize(6);
        assertThat(best.best().metric("f1_macro")).isEqualTo(result.best().score());
        assertThat(result.trials()).anyMatch(t -> t.status() == TrialRecord.Status.STOPPED);
        assertThat(Files.readString(Path.of("target/search.json"))).contains("\"complete\": true");
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        ReadmeExampleTest.assertReadmeShowsExampleOf("ReadmeSearchExampleTest");
    }
}
