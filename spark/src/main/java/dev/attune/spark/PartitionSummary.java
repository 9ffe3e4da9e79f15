package dev.attune.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What one partition's executor tells the driver of the rows it holds, in place of the rows: their count,
 * example shape and class count, their labels, the features of its first row, and how many feature values
 * are NaN or infinite (with the first row holding one). O(rows) small values; no features but one row's.
 *
 * @param firstNonFinite the partition's lowest row holding a NaN or infinite value, -1 when none
 */
record PartitionSummary(int partition, int rows, long[] exampleShape, int numClasses, int[] labels,
                        float[] firstExample, long nonFinite, int firstNonFinite) implements Serializable {
    /** The summary of {@code block}, partition {@code partition}'s rows. */
    static PartitionSummary of(int partition, RowBlock block) {
        int w = block.width();
        float[] x = block.features();
        long bad = 0;
        int first = -1;
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                bad++;
                if (first < 0) {
                    first = i / w;
                }
            }
        }
        return new PartitionSummary(partition, block.rows(), block.exampleShape(), block.numClasses(), block.labels(),
                block.rows() == 0 ? new float[0] : Arrays.copyOf(x, w), bad, first);
    }
}
