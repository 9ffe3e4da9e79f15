package dev.attune.internal.bert;

/**
 * Sequences' tokens packed row after row, padding left out, for the written-out passes
 * ({@link BertStep}, {@link BertForward}): sequence {@code s} is rows
 * {@code [start[s], start[s] + length[s])}, row {@code r} is position {@code origin[r]} of the
 * {@code [sequences * seqLen]} input (sequence {@code origin[r] / seqLen}, position
 * {@code origin[r] % seqLen}), and the attention scores of sequence {@code s}, head {@code k} start at
 * {@code scoresAt[s] + k length[s]^2}. A padded position's row in the graph changes nothing that is
 * pooled (the mask takes it out of every softmax, at exactly 0, and out of the mean), so leaving it
 * out gives the same result for less work; the tokens a mask keeps need not be contiguous.
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

    /** The attention scores of every sequence and head. */
    long scores() {
        return scoresAt[length.length];
    }
}
