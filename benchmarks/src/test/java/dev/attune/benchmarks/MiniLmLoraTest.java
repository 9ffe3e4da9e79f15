package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.AdaptedNetwork;
import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.ReadmeExamples;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledText;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.internal.bert.BertHandle;
import dev.attune.spi.AdapterWeights;
import dev.attune.spi.Optimizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA r = 8 (alpha 16) on the query and value projections of the real all-MiniLM-L6-v2, through the
 * public API, on 96 support-intent utterances of 12 intents at 16 tokens: the exact trainable count,
 * the frozen base, the merged model against the unmerged one, the adapter file's round trip, and the
 * loaded adapter served on the encoder again.
 */
class MiniLmLoraTest {
    /** 6 layers x 2 projections x (384 x 8 + 8 x 384). */
    private static final long LORA = 73_728;
    private static final long HEAD = 384 * 12 + 12;

    @Test
    void loraOnMiniLmTrainsExactlyTheAdaptersAndTheHeadAndRoundTripsThroughAnAdapterFile(@TempDir Path dir)
            throws Exception {
        WordPieceTokenizer tokenizer;
        try (InputStream in = MiniLmLoraTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            tokenizer = WordPieceTokenizer.fromJson(in, "all-minilm-l6-v2-tokenizer.json").withMaxLength(16);
        }
        BertEncoder encoder;
        try (InputStream in = MiniLmLoraTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            encoder = BertEncoder.fromOnnx(in);
        }
        LabeledData all = BundledText.SUPPORT_INTENTS.train().toLabeledData(tokenizer);
        // Every fifth utterance, the first 96.
        LabeledData train = all.select(IntStream.range(0, all.size()).filter(i -> i % 5 == 0).limit(96).toArray());
        String fingerprint = Network.of(encoder).fingerprint();
        Path file = dir.resolve("intents.safetensors");
        INDArray features = train.features();

        // README example: begin
        Network base = Network.of(encoder);
        FineTuneResult result = FineTuner.builder(base)
                .replaceHead(12)
                .adapter(Lora.rank(8).alpha(16).targets("*.attention.self.query", "*.attention.self.value"))
                .optimizer(Optimizer.adam(5e-3))
                .epochs(3).batchSize(16).seed(1)
                .build().fit(train, null);
        result.model();                                        // a plain BERT encoder + head, adapters merged
        AdapterFile.save(result.adapters().orElseThrow(), file);   // 73,728 LoRA weights + the head, sealed to base
        INDArray probabilities = AdaptedNetwork.of(base)      // the adapter path on the base encoder, unmerged
                .add("intents", AdapterFile.load(file, base)).output(features);
        // README example: end

        assertThat(result.trainableParams()).isEqualTo(LORA + HEAD);
        assertThat(result.frozenParams()).isEqualTo(22_565_376L);
        assertThat(result.history().get(2).trainLoss()).isLessThan(result.history().get(0).trainLoss());
        assertThat(base.fingerprint()).isEqualTo(fingerprint);

        // The merged model: a plain encoder whose untargeted weights are the base's, bit for bit.
        AdapterWeights w = result.adapters().orElseThrow();
        assertThat(w.parameterCount()).isEqualTo(LORA + HEAD);
        assertThat(w.baseFingerprint()).isEqualTo(fingerprint);
        assertThat(w.tensor("encoder.5.attention.self.value.lora_A").shape()).containsExactly(8, 384);
        assertThat(w.tensor("encoder.5.attention.self.value.lora_B").shape()).containsExactly(384, 8);
        BertHandle merged = (BertHandle) result.model().handle();
        assertThat(merged.lora()).isNull();
        int untouched = 0;
        for (Map.Entry<String, INDArray> e : ((BertHandle) base.handle()).tensors().entrySet()) {
            if (e.getKey().matches("encoder\\.\\d\\.attention\\.self\\.(query|value)\\.weight")) {
                String m = e.getKey().substring(0, e.getKey().length() - ".weight".length());
                INDArray expected = e.getValue().add(w.tensor(m + ".lora_A").transpose()
                        .mmul(w.tensor(m + ".lora_B").transpose()).mul(2.0));
                assertThat(merged.tensors().get(e.getKey()).equalsWithEps(expected, 1e-6)).as(e.getKey()).isTrue();
            } else {
                assertThat(merged.tensors().get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
                untouched++;
            }
        }
        assertThat(untouched).isEqualTo(5 + 6 * 16 - 12);

        // Unmerged (the adapter path on the base encoder) and merged compute the same.
        INDArray x = features;
        INDArray mergedOut = result.model().output(x);
        INDArray unmerged = AdaptedNetwork.of(base).add("intents", w).output(x);
        assertThat(unmerged.equalsWithEps(mergedOut, 1e-5)).isTrue();
        assertThat(probabilities.equalsWithEps(unmerged, 1e-6)).isTrue();

        // The adapter file: bit-exact, sealed, small; loaded and served on the encoder again.
        assertThat(Files.size(file)).isLessThan(400_000);
        AdapterWeights loaded = AdapterFile.load(file, Network.of(encoder));
        assertThat(loaded.tensors().keySet()).containsExactlyElementsOf(w.tensors().keySet());
        w.tensors().forEach((name, t) -> assertThat(loaded.tensor(name)).as(name).isEqualTo(t));
        assertThat(loaded.method().config()).isEqualTo(w.method().config());
        assertThat(loaded.head()).isEqualTo(w.head());
        assertThat(loaded.baseFingerprint()).isEqualTo(fingerprint);
        AdaptedNetwork again = AdaptedNetwork.of(Network.of(encoder)).add("intents", loaded);
        assertThat(again.output(x).equalsWithEps(unmerged, 1e-6)).isTrue();
        assertThat(again.merge().output(x).equalsWithEps(mergedOut, 1e-5)).isTrue();
        ReadmeExamples.assertReadmeShowsExampleOf(MiniLmLoraTest.class);
    }
}
