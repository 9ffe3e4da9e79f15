package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch of texts encoded by a {@link WordPieceTokenizer}: {@code n} rows of {@code L} positions
 * each, holding token ids, the attention mask (1 for a token, 0 for padding) and the token type ids
 * (all 0: one segment per text), and which texts were cut to fit the maximum length. Immutable;
 * every accessor returns a copy.
 *
 * <p>For a {@link LabeledData} (whose features are one array), {@link #features()} stacks ids and
 * mask as {@code [n, 2, L]} floats: {@code features[i, 0, j]} is the id at position {@code j} of text
 * {@code i} and {@code features[i, 1, j]} its mask. Ids are whole numbers below 2<sup>24</sup>, so
 * the float holds each one exactly; an encoder reads them back with
 * {@code features.get(all(), point(0), all())} and casts them to integers.
 */
public final class TokenizedText {
    private final int[][] ids;
    private final int[][] mask;
    private final boolean[] truncated;

    TokenizedText(int[][] ids, int[][] mask, boolean[] truncated) {
        this.ids = ids;
        this.mask = mask;
        this.truncated = truncated;
    }

    /** The number of texts. */
    public int size() {
        return ids.length;
    }

    /** The number of positions of every row, padding included. */
    public int length() {
        return ids[0].length;
    }

    /** The token ids, {@code [n][L]}, padded with the tokenizer's pad id. */
    public int[][] ids() {
        return copy(ids);
    }

    /** The attention mask, {@code [n][L]}: 1 at a token (special tokens included), 0 at padding. */
    public int[][] attentionMask() {
        return copy(mask);
    }

    /** The token type ids, {@code [n][L]}: all 0, as for a single text. */
    public int[][] tokenTypeIds() {
        return new int[ids.length][ids[0].length];
    }

    /** The number of tokens of text {@code i}, special tokens included (its mask's sum). */
    public int tokenCount(int i) {
        int c = 0;
        for (int m : mask[i]) {
            c += m;
        }
        return c;
    }

    /** How many texts were longer than the maximum length and were cut. */
    public int truncated() {
        int c = 0;
        for (boolean t : truncated) {
            c += t ? 1 : 0;
        }
        return c;
    }

    /** Whether text {@code i} was cut to fit the maximum length. */
    public boolean isTruncated(int i) {
        return truncated[i];
    }

    /** The token ids as a {@code [n, L]} INT32 array. */
    public INDArray idsArray() {
        return Nd4j.createFromArray(ids).castTo(DataType.INT32);
    }

    /** The attention mask as a {@code [n, L]} FLOAT array of 0 and 1. */
    public INDArray maskArray() {
        return Nd4j.createFromArray(mask).castTo(DataType.FLOAT);
    }

    /**
     * Ids and mask stacked as one {@code [n, 2, L]} FLOAT array (channel 0 the ids, channel 1 the
     * mask), the features of {@link #labeled(int[], int)}.
     */
    public INDArray features() {
        int n = ids.length;
        int l = ids[0].length;
        float[] flat = new float[n * 2 * l];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < l; j++) {
                flat[(i * 2) * l + j] = ids[i][j];
                flat[(i * 2 + 1) * l + j] = mask[i][j];
            }
        }
        return Nd4j.create(flat, new long[] {n, 2, l}, 'c');
    }

    /**
     * These texts as labelled examples, with {@link #features()} as features.
     *
     * @throws IllegalArgumentException as {@link LabeledData#of} does (a label count that differs from
     *     {@link #size()}, a label outside {@code [0, numClasses)}, fewer than 2 classes)
     */
    public LabeledData labeled(int[] labels, int numClasses) {
        requireNonNull(labels, "labels");
        return LabeledData.of(features(), labels, numClasses);
    }

    private static int[][] copy(int[][] a) {
        int[][] c = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    @Override
    public String toString() {
        return "TokenizedText[" + ids.length + " texts x " + ids[0].length + " positions, " + truncated()
                + " truncated, first " + Arrays.toString(Arrays.copyOf(ids[0], Math.min(8, ids[0].length))) + "...]";
    }
}
