package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.spi.Optimizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's example of fine-tuning all-MiniLM-L6-v2, and checks that the README shows it. */
class ReadmeBertExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        for (String name : new String[] {"all-minilm-l6-v2.onnx", "tokenizer.json"}) {
            String resource = name.equals("tokenizer.json") ? WordPieceParityTest.TOKENIZER_RESOURCE : "/" + name;
            try (InputStream in = getClass().getResourceAsStream(resource)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        Path onnx = dir.resolve("all-minilm-l6-v2.onnx");
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Path zip = dir.resolve("intents.zip");

        // README example: begin
        BertEncoder encoder = BertEncoder.fromOnnx(onnx);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromJson(tokenizerJson).withMaxLength(32);
        LabeledData train = BundledText.SUPPORT_INTENTS.train().toLabeledData(tokenizer);   // [504, 2, 32]
        FineTuneResult result = FineTuner.builder(Network.of(encoder))
                .replaceHead(12)                      // a softmax layer "head" on the mean-pooled output
                .freeze(Freeze.allExcept("head"))     // or Freeze.upTo("encoder.3"), or none: full fine-tuning
                .optimizer(Optimizer.adam(1e-2))
                .epochs(20).batchSize(32).seed(1)
                .build().fit(train, null);            // head-only: the pooled embeddings are computed once
        result.model().save(zip);                     // Network.load(zip) reads it back
        // README example: end

        assertThat(result.trainableParams()).isEqualTo(384 * 12 + 12);
        LabeledData test = BundledText.SUPPORT_INTENTS.test().toLabeledData(tokenizer);
        Network loaded = Network.load(zip);
        assertThat(loaded.fingerprint()).isEqualTo(result.model().fingerprint());
        assertAccurate(loaded, test);
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeBertExampleTest.class);
    }

    private static void assertAccurate(Network model, LabeledData test) {
        var p = model.predict(test);
        int hits = 0;
        for (int i = 0; i < p.size(); i++) {
            hits += p.actual(i) == p.predicted(i) ? 1 : 0;
        }
        // 12 intents: chance is 1/12; the frozen sentence embeddings separate them well.
        assertThat((double) hits / p.size()).isGreaterThan(0.7);
    }
}
