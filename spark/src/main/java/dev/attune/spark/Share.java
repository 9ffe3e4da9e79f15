package dev.attune.spark;

import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one task of a step sends back: the gradient sums of the trained tensors over its rows (in the
 * tensors' order; {@code null} when it had no rows), its loss times its rows, its rows, and the time its
 * executor spent computing.
 */
record Share(INDArray[] gradients, double lossTimesRows, int rows, long computeNanos) implements Serializable {
    /** The share of a task that had no rows: it contributes zero examples. */
    static Share empty() {
        return new Share(null, 0, 0, 0);
    }

    /** Bytes of gradient values sent. */
    long gradientBytes() {
        long n = 0;
        if (gradients != null) {
            for (INDArray g : gradients) {
                n += g.length() * g.dataType().width();
            }
        }
        return n;
    }
}
