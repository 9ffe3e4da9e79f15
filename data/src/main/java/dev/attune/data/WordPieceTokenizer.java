package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The WordPiece tokenizer of BERT-style models, read from a Hugging Face {@code tokenizer.json}
 * and producing the same token ids as the Hugging Face {@code tokenizers} library for the files it
 * accepts:
 *
 * <pre>{@code
 * WordPieceTokenizer tokenizer = WordPieceTokenizer.fromJson(Path.of("tokenizer.json")).withMaxLength(64);
 * TokenizedText batch = tokenizer.encode(List.of("Where is my order?", "Refund please"));
 * int[][] ids = batch.ids();          // [CLS] where is my order ? [SEP] [PAD] ...
 * }</pre>
 *
 * <p>The file must declare a {@code WordPiece} model, a {@code BertNormalizer} (or none), a
 * {@code BertPreTokenizer} and a {@code TemplateProcessing} or {@code BertProcessing} post-processor
 * for single texts; a file of another kind (BPE, Unigram, another normalizer) is refused, naming
 * the type it found. Encoding a text runs, in this order:
 * <ol>
 *   <li>the normalizer, as the file configures it: drop U+0000, U+FFFD and characters of Unicode
 *       categories Cc, Cf and Co (and lone surrogates) except tab, line feed and carriage return,
 *       keep unassigned code points (Cn: Java 17 knows Unicode 13, so newer emoji are Cn here; the
 *       reference keeps them and they become [UNK]), and turn every white-space character into a
 *       space ({@code clean_text}); put spaces around CJK ideographs
 *       ({@code handle_chinese_chars}); decompose (NFD) and drop non-spacing marks
 *       ({@code strip_accents}, which follows {@code lowercase} when the file gives null); lower-case
 *       each character with its full Unicode mapping ({@code lowercase});</li>
 *   <li>BERT pre-tokenisation: split at white space (dropped) and around each punctuation character
 *       (ASCII punctuation or Unicode category P, kept as a word of its own);</li>
 *   <li>WordPiece per word: greedy longest match first from the vocabulary, pieces after the first
 *       prefixed with the file's continuing-subword prefix ({@code ##}); a word longer than
 *       {@code max_input_chars_per_word} code points, or one that cannot be covered by pieces,
 *       becomes the unknown token;</li>
 *   <li>truncation to {@link #maxLength()} tokens including the special tokens (the pieces at the
 *       end are dropped and the text is counted in {@link TokenizedText#truncated()}), the
 *       post-processor's special tokens ({@code [CLS] ... [SEP]}), then padding with the file's pad
 *       id.</li>
 * </ol>
 * The maximum length defaults to the file's {@code truncation.max_length} (128 for all-MiniLM-L6-v2),
 * or 512 when the file sets none or a value outside {@code [2, MAX_LENGTH_LIMIT]}. Instances are immutable and safe to share between threads.
 *
 * <p>Tested code point by code point ({@code "x" + c + "y"} for every code point but the
 * surrogates) against {@code tokenizers} 0.22.2 with all-MiniLM-L6-v2's file, the ids differ for
 * 367 of 1,112,064: the reference's category tables ({@code unicode_categories}) are those of
 * Unicode 8.0, so 362 marks, punctuation and format characters added in Unicode 9.0 to 13.0 (such
 * as U+2E43, U+13430), which Java 17 classifies, are plain letters to it, and 5 characters have
 * changed category since (U+166D, U+1885, U+1886, U+A9BD, U+111C9).
 */
public final class WordPieceTokenizer {
    /** The largest maximum length accepted; BERT-style models take at most 512 positions. */
    public static final int MAX_LENGTH_LIMIT = 8192;

    private static final int DEFAULT_MAX_LENGTH = 512;

    /** How the ids of a batch are padded. */
    public enum Padding {
        /** Every row has {@link #maxLength()} positions (what the MiniLM file asks for). */
        MAX_LENGTH,
        /** Every row has as many positions as the longest encoded text of the batch. */
        LONGEST
    }

    private final String name;
    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final String unkToken;
    private final int unkId;
    private final String prefix;
    private final int maxInputCharsPerWord;
    private final boolean cleanText;
    private final boolean chineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;
    private final int[] before;
    private final int[] after;
    private final int padId;
    private final int maxLength;
    private final Padding padding;

    private WordPieceTokenizer(String name, Map<String, Integer> vocab, String[] tokens, String unkToken, String prefix,
            int maxInputCharsPerWord, boolean cleanText, boolean chineseChars, boolean stripAccents, boolean lowercase,
            int[] before, int[] after, int padId, int maxLength, Padding padding) {
        this.name = name;
        this.vocab = vocab;
        this.tokens = tokens;
        this.unkToken = unkToken;
        this.unkId = vocab.get(unkToken);
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        this.cleanText = cleanText;
        this.chineseChars = chineseChars;
        this.stripAccents = stripAccents;
        this.lowercase = lowercase;
        this.before = before;
        this.after = after;
        this.padId = padId;
        this.maxLength = maxLength;
        this.padding = padding;
    }

    /**
     * Reads a tokenizer from a {@code tokenizer.json} file.
     *
     * @throws AttuneException when the file is missing, unreadable, not JSON, or not a WordPiece
     *     tokenizer of the kind described above (the message names what was found)
     */
    public static WordPieceTokenizer fromJson(Path file) {
        requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return fromJson(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new AttuneException("tokenizer file " + file + " does not exist; give the path of a Hugging Face"
                    + " tokenizer.json", e);
        } catch (IOException e) {
            throw new AttuneException("cannot read tokenizer file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a tokenizer from the bytes of a {@code tokenizer.json} (UTF-8 JSON); the stream is read to
     * its end and not closed.
     *
     * @param name how messages name the source, for example a resource path
     * @throws AttuneException when the bytes are unreadable, not JSON, or not a WordPiece tokenizer of
     *     the kind described above (the message names what was found)
     */
    public static WordPieceTokenizer fromJson(InputStream in, String name) {
        requireNonNull(in, "in");
        requireNonNull(name, "name");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new AttuneException(name + " is not valid JSON (" + e.getMessage() + "); give a Hugging Face"
                    + " tokenizer.json", e);
        }
        if (root == null || !root.isObject()) {
            throw new AttuneException(name + " is not a JSON object; give a Hugging Face tokenizer.json");
        }
        return parse(root, name);
    }

    private static WordPieceTokenizer parse(JsonNode root, String name) {
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new AttuneException(name + " has no \"model\" object; give a Hugging Face tokenizer.json");
        }
        String type = model.path("type").asText("");
        if (!"WordPiece".equals(type)) {
            throw new AttuneException(name + " holds a tokenizer of model type '" + (type.isEmpty() ? "(none)" : type)
                    + "', not 'WordPiece'; only BERT-style WordPiece tokenizers are supported");
        }
        JsonNode vocabNode = model.get("vocab");
        if (vocabNode == null || !vocabNode.isObject() || vocabNode.size() == 0) {
            throw new AttuneException(name + ": the WordPiece model has no \"vocab\" object of token ids");
        }
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new AttuneException(name + ": vocabulary entry '" + e.getKey() + "' has id " + e.getValue()
                        + "; ids must be non-negative integers");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
            maxId = Math.max(maxId, e.getValue().asInt());
        }
        String[] tokens = new String[maxId + 1];
        vocab.forEach((t, id) -> tokens[id] = t);
        String unk = model.path("unk_token").asText("[UNK]");
        if (!vocab.containsKey(unk)) {
            throw new AttuneException(name + ": the unknown token '" + unk + "' is not in the vocabulary");
        }
        String prefix = model.path("continuing_subword_prefix").asText("##");
        int maxChars = model.path("max_input_chars_per_word").asInt(100);

        boolean clean = false;
        boolean chinese = false;
        boolean strip = false;
        boolean lower = false;
        JsonNode norm = root.get("normalizer");
        if (norm != null && !norm.isNull()) {
            String nt = norm.path("type").asText("");
            if (!"BertNormalizer".equals(nt)) {
                throw new AttuneException(name + " declares a normalizer of type '" + nt + "'; only 'BertNormalizer'"
                        + " (or none) is supported");
            }
            clean = norm.path("clean_text").asBoolean(true);
            chinese = norm.path("handle_chinese_chars").asBoolean(true);
            lower = norm.path("lowercase").asBoolean(true);
            JsonNode sa = norm.get("strip_accents");
            strip = sa == null || sa.isNull() ? lower : sa.asBoolean();
        }
        JsonNode pre = root.get("pre_tokenizer");
        String pt = pre == null || pre.isNull() ? "(none)" : pre.path("type").asText("");
        if (!"BertPreTokenizer".equals(pt)) {
            throw new AttuneException(name + " declares a pre-tokenizer of type '" + pt + "'; only 'BertPreTokenizer'"
                    + " is supported");
        }

        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        JsonNode post = root.get("post_processor");
        String postType = post == null || post.isNull() ? "(none)" : post.path("type").asText("");
        if ("TemplateProcessing".equals(postType)) {
            boolean seenSequence = false;
            for (JsonNode piece : post.path("single")) {
                if (piece.has("Sequence")) {
                    if (seenSequence) {
                        throw new AttuneException(name + ": the post-processor's single template holds the sequence"
                                + " twice");
                    }
                    seenSequence = true;
                } else if (piece.has("SpecialToken")) {
                    String id = piece.get("SpecialToken").path("id").asText();
                    JsonNode ids = post.path("special_tokens").path(id).path("ids");
                    if (!ids.isArray() || ids.size() == 0) {
                        throw new AttuneException(name + ": the post-processor uses special token '" + id
                                + "' but declares no ids for it in \"special_tokens\"");
                    }
                    for (JsonNode i : ids) {
                        (seenSequence ? after : before).add(i.asInt());
                    }
                } else {
                    throw new AttuneException(name + ": unknown piece " + piece + " in the post-processor's template");
                }
            }
            if (!seenSequence) {
                throw new AttuneException(name + ": the post-processor's single template has no sequence");
            }
        } else if ("BertProcessing".equals(postType)) {
            before.add(post.path("cls").path(1).asInt());
            after.add(post.path("sep").path(1).asInt());
        } else {
            throw new AttuneException(name + " declares a post-processor of type '" + postType + "'; only"
                    + " 'TemplateProcessing' and 'BertProcessing' ([CLS] ... [SEP]) are supported");
        }
        int maxLength = DEFAULT_MAX_LENGTH;
        JsonNode trunc = root.get("truncation");
        if (trunc != null && trunc.has("max_length")) {
            maxLength = trunc.get("max_length").asInt();
        }
        int padId = 0;
        JsonNode pad = root.get("padding");
        if (pad != null && pad.has("pad_id")) {
            padId = pad.get("pad_id").asInt();
        } else if (vocab.containsKey("[PAD]")) {
            padId = vocab.get("[PAD]");
        }
        int specials = before.size() + after.size();
        if (maxLength < specials || maxLength > MAX_LENGTH_LIMIT) {
            maxLength = DEFAULT_MAX_LENGTH;
        }
        return new WordPieceTokenizer(name, Map.copyOf(vocab), tokens, unk, prefix, maxChars, clean, chinese, strip,
                lower, toArray(before), toArray(after), padId, maxLength, Padding.MAX_LENGTH);
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A tokenizer like this one with another maximum length (in tokens, special tokens included).
     *
     * @throws IllegalArgumentException when {@code maxLength} is smaller than the number of special
     *     tokens (2 for {@code [CLS] ... [SEP]}) or exceeds {@link #MAX_LENGTH_LIMIT}
     */
    public WordPieceTokenizer withMaxLength(int maxLength) {
        int specials = before.length + after.length;
        if (maxLength < specials || maxLength > MAX_LENGTH_LIMIT) {
            throw new IllegalArgumentException("maxLength must be in [" + specials + ", " + MAX_LENGTH_LIMIT
                    + "] (at least the " + specials + " special tokens), got " + maxLength
                    + "; BERT-style models take at most 512 positions");
        }
        return new WordPieceTokenizer(name, vocab, tokens, unkToken, prefix, maxInputCharsPerWord, cleanText,
                chineseChars, stripAccents, lowercase, before, after, padId, maxLength, padding);
    }

    /** A tokenizer like this one with another padding rule (default {@link Padding#MAX_LENGTH}). */
    public WordPieceTokenizer withPadding(Padding padding) {
        requireNonNull(padding, "padding");
        return new WordPieceTokenizer(name, vocab, tokens, unkToken, prefix, maxInputCharsPerWord, cleanText,
                chineseChars, stripAccents, lowercase, before, after, padId, maxLength, padding);
    }

    /** The maximum number of tokens of an encoded text, special tokens included. */
    public int maxLength() {
        return maxLength;
    }

    /** The padding rule of {@link #encode(List)}. */
    public Padding padding() {
        return padding;
    }

    /** The number of ids of the vocabulary (the largest id plus one). */
    public int vocabSize() {
        return tokens.length;
    }

    /** The id of the padding token. */
    public int padId() {
        return padId;
    }

    /** The token of an id, or {@code null} for an id outside the vocabulary. */
    public String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    /**
     * The word pieces of a text, without special tokens, truncation or padding.
     *
     * @throws NullPointerException for a null text
     */
    public List<String> tokenize(String text) {
        requireNonNull(text, "text");
        List<String> out = new ArrayList<>();
        for (int id : pieces(text)) {
            out.add(tokens[id]);
        }
        return out;
    }

    /**
     * Encodes texts into a batch: special tokens, truncation to {@link #maxLength()}, padding as
     * {@link #padding()} says. A text that is too long is cut (its last pieces are dropped) and counted
     * in {@link TokenizedText#truncated()}; an empty text becomes the special tokens alone.
     *
     * @throws NullPointerException for a null list or a null text (the message gives its index)
     * @throws IllegalArgumentException for an empty list
     */
    public TokenizedText encode(List<String> texts) {
        requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to encode; give at least one text");
        }
        int n = texts.size();
        int[][] rows = new int[n][];
        boolean[] cut = new boolean[n];
        int room = maxLength - before.length - after.length;
        int longest = 0;
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new NullPointerException("text " + i + " is null; give an empty string for no text");
            }
            int[] p = pieces(text);
            int keep = Math.min(p.length, room);
            cut[i] = keep < p.length;
            int[] row = new int[before.length + keep + after.length];
            System.arraycopy(before, 0, row, 0, before.length);
            System.arraycopy(p, 0, row, before.length, keep);
            System.arraycopy(after, 0, row, before.length + keep, after.length);
            rows[i] = row;
            longest = Math.max(longest, row.length);
        }
        int width = padding == Padding.MAX_LENGTH ? maxLength : longest;
        int[][] ids = new int[n][width];
        int[][] mask = new int[n][width];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(ids[i], padId);
            System.arraycopy(rows[i], 0, ids[i], 0, rows[i].length);
            java.util.Arrays.fill(mask[i], 0, rows[i].length, 1);
        }
        return new TokenizedText(ids, mask, cut);
    }

    /** Encodes texts; see {@link #encode(List)}. */
    public TokenizedText encode(String... texts) {
        requireNonNull(texts, "texts");
        return encode(java.util.Arrays.asList(texts));
    }

    /** The vocabulary ids of the word pieces of a text. */
    private int[] pieces(String text) {
        String normal = normalize(text);
        List<Integer> ids = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < normal.length(); ) {
            int cp = normal.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isWhitespace(cp) || isPunctuation(cp)) {
                if (start >= 0) {
                    wordPiece(normal.substring(start, i), ids);
                    start = -1;
                }
                if (!isWhitespace(cp)) {
                    wordPiece(normal.substring(i, next), ids);
                }
            } else if (start < 0) {
                start = i;
            }
            i = next;
        }
        if (start >= 0) {
            wordPiece(normal.substring(start), ids);
        }
        return toArray(ids);
    }

    private void wordPiece(String word, List<Integer> ids) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            ids.add(unkId);
            return;
        }
        int mark = ids.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            while (start < end) {
                String piece = word.substring(start, end);
                if (start > 0) {
                    piece = prefix + piece;
                }
                found = vocab.get(piece);
                if (found != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                ids.subList(mark, ids.size()).clear();
                ids.add(unkId);
                return;
            }
            ids.add(found);
            start = end;
        }
    }

    private String normalize(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cleanText) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                    return;
                }
                if (isWhitespace(cp)) {
                    cp = ' ';
                }
            }
            if (chineseChars && isChinese(cp)) {
                b.append(' ').appendCodePoint(cp).append(' ');
            } else {
                b.appendCodePoint(cp);
            }
        });
        String s = b.toString();
        if (stripAccents) {
            String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder kept = new StringBuilder(nfd.length());
            nfd.codePoints().filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                    .forEach(kept::appendCodePoint);
            s = kept.toString();
        }
        if (lowercase) {
            StringBuilder lower = new StringBuilder(s.length());
            // One code point at a time with its full mapping (U+0130 becomes "i" + U+0307) and no
            // context (no final sigma), as the Rust library lower-cases.
            s.codePoints().forEach(cp -> {
                if (cp < 0x80) {
                    lower.append((char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
                } else {
                    lower.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
                }
            });
            s = lower.toString();
        }
        return s;
    }

    /** Unicode's White_Space property (Rust's {@code char::is_whitespace}). */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /**
     * Categories Cc, Cf and Co, except tab, line feed and carriage return: the reference's
     * {@code is_other} (of the {@code unicode_categories} crate) names these three and not Cn. A
     * code point Java's tables call unassigned, such as an emoji newer than Java's Unicode version
     * (U+1FAE0 is Cn in Java 17, So since Unicode 14), is kept as the reference keeps it. A lone
     * surrogate (Cs), which the reference cannot be given, is dropped like U+FFFD, which a lossy
     * decoder would have made of it.
     */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.SURROGATE
                || t == Character.PRIVATE_USE;
    }

    /** ASCII punctuation or Unicode category P. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** The CJK ideograph blocks BERT separates. */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer[" + name + ", vocabulary " + tokens.length + ", maxLength " + maxLength
                + ", padding " + padding + ", lowercase " + lowercase + ", stripAccents " + stripAccents + "]";
    }
}
