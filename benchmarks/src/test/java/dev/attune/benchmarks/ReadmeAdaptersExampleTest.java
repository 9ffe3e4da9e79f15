package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.AdaptedNetwork;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Compiles and runs the README's adapter example, and checks that the README still shows this code. */
class ReadmeAdaptersExampleTest {
    @Test
    void theReadmeAdapterExampleRuns() {
        Path baseZip = Path.of("target/attune/readme-base.zip");
        Network.of(BaseModels.smallCnn(1)).save(baseZip);
        Split split = Splits.kPerClass(BundledData.MNIST.train(), 20, 42);
        LabeledData train = split.train();
        LabeledData validation = Splits.kPerClass(split.validation(), 5, 42).train();
        INDArray features = BundledData.MNIST.test().features();
        AdapterWeights otherAdapter = FineTuner.builder(Network.load(baseZip)).replaceHead(10)
                .adapter(Lora.rank(8).alpha(16).targets("dense*")).epochs(1).seed(7).build().fit(train)
                .adapters().orElseThrow();

        // README example: begin
        Network base = Network.load(baseZip);
        FineTuneResult result = FineTuner.builder(base)
                .replaceHead(10)
                .adapter(Lora.rank(8).alpha(16).targets("dense*"))   // or .dora(); .dropout(0.05), .rsLora(true)
                .optimizer(Optimizer.adam(5e-3))
                .epochs(10).seed(42)
                .build()
                .fit(train, validation);

        result.model();                                       // plain DL4J network, adapter merged: base latency
        System.out.println(result.parameterReport());         // trainable share, optimizer bytes against full fine-tuning
        AdapterFile.save(result.adapters().orElseThrow(), Path.of("target/digits.safetensors"));

        AdaptedNetwork serving = AdaptedNetwork.of(base)      // one base in memory, one adapter per task or customer
                .add("digits", AdapterFile.load(Path.of("target/digits.safetensors"), base))
                .add("other", otherAdapter);                  // another adapter trained on the same base
        serving.activate("digits").output(features);          // switching copies only the adapter's tensors
        serving.merge();                                      // fold it into the weights; unmerge() to switch again
        // README example: end
        assertThat(serving.isMerged()).isTrue();
        assertThat(result.parameterReport().trainable()).isEqualTo(8 * (512 + 128) + 1290);
        assertThat(serving.output(features).sub(result.model().output(features)).amaxNumber().doubleValue())
                .isLessThan(1e-4);
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        ReadmeExampleTest.assertReadmeShowsExampleOf("ReadmeAdaptersExampleTest");
    }
}
