package dev.attune.spark;

import java.io.Serializable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One task's share of a step's global mini-batch: its rows' features (encoded by the frozen bottom), one-hot labels and loss
 * weights ({@code null} for none); all {@code null} when the task has no rows.
 */
record Slice(INDArray features, INDArray labels, INDArray weights) implements Serializable {
    int rows() {
        return features == null ? 0 : (int) features.size(0);
    }

    long bytes() {
        return features == null ? 0 : features.length() * features.dataType().width()
                + labels.length() * labels.dataType().width()
                + (weights == null ? 0 : weights.length() * weights.dataType().width());
    }
}
