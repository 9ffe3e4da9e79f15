package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.EarlyStopping;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Progress;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.evaluation.Metrics;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Compiles and runs the README's code example, and checks that the README still shows this code. */
class ReadmeExampleTest {
    private static final Path BASE = Path.of("target/attune/quickstart/base-fashion-cnn.zip");

    @Test
    void theReadmeExampleRuns() {
        if (!Files.exists(BASE)) {
            // The quickstart pretrains this base; a randomly initialised one of the same shape runs the same code.
            Network.of(BaseModels.smallCnn(1)).save(BASE);
        }
        // README example: begin
        LabeledData pool = BundledData.MNIST.train();
        Split labelled = Splits.kPerClass(pool, 50, 42);                  // 50 labelled digits per class
        LabeledData validation = Splits.kPerClass(labelled.validation(), 20, 42).train();

        FineTuneResult result = FineTuner.builder(Network.load(Path.of("target/attune/quickstart/base-fashion-cnn.zip")))
                .replaceHead(10)                                          // a new 10-class output layer
                .freeze(Freeze.upTo("pool1"))                             // keep the pretrained convolutions
                .optimizer(Optimizer.adamW(1e-3))
                .epochs(20).batchSize(32).seed(42)
                .metrics(Metrics.accuracy(), Metrics.f1Macro())
                .earlyStopping(EarlyStopping.on(Metrics.f1Macro()).patience(4))
                .listener(Progress.console())
                .build()
                .fit(labelled.train(), validation);

        System.out.println(result.predict(BundledData.MNIST.test()).score(Metrics.f1Macro()));
        // README example: end
        assertThat(result.frozenLayers()).containsExactly("conv0", "conv1", "pool0", "pool1");
        assertThat(result.best().metric("f1_macro")).isGreaterThan(0.3);
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        assertReadmeShowsExampleOf("ReadmeExampleTest");
    }

    /** Checks that the README shows, white space aside, the code between a test's example markers. */
    static void assertReadmeShowsExampleOf(String testClass) throws IOException {
        try {
            dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(Class.forName("dev.attune.benchmarks." + testClass));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no test class " + testClass, e);
        }
    }

    @Test
    void theJShellScriptIsTheReadmeExample() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        String example = readme.substring(readme.indexOf("```java", readme.indexOf("## In code")) + 7);
        example = example.substring(0, example.indexOf("```"));
        String script = Files.readString(Path.of("../examples/fine-tune.jsh"));
        // The imports included; JShell needs each chained call to end its line with a dot: only that layout differs.
        assertThat(code(script)).isEqualTo(code(example));
    }

    /** The code without comments and white space. */
    private static String code(String source) {
        return source.replaceAll("//[^\n]*", "").replaceAll("\\s+", "");
    }

    private static String normalise(String code) {
        return code.replaceAll("\\s+", " ").trim();
    }
}
