package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.LabeledData;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bad input and the shapes of the output; ids against the reference are in {@link WordPieceParityTest}. */
class WordPieceTokenizerTest {
    private static WordPieceTokenizer miniLm;

    @BeforeAll
    static void load() {
        miniLm = WordPieceParityTest.miniLm();
    }

    /** A tiny tokenizer.json; {@code model}, {@code normalizer} and {@code post} are spliced in. */
    private static String json(String model, String normalizer, String post) {
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"normalizer\":" + normalizer + ","
                + "\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"},\"post_processor\":" + post + ",\"model\":" + model + "}";
    }

    private static final String VOCAB = "{\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3,\"hello\":4,\"Hello\":5,"
            + "\"un\":6,\"##able\":7,\"!\":8,\"caf\":9,\"##e\":10,\"##\u00e9\":11}";
    private static final String WORDPIECE = "{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\","
            + "\"continuing_subword_prefix\":\"##\",\"max_input_chars_per_word\":6,\"vocab\":" + VOCAB + "}";
    private static final String BERT_PROCESSING = "{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]}";

    private static WordPieceTokenizer read(String json) {
        return WordPieceTokenizer.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    @Test
    void emptyAndBlankTextsEncodeToTheSpecialTokensAlone() {
        TokenizedText t = miniLm.withPadding(WordPieceTokenizer.Padding.LONGEST).encode("", " \t\n", "\u200b");
        assertThat(t.ids()).isDeepEqualTo(new int[][] {{101, 102}, {101, 102}, {101, 102}});
        assertThat(t.attentionMask()).isDeepEqualTo(new int[][] {{1, 1}, {1, 1}, {1, 1}});
        assertThat(t.truncated()).isZero();
        assertThat(miniLm.tokenize("")).isEmpty();
    }

    @Test
    void longTextsAreTruncatedAndCountedNeverRefused() {
        String huge = "refund ".repeat(100_000);
        TokenizedText t = miniLm.withMaxLength(16).encode(huge, "short one", huge);
        assertThat(t.truncated()).isEqualTo(2);
        assertThat(t.isTruncated(0)).isTrue();
        assertThat(t.isTruncated(1)).isFalse();
        assertThat(t.ids()[0]).hasSize(16).startsWith(101).endsWith(102);
        assertThat(t.tokenCount(0)).isEqualTo(16);
        assertThat(t.tokenCount(1)).isEqualTo(4);
        // A maximum length of 2 holds only [CLS] [SEP]: every text with a token is cut.
        TokenizedText two = miniLm.withMaxLength(2).encode("hello", "");
        assertThat(two.ids()).isDeepEqualTo(new int[][] {{101, 102}, {101, 102}});
        assertThat(two.truncated()).isEqualTo(1);
    }

    @Test
    void absurdMaximumLengthsAreRefused() {
        assertThatThrownBy(() -> miniLm.withMaxLength(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLength must be in [2, 8192]").hasMessageContaining("got 1");
        assertThatThrownBy(() -> miniLm.withMaxLength(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> miniLm.withMaxLength(1_000_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 1000000");
        assertThat(miniLm.withMaxLength(512).maxLength()).isEqualTo(512);
        assertThat(miniLm.maxLength()).as("withMaxLength returns a new tokenizer").isEqualTo(128);
    }

    @Test
    void nullsAreRefusedWithTheirIndex() {
        assertThatThrownBy(() -> miniLm.encode(Arrays.asList("fine", null))).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("text 1 is null");
        assertThatThrownBy(() -> miniLm.tokenize(null)).isInstanceOf(NullPointerException.class).hasMessage("text");
        assertThatThrownBy(() -> miniLm.encode(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no texts");
    }

    @Test
    void otherModelTypesAreRefusedNamingTheType() {
        String bpe = "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[]}";
        assertThatThrownBy(() -> read(json(bpe, "null", BERT_PROCESSING))).isInstanceOf(AttuneException.class)
                .hasMessageContaining("test.json").hasMessageContaining("model type 'BPE'")
                .hasMessageContaining("WordPiece");
        assertThatThrownBy(() -> read(json(WORDPIECE, "{\"type\":\"NFKC\"}", BERT_PROCESSING)))
                .isInstanceOf(AttuneException.class).hasMessageContaining("normalizer of type 'NFKC'");
        assertThatThrownBy(() -> read(json(WORDPIECE, "null", "{\"type\":\"RobertaProcessing\"}")))
                .isInstanceOf(AttuneException.class).hasMessageContaining("post-processor of type 'RobertaProcessing'");
        assertThatThrownBy(() -> read("[1, 2]")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> read("{\"model\": ")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> WordPieceTokenizer.fromJson(missing)).isInstanceOf(AttuneException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void theNormalizerFollowsTheFile(@TempDir Path dir) throws Exception {
        Path cased = dir.resolve("tokenizer.json");
        Files.writeString(cased, json(WORDPIECE, "{\"type\":\"BertNormalizer\",\"clean_text\":true,"
                + "\"handle_chinese_chars\":true,\"strip_accents\":false,\"lowercase\":false}", BERT_PROCESSING));
        WordPieceTokenizer t = WordPieceTokenizer.fromJson(cased);
        assertThat(t.maxLength()).as("no truncation in the file: 512").isEqualTo(512);
        // Cased, accents kept: "caf" + "##\u00e9"; a word of 7 code points exceeds max_input_chars_per_word 6.
        assertThat(t.tokenize("Hello hello caf\u00e9 unable unables!")).containsExactly(
                "Hello", "hello", "caf", "##\u00e9", "un", "##able", "[UNK]", "!");
        WordPieceTokenizer lower = read(json(WORDPIECE, "{\"type\":\"BertNormalizer\",\"lowercase\":true,"
                + "\"strip_accents\":null}", BERT_PROCESSING));
        assertThat(lower.tokenize("HELLO Caf\u00c9 unknownword")).containsExactly("hello", "caf", "##e", "[UNK]");
        assertThat(lower.encode("hello!").ids()[0]).startsWith(2, 4, 8, 3, 0);
    }

    @Test
    void featuresStackIdsAndMaskForLabeledData() {
        TokenizedText t = miniLm.withMaxLength(6).encode("where is my order", "hi");
        INDArray f = t.features();
        assertThat(f.shape()).containsExactly(2, 2, 6);
        assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(t.ids()[0]).containsExactly(101, 2073, 2003, 2026, 2344, 102);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 6; j++) {
                assertThat(f.getInt(i, 0, j)).isEqualTo(t.ids()[i][j]);
                assertThat(f.getInt(i, 1, j)).isEqualTo(t.attentionMask()[i][j]);
            }
        }
        assertThat(t.idsArray().toIntMatrix()).isDeepEqualTo(t.ids());
        assertThat(t.maskArray().getDouble(1, 3)).isZero();
        LabeledData d = t.labeled(new int[] {1, 0}, 2);
        assertThat(d.exampleShape()).containsExactly(2, 6);
        assertThat(d.labels()).containsExactly(1, 0);
        assertThatThrownBy(() -> t.labeled(new int[] {1}, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
