package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AttuneException;
import dev.attune.LabeledData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the real bundled texts; counts, first and last rows were checked against the source with R
 * (see data/DATA.md), fingerprints against {@code sha256sum} of the uncompressed CSV files.
 */
class BundledTextTest {
    private static TextData foodTrain;
    private static TextData foodTest;
    private static TextData intentsTrain;
    private static TextData intentsTest;

    @BeforeAll
    static void read() {
        foodTrain = BundledText.FOOD_REVIEWS.train();
        foodTest = BundledText.FOOD_REVIEWS.test();
        intentsTrain = BundledText.SUPPORT_INTENTS.train();
        intentsTest = BundledText.SUPPORT_INTENTS.test();
    }

    @Test
    void foodReviewsAsThePackageHasThem() {
        assertThat(foodTrain.size()).isEqualTo(4000);
        assertThat(foodTest.size()).isEqualTo(1000);
        assertThat(foodTrain.classNames()).containsExactly("great", "other");
        assertThat(foodTrain.classCounts()).containsExactly(2600, 1400);
        assertThat(foodTest.classCounts()).containsExactly(658, 342);
        assertThat(foodTrain.text(0)).isEqualTo("this stuff is  not stuffing  its  not good at all  save your money");
        assertThat(foodTrain.label(0)).isEqualTo(1);
        assertThat(foodTrain.groups()).hasSize(4000).startsWith("B000J0LSBG", "B000EYLDYE").endsWith("B00473JLA6");
        assertThat(foodTrain.text(3999)).startsWith("This is my second order and still the best price I can find");
        assertThat(foodTest.text(0)).isEqualTo("These are the best tasting gummy fruits I have ever eaten. Can't stop"
                + " eating them and the flavors are great.");
        assertThat(foodTest.groups().get(999)).isEqualTo("B001EO5U3I");
        assertThat(foodTest.text(999)).startsWith("This oatmeal is great. It is a lot more flavorful than typic");
        assertThat(foodTrain.texts()).noneMatch(String::isEmpty);
        assertThat(foodTrain.sha256()).isEqualTo("15129e5d1219316914c5aff22c562bb43029ed959202e0597ed8d566b5765b61");
        assertThat(foodTest.sha256()).isEqualTo("545c53117ca83edc65b970af7f4d8ceff70b1b5feb285f02fac834329b03e688");
        assertThat(foodTrain.name()).isEqualTo("bundled dev/attune/data/text/food-reviews/train.csv.gz");
    }

    @Test
    void supportIntentsAreBalancedAndTheTestLinesAreNotTrainingLines() {
        List<String> intents = BundledText.SUPPORT_INTENTS.classNames();
        assertThat(intents).hasSize(12).startsWith("order_status").endsWith("out_of_scope");
        assertThat(intentsTrain.classNames()).isEqualTo(intents);
        assertThat(intentsTrain.classCounts()).hasSize(12).containsOnly(42);
        assertThat(intentsTest.classCounts()).hasSize(12).containsOnly(12);
        assertThat(intentsTrain.groups()).isEmpty();
        Set<String> train = new HashSet<>();
        for (String t : intentsTrain.texts()) {
            train.add(t.toLowerCase().replaceAll("[^a-z0-9]", ""));
        }
        assertThat(train).as("no two training lines differ only in case or punctuation").hasSize(504);
        for (String t : intentsTest.texts()) {
            assertThat(train).as("test line repeats a training line: %s", t)
                    .doesNotContain(t.toLowerCase().replaceAll("[^a-z0-9]", ""));
        }
        assertThat(intentsTrain.sha256()).isEqualTo("87822774880f99d9beafce9e626298631eaf8974ec983393439a55fca87c2aa2");
        assertThat(intentsTest.sha256()).isEqualTo("e09119431d159a40432f46021c51573eec225f985105cac8385f10fbf63851c7");
        assertThat(BundledText.SUPPORT_INTENTS.licence()).contains("Apache");
    }

    @Test
    void textsBecomeLabeledDataThroughTheTokenizer() {
        WordPieceTokenizer tokenizer = WordPieceParityTest.miniLm().withMaxLength(32);
        TokenizedText tokens = intentsTest.tokenize(tokenizer);
        assertThat(tokens.size()).isEqualTo(144);
        assertThat(tokens.truncated()).isZero();
        LabeledData data = intentsTest.toLabeledData(tokenizer);
        assertThat(data.size()).isEqualTo(144);
        assertThat(data.numClasses()).isEqualTo(12);
        assertThat(data.exampleShape()).containsExactly(2, 32);
        assertThat(data.labels()).isEqualTo(intentsTest.labels());
        // Food reviews are long: many do not fit 128 tokens and are cut, never refused.
        TokenizedText reviews = tokenizer.withMaxLength(128).encode(foodTest.texts());
        assertThat(reviews.truncated()).isBetween(1, 999);
    }

    private static Path write(Path dir, String name, byte[] bytes) throws Exception {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    @Test
    void badFilesAreRefusedNamingFileLineAndValue(@TempDir Path dir) throws Exception {
        byte[] latin1 = "text,label\nfine,a\ncaf\u00e9,b\n".getBytes(StandardCharsets.ISO_8859_1);
        Path notUtf8 = write(dir, "latin1.csv", latin1);
        assertThatThrownBy(() -> TextData.csv(notUtf8, "text", "label", "a", "b")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("latin1.csv, line 3").hasMessageContaining("0xE9")
                .hasMessageContaining("not valid UTF-8");
        Path ragged = write(dir, "ragged.csv", "text,label\nhello,a\nhi,there,b\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TextData.csv(ragged, "text", "label", "a", "b")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("ragged.csv, line 3").hasMessageContaining("3 fields")
                .hasMessageContaining("'b'");
        Path emptyLabel = write(dir, "empty.csv", "text,label\nhello,a\nno label here,\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TextData.csv(emptyLabel, "text", "label", "a", "b")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("empty.csv, line 3").hasMessageContaining("label")
                .hasMessageContaining("is empty").hasMessageContaining("no label here");
        Path unknown = write(dir, "unknown.csv", "text,label\nhello,a\nbye,c\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TextData.csv(unknown, "text", "label", "a", "b")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("unknown.csv, line 3").hasMessageContaining("unknown label 'c'")
                .hasMessageContaining("[a, b]");
        Path noColumn = write(dir, "cols.csv", "body,label\nhello,a\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TextData.csv(noColumn, "text", "label", "a", "b")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no column 'text'").hasMessageContaining("[body, label]");
        Path noRows = write(dir, "header.csv", "text,label\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TextData.csv(noRows, "text", "label", "a", "b")).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no rows");
        assertThatThrownBy(() -> TextData.csv(noRows, "text", "label", "a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 class names");
    }

    @Test
    void gzipFilesAndQuotedMultiLineTextsAreRead(@TempDir Path dir) throws Exception {
        String csv = "id,text,label\n1,\"Line one,\nline \"\"two\"\"\",b\n2,,a\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        TextData d = TextData.csv(write(dir, "t.csv.gz", bytes.toByteArray()), "text", "label", "a", "b");
        assertThat(d.texts()).containsExactly("Line one,\nline \"two\"", "");
        assertThat(d.labels()).containsExactly(1, 0);
        TextData plain = TextData.csv(write(dir, "t.csv", csv.getBytes(StandardCharsets.UTF_8)), "text", "label", "a", "b");
        assertThat(plain.sha256()).isEqualTo(d.sha256()).hasSize(64);
    }

    @Test
    void inMemoryTextsAreCheckedAndFingerprintedByContent() {
        TextData a = TextData.of(List.of("refund please", "hi"), new int[] {0, 1}, List.of("refund", "greeting"));
        TextData b = TextData.of(List.of("refund please", "hi"), new int[] {0, 1}, List.of("refund", "greeting"));
        TextData c = TextData.of(List.of("refund please", "hi"), new int[] {1, 1}, List.of("refund", "greeting"));
        assertThat(a.sha256()).isEqualTo(b.sha256()).isNotEqualTo(c.sha256());
        assertThatThrownBy(() -> TextData.of(List.of("x"), new int[] {2}, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2 of text 0");
        assertThatThrownBy(() -> TextData.of(java.util.Arrays.asList("x", null), new int[] {0, 1}, List.of("a", "b")))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("text 1 is null");
        assertThatThrownBy(() -> TextData.of(List.of("x"), new int[] {0}, List.of("a", "a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
    }
}
