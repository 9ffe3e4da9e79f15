package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import dev.attune.LabeledData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Labelled texts for classification: one text and one class index per example, the class names, an
 * optional group per example (such as the product a review is about) and a SHA-256 fingerprint.
 * Immutable.
 *
 * <pre>{@code
 * TextData train = TextData.csv(Path.of("tickets.csv"), "text", "label", "refund", "other");
 * LabeledData features = train.toLabeledData(tokenizer);   // [n, 2, L]: ids and attention mask
 * }</pre>
 *
 * <p>Texts may be empty (they encode to the special tokens alone); labels may not.
 */
public final class TextData {
    private final String name;
    private final List<String> texts;
    private final int[] labels;
    private final List<String> classNames;
    private final List<String> groups;
    private final String sha256;

    private TextData(String name, List<String> texts, int[] labels, List<String> classNames, List<String> groups,
            String sha256) {
        this.name = name;
        this.texts = texts;
        this.labels = labels;
        this.classNames = classNames;
        this.groups = groups;
        this.sha256 = sha256;
    }

    /**
     * Labelled texts from memory. The fingerprint is the SHA-256 of the class names, then of each
     * text and its label, every string as its UTF-8 length (4 bytes, big-endian) and bytes.
     *
     * @param labels one class index per text, in {@code [0, classNames.size())}
     * @param classNames the class names in class-index order, at least 2, distinct and not blank
     * @throws IllegalArgumentException for no texts, a count mismatch, a label out of range, fewer
     *     than 2 or repeated class names
     * @throws NullPointerException for a null text (the message gives its index)
     */
    public static TextData of(List<String> texts, int[] labels, List<String> classNames) {
        requireNonNull(texts, "texts");
        requireNonNull(labels, "labels");
        List<String> classes = checkClasses(classNames);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts; give at least one labelled text");
        }
        if (texts.size() != labels.length) {
            throw new IllegalArgumentException(texts.size() + " texts but " + labels.length
                    + " labels; give one label per text");
        }
        MessageDigest md = newDigest();
        for (String c : classes) {
            update(md, c);
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new NullPointerException("text " + i + " is null; give an empty string for no text");
            }
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of text " + i + " is outside [0, "
                        + classes.size() + "); classes are " + classes);
            }
            update(md, texts.get(i));
            update(md, Integer.toString(labels[i]));
        }
        return new TextData("texts in memory", List.copyOf(texts), labels.clone(), classes, List.of(),
                HexFormat.of().formatHex(md.digest()));
    }

    /**
     * Reads labelled texts from a CSV file (RFC 4180, UTF-8, header row; a name ending in
     * {@code .gz} is read through gzip). Other columns are ignored. The fingerprint is the SHA-256
     * of the CSV bytes (after decompression).
     *
     * @param classNames the classes in class-index order; every label must be one of them
     * @throws AttuneException for a missing or unreadable file, bytes that are not UTF-8 (compressed
     *     bytes, a zip archive or UTF-16 text under a plain name are named as such), a row with
     *     more or fewer fields than the header, an empty label, a label that is not a class, a
     *     missing column or a file without rows; the message names the file, the line and the value
     * @throws IllegalArgumentException for fewer than 2 or repeated class names
     */
    public static TextData csv(Path file, String textColumn, String labelColumn, String... classNames) {
        requireNonNull(file, "file");
        requireNonNull(classNames, "classNames");
        return read(RecordReader.file(file), file.toString(), textColumn, labelColumn, null, List.of(classNames));
    }

    static TextData read(RecordReader.Opener opener, String name, String textColumn, String labelColumn,
            String groupColumn, List<String> classNames) {
        requireNonNull(textColumn, "textColumn");
        requireNonNull(labelColumn, "labelColumn");
        List<String> classes = checkClasses(classNames);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        List<String> texts = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        int[] labels = new int[1024];
        String sha;
        try (RecordReader r = RecordReader.Format.CSV.open(opener, name)) {
            int t = column(r, textColumn, name);
            int l = column(r, labelColumn, name);
            int g = groupColumn == null ? -1 : column(r, groupColumn, name);
            String[] row;
            while ((row = r.next()) != null) {
                String label = row[l];
                if (label.isBlank()) {
                    throw new AttuneException(name + ", line " + r.line() + ": the label (column '" + labelColumn
                            + "') is empty for text '" + Visible.tail(row[t]) + "'; give every row one of "
                            + classes);
                }
                Integer c = index.get(label);
                if (c == null) {
                    throw new AttuneException(name + ", line " + r.line() + ": unknown label '" + Visible.quote(label)
                            + "' in column '" + labelColumn + "'; the classes are [" + Visible.join(classes) + "]"
                            + Visible.note(label) + " (fix the row or declare the class)");
                }
                if (texts.size() == labels.length) {
                    labels = Arrays.copyOf(labels, labels.length * 2);
                }
                labels[texts.size()] = c;
                texts.add(row[t]);
                if (g >= 0) {
                    groups.add(row[g]);
                }
            }
            sha = r.sha256();
        }
        if (texts.isEmpty()) {
            throw new AttuneException(name + " holds a header but no rows; give at least one labelled text");
        }
        return new TextData(name, List.copyOf(texts), Arrays.copyOf(labels, texts.size()), classes,
                List.copyOf(groups), sha);
    }

    private static int column(RecordReader r, String column, String name) {
        int i = r.columns().indexOf(column);
        if (i < 0) {
            throw new AttuneException(name + " has no column '" + column + "'; its columns are [" + Visible.join(r.columns()) + "]");
        }
        return i;
    }

    private static List<String> checkClasses(List<String> classNames) {
        requireNonNull(classNames, "classNames");
        if (classNames.size() < 2) {
            throw new IllegalArgumentException("give at least 2 class names, got " + classNames);
        }
        if (classNames.stream().anyMatch(c -> c == null || c.isBlank())) {
            throw new IllegalArgumentException("class names must not be null or blank, got " + classNames);
        }
        if (classNames.stream().distinct().count() != classNames.size()) {
            throw new IllegalArgumentException("class names must be distinct, got " + classNames);
        }
        return List.copyOf(classNames);
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void update(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8),
                (byte) b.length});
        md.update(b);
    }

    /** Where the texts came from: the file or resource, or "texts in memory". */
    public String name() {
        return name;
    }

    /** The number of examples. */
    public int size() {
        return texts.size();
    }

    /** The texts, in file order (unmodifiable). */
    public List<String> texts() {
        return texts;
    }

    /** Text {@code i}. */
    public String text(int i) {
        return texts.get(i);
    }

    /** A copy of the class indices, one per text. */
    public int[] labels() {
        return labels.clone();
    }

    /** The class index of text {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** The class names in class-index order. */
    public List<String> classNames() {
        return classNames;
    }

    /** The number of classes. */
    public int numClasses() {
        return classNames.size();
    }

    /** The number of examples of each class, in class-index order. */
    public int[] classCounts() {
        int[] counts = new int[classNames.size()];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /**
     * The group of each example (for the bundled food reviews, the product id), for group-aware
     * splits; empty when the data has no group column.
     */
    public List<String> groups() {
        return groups;
    }

    /** The SHA-256 in hex: of the CSV bytes for a file, of the content for {@link #of}. */
    public String sha256() {
        return sha256;
    }

    /** Encodes every text with the tokenizer; see {@link WordPieceTokenizer#encode(List)}. */
    public TokenizedText tokenize(WordPieceTokenizer tokenizer) {
        requireNonNull(tokenizer, "tokenizer");
        return tokenizer.encode(texts);
    }

    /**
     * The examples as {@link LabeledData} for an encoder: features {@code [n, 2, L]} (ids, then the
     * attention mask; see {@link TokenizedText#features()}) and these labels.
     */
    public LabeledData toLabeledData(WordPieceTokenizer tokenizer) {
        return tokenize(tokenizer).labeled(labels, classNames.size());
    }

    @Override
    public String toString() {
        return "TextData[" + name + ", " + texts.size() + " texts, classes " + classNames + " "
                + Arrays.toString(classCounts()) + ", sha256 " + sha256.substring(0, 12) + "]";
    }
}
