package dev.attune.spark;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows of a step's mini-batch that one partition holds: their indices in the partition's block (in the
 * mini-batch's order), one-hot labels and loss weights ({@code null} for none); all {@code null} when it
 * holds none.
 */
record Slice(int[] local, INDArray labels, INDArray weights) {
    int rows() {
        return local == null ? 0 : local.length;
    }
}
