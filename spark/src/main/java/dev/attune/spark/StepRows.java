package dev.attune.spark;

import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a step sends each partition instead of rows: the mini-batch's global row numbers and class
 * indices (in the mini-batch's order), the two values of its one-hot labels as the trainer made them
 * ({@code on} at the class, {@code off} elsewhere: 1 and 0, or label smoothing's), or, for labels of another
 * form, the labels themselves ({@code labels}, else {@code null}), its loss weights ({@code null} for none),
 * and where each partition's rows start.
 */
record StepRows(long[] starts, int[] rows, int[] classOf, int classes, float on, float off, float[] labels,
                float[] weights) implements Serializable {
    /**
     * The step for a mini-batch of the given row numbers whose one-hot labels are {@code y} ({@code [rows,
     * classes]}, row-major).
     */
    static StepRows of(long[] starts, int[] rows, float[] y, int classes, float[] weights) {
        int[] classOf = new int[rows.length];
        for (int j = 0; j < rows.length; j++) {
            classOf[j] = argmax(y, j * classes, classes);
        }
        float on = y[classOf[0]];
        float off = y[classOf[0] == 0 ? 1 : 0];
        for (int j = 0; j < rows.length; j++) {
            for (int c = 0; c < classes; c++) {
                if (Float.compare(y[j * classes + c], c == classOf[j] ? on : off) != 0) {
                    return new StepRows(starts, rows, classOf, classes, on, off, y, weights);
                }
            }
        }
        return new StepRows(starts, rows, classOf, classes, on, off, null, weights);
    }

    /** The bytes a partition is sent. */
    long bytes() {
        return 4L * rows.length + 4L * classOf.length + 8 + (labels == null ? 0 : 4L * labels.length)
                + (weights == null ? 0 : 4L * weights.length);
    }

    /**
     * The rows of the mini-batch that {@code block}, partition {@code partition}'s rows, holds, in the
     * mini-batch's order; an empty slice when it holds none.
     *
     * @throws IllegalStateException when a row's class is not the class the driver has for it (the
     *     partition's rows are not the rows the driver numbered: a source that reads differently each time)
     */
    Slice slice(int partition, RowBlock block) {
        long from = starts[partition];
        long to = starts[partition + 1];
        int[] at = new int[rows.length];
        int m = 0;
        for (int j = 0; j < rows.length; j++) {
            if (rows[j] >= from && rows[j] < to) {
                at[m++] = j;
            }
        }
        if (m == 0) {
            return new Slice(null, null, null);
        }
        at = Arrays.copyOf(at, m);
        int[] local = new int[m];
        float[] y = new float[m * classes];
        float[] w = weights == null ? null : new float[m];
        for (int i = 0; i < m; i++) {
            int j = at[i];
            local[i] = (int) (rows[j] - from);
            if (classOf[j] != block.labels()[local[i]]) {
                throw new IllegalStateException("row " + rows[j] + " holds class " + block.labels()[local[i]]
                        + " on its executor but class " + classOf[j] + " on the driver: partition " + partition
                        + " read other rows than when the run started; give Spark a source that reads the same rows in"
                        + " the same order every time (a saved or checkpointed Dataset, not one with random or"
                        + " non-deterministic steps)");
            }
            if (labels != null) {
                System.arraycopy(labels, j * classes, y, i * classes, classes);
            } else {
                Arrays.fill(y, i * classes, (i + 1) * classes, off);
                y[i * classes + classOf[j]] = on;
            }
            if (w != null) {
                w[i] = weights[j];
            }
        }
        return new Slice(local, Nd4j.createFromArray(y).reshape('c', m, classes),
                w == null ? null : Nd4j.createFromArray(w).reshape('c', m, 1));
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
