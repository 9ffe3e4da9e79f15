package dev.attune.internal.bert;

import dev.attune.internal.math.FlatArray;

/**
 * Sequences' tokens packed row after row, padding left out, for the written-out passes
 * ({@link BertStep}, {@link BertForward}): sequence {@code s} is rows
 * {@code [start[s], start[s] + length[s])}, row {@code r} is position {@code origin[r]} of the
 * {@code [sequences * seqLen]} input (sequence {@code origin[r] / seqLen}, position
 * {@code origin[r] % seqLen}), and the attention scores of sequence {@code s}, head {@code k} start at
 * {@code scoresAt[s] + k length[s]^2}. A padded position's row in the graph changes nothing that is
 * pooled (the mask takes it out of every softmax, at exactly 0, and out of the mean), so leaving it
 * out gives the same result for less work; the tokens a mask keeps need not be contiguous. Attention
 * then runs per sequence over its own tokens ({@link #attend}).
 *
 * @param rows the number of tokens
 * @param maxLength the longest sequence's tokens
 */
record PackedTokens(int rows, int[] start, int[] length, int[] origin, long[] scoresAt, int maxLength) {
    /**
     * Packs sequences {@code [from, to)} of a 0/1 mask ({@code [n][seqLen]}, a token in every row);
     * {@code origin} counts from sequence {@code from}.
     */
    static PackedTokens of(double[][] mask, int from, int to, int heads) {
        int batch = to - from;
        int len = mask[from].length;
        int[] start = new int[batch + 1];
        int[] length = new int[batch];
        int[] origin = new int[batch * len];
        long[] scoresAt = new long[batch + 1];
        int rows = 0;
        int longest = 0;
        for (int s = 0; s < batch; s++) {
            start[s] = rows;
            for (int l = 0; l < len; l++) {
                if (mask[from + s][l] != 0) {
                    origin[rows++] = s * len + l;
                }
            }
            length[s] = rows - start[s];
            longest = Math.max(longest, length[s]);
            scoresAt[s + 1] = scoresAt[s] + (long) heads * length[s] * length[s];
        }
        start[batch] = rows;
        return new PackedTokens(rows, start, length, origin, scoresAt, longest);
    }

    /** The number of sequences. */
    int sequences() {
        return length.length;
    }

    /**
     * The attention of (sequence, head) pair {@code i} (sequence {@code i / heads}, head
     * {@code i % heads}) over the sequence's own tokens: scores {@code alpha q k^T} into {@code scores}
     * from {@code at}, softmax (every key is a token, so no mask), then {@code scores v} into the
     * context at the head's columns. Q, K and V lie side by side in the rows of {@code qkv}
     * ({@code [rows, 3 heads size]}), the context in {@code [rows, heads size]}. Each product is
     * {@code length x length x size}, below OpenBLAS's threshold for threads: it runs on the calling
     * thread.
     */
    void attend(int i, int heads, int size, double alpha, FlatArray qkv, FlatArray scores, long at, FlatArray context,
                RowThreads.Scratch s) {
        int h = heads * size;
        int seq = i / heads;
        int len = length[seq];
        long off = (long) start[seq] * 3 * h + (long) (i % heads) * size;
        FlatArray.gemm(false, true, len, len, size, alpha, qkv, off, 3 * h, qkv, off + h, 3 * h, 0, scores, at, len);
        for (int r = 0; r < len; r++) {
            int row = (int) at + r * len;
            if (scores instanceof FlatArray.Floats fs) {
                fs.read(row, s.f, len);
                RowMath.softmax(s.f, len, s.u);
                fs.write(row, s.f, len);
            } else {
                scores.read(row, s.a, len);
                RowMath.softmax(s.a, len);
                scores.write(row, s.a, len);
            }
        }
        FlatArray.gemm(false, false, len, size, len, 1, scores, at, len, qkv, off + 2L * h, 3 * h, 0, context,
                (long) start[seq] * h + (long) (i % heads) * size, h);
    }

    /** Where the scores of (sequence, head) pair {@code i} start in the scores of every pair. */
    long scoresOf(int i, int heads) {
        int len = length[i / heads];
        return scoresAt[i / heads] + (long) (i % heads) * len * len;
    }

    /** The attention scores of every sequence and head. */
    long scores() {
        return scoresAt[length.length];
    }
}
