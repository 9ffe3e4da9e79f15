package dev.attune.spark;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows of a step's mini-batch that one partition holds, gathered on its executor: raw features,
 * one-hot labels and loss weights ({@code null} for none); all {@code null} when it holds none.
 */
record Slice(INDArray features, INDArray labels, INDArray weights) {
    int rows() {
        return features == null ? 0 : (int) features.size(0);
    }
}
