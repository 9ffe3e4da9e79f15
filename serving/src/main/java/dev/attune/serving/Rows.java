package dev.attune.serving;

import dev.attune.Network;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Feature rows as requests: the input check of one row, and a network's output on a batch of rows. */
final class Rows {
    private Rows() {
    }

    /** Refuses a row of another width than {@code width}, or with a value that is not finite. */
    static void check(float[] row, int width) {
        if (row.length != width) {
            throw new IllegalArgumentException("the row has " + row.length + " features, but the model takes " + width
                    + "; give one example's " + width + " feature values");
        }
        for (int j = 0; j < row.length; j++) {
            if (!Float.isFinite(row[j])) {
                throw new IllegalArgumentException("feature " + j + " of the row is " + row[j]
                        + "; features must be finite numbers: impute or drop the missing value before predicting");
            }
        }
    }

    /** The network's output on the rows stacked into one {@code [n, width]} float matrix, a row per input. */
    static List<float[]> output(Network network, List<float[]> rows) {
        float[][] m = rows.toArray(new float[0][]);
        float[][] out = network.output(Nd4j.create(m)).castTo(DataType.FLOAT).toFloatMatrix();
        return Arrays.asList(out);
    }
}
