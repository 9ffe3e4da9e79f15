package dev.attune.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.AdaptedNetwork;
import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.ReadmeExamples;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Compiles and runs the README's PEFT example on the tiny random BERT, and checks that the README shows it. */
class ReadmePeftExampleTest {
    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        BertEncoder encoder = PeftPeer.tiny();
        LabeledData train = PeftPeer.tokens(96, 2);
        INDArray features = PeftPeer.tokens(8, 4).features();

        // README example: begin
        Network base = Network.of(encoder);
        FineTuneResult result = FineTuner.builder(base)
                .replaceHead(3)
                .adapter(Lora.rank(4).alpha(8).targets("*.attention.self.query", "*.attention.self.value"))
                .optimizer(Optimizer.adam(5e-2))
                .epochs(2).batchSize(32).seed(3)
                .build().fit(train, null);
        Path dir = Path.of("target/intents-lora");
        PeftAdapters.export(result.adapters().orElseThrow(), dir, "sentence-transformers/all-MiniLM-L6-v2");
        // dir: adapter_config.json and adapter_model.safetensors, as PEFT's save_pretrained writes them

        AdapterWeights adapter = PeftAdapters.importFrom(dir, base);   // or a directory PEFT wrote
        INDArray probabilities = AdaptedNetwork.of(base).add("intents", adapter).output(features);
        // README example: end

        assertThat(Files.isRegularFile(dir.resolve("adapter_config.json"))).isTrue();
        assertThat(adapter.fingerprint()).isEqualTo(result.adapters().orElseThrow().fingerprint());
        assertThat(probabilities.equalsWithEps(result.model().output(features), 1e-5)).isTrue();
        ReadmeExamples.assertReadmeShowsExampleOf(ReadmePeftExampleTest.class);
    }
}
