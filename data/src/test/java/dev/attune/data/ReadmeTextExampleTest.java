package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.LabeledData;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's text example, and checks that the README still shows this code. */
class ReadmeTextExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(WordPieceParityTest.TOKENIZER_RESOURCE)) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }

        // README example: begin
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromJson(dir.resolve("tokenizer.json"))  // all-MiniLM-L6-v2's
                .withMaxLength(64);
        TextData train = BundledText.SUPPORT_INTENTS.train();          // 504 utterances, 12 intents
        TokenizedText tokens = train.tokenize(tokenizer);               // ids, attention masks, [CLS] ... [SEP]
        int[][] ids = tokens.ids();                                     // [504][64], padded with [PAD] = 0
        LabeledData data = tokens.labeled(train.labels(), train.numClasses());   // features [504, 2, 64]: ids, mask
        TextData reviews = BundledText.FOOD_REVIEWS.test();             // 1,000 Amazon food reviews, great/other
        int cut = reviews.tokenize(tokenizer).truncated();              // reviews longer than 64 tokens, cut
        // README example: end

        assertThat(ids).hasDimensions(504, 64);
        assertThat(ids[0]).startsWith(101, 2073, 2003, 2026, 2344, 1029, 102, 0);   // where is my order ?
        assertThat(data.exampleShape()).containsExactly(2, 64);
        assertThat(data.numClasses()).isEqualTo(12);
        assertThat(cut).isEqualTo(529);                               // as data/DATA.md says

        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeTextExampleTest.class);
    }
}
