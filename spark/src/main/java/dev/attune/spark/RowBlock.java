package dev.attune.spark;

import dev.attune.LabeledData;
import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training rows one partition holds, cached on its executor for the whole run: features as floats
 * (one example after the other), class indices, and the class count when the source knew it (0 when not).
 */
record RowBlock(int rows, long[] exampleShape, float[] features, int[] labels, int numClasses) implements Serializable {
    /** A partition without rows. */
    static RowBlock empty() {
        return new RowBlock(0, null, new float[0], new int[0], 0);
    }

    /** The rows of {@code data}, in its order. */
    static RowBlock of(LabeledData data) {
        INDArray x = data.features();
        return new RowBlock(data.size(), data.exampleShape(),
                x.castTo(DataType.FLOAT).dup('c').data().asFloat(), data.labels(), data.numClasses());
    }

    /** The values of one example. */
    int width() {
        return rows == 0 ? 0 : features.length / rows;
    }

    /** The features of the given rows of this block, in that order, as {@code [rows, exampleShape...]}. */
    INDArray gather(int[] local) {
        int w = width();
        float[] out = new float[local.length * w];
        for (int i = 0; i < local.length; i++) {
            System.arraycopy(features, local[i] * w, out, i * w, w);
        }
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = local.length;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return Nd4j.createFromArray(out).reshape('c', shape);
    }

    /** Whether the examples of the two blocks have the same shape (an empty block fits any). */
    boolean fits(RowBlock other) {
        return rows == 0 || other.rows == 0 || Arrays.equals(exampleShape, other.exampleShape);
    }
}
