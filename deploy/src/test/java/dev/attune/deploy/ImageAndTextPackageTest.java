package dev.attune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.BertEncoder;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.data.BundledData;
import dev.attune.data.BundledText;
import dev.attune.data.TextData;
import dev.attune.data.WordPieceTokenizer;
import dev.attune.spi.Optimizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An image model (MNIST) and a text model (all-MiniLM-L6-v2 with a trained head) packaged and served. */
class ImageAndTextPackageTest {
    @TempDir
    Path dir;

    @Test
    void anImageModelPredictsRawPixelsAsTheModelPredictsTheScaledImages() {
        LabeledData train = BundledData.MNIST.train();
        FineTuneResult result = FineTuner.builder(Fixtures.mlp(784, 32, 10, 5)).epochs(1).batchSize(128).seed(5)
                .build().fit(train);
        Path file = dir.resolve("digits.attune");
        ModelPackage.builder("digits").from(result).classNames(BundledData.MNIST.classNames()).image(255f, 784)
                .write(file);

        ModelPackage p = ModelPackage.load(file);
        assertThat(p.input().kind()).isEqualTo(InputKind.IMAGE);
        assertThat(p.input().exampleShape()).containsExactly(784L);
        INDArray scaled = BundledData.MNIST.test().features();
        int n = 64;
        List<float[]> raw = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] pixels = new float[784];
            for (int j = 0; j < 784; j++) {
                pixels[j] = Math.round(scaled.getFloat(i, j) * 255f);   // the 8-bit value the file held
                assertThat(pixels[j] / 255f).isEqualTo(scaled.getFloat(i, j));
            }
            raw.add(pixels);
        }
        List<Prediction> predictions = p.predictor().predictImages(raw);
        INDArray expected = result.model().output(scaled.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 10; c++) {
                assertThat(predictions.get(i).probabilities().get(c)).isEqualTo((double) expected.getFloat(i, c));
            }
        }
    }

    @Test
    void aTextModelPredictsTextsAsTheModelPredictsTheirTokens() throws Exception {
        Path onnx = dir.resolve("all-minilm-l6-v2.onnx");
        Path tokenizerJson = dir.resolve("tokenizer.json");
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2.onnx")) {
            Files.copy(in, onnx);
        }
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, tokenizerJson);
        }
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromJson(tokenizerJson).withMaxLength(16);
        TextData intents = BundledText.SUPPORT_INTENTS.train();
        LabeledData train = intents.toLabeledData(tokenizer);
        FineTuneResult result = FineTuner.builder(Network.of(BertEncoder.fromOnnx(onnx)))
                .replaceHead(intents.numClasses()).freeze(Freeze.allExcept("head"))
                .optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(64).seed(1).build().fit(train, null);
        Path file = dir.resolve("intents.attune");
        ModelPackage.builder("intents").from(result).classNames(intents.classNames()).text(tokenizerJson, 16)
                .write(file);

        ModelPackage p = ModelPackage.load(file);
        assertThat(p.input().kind()).isEqualTo(InputKind.TEXT);
        assertThat(p.input().exampleShape()).containsExactly(2L, 16L);
        assertThat(p.tokenizer().orElseThrow().maxLength()).isEqualTo(16);
        List<String> texts = BundledText.SUPPORT_INTENTS.test().texts().subList(0, 12);
        List<Prediction> predictions = p.predictor().predictTexts(texts);
        INDArray expected = result.model().output(tokenizer.encode(texts).features());
        int hits = 0;
        for (int i = 0; i < texts.size(); i++) {
            for (int c = 0; c < intents.numClasses(); c++) {
                assertThat(predictions.get(i).probabilities().get(c)).isEqualTo((double) expected.getFloat(i, c));
            }
            hits += predictions.get(i).label().equals(intents.classNames().get(BundledText.SUPPORT_INTENTS.test().label(i)))
                    ? 1 : 0;
        }
        assertThat(hits).isGreaterThan(3);   // 12 intents: chance would be 1 of 12
    }
}
