package dev.attune.spi;

/**
 * A {@link TrainableModel} that is told, before each {@link TrainableModel#computeGradients} of a run under
 * the controlled update, which rows of the training data the mini-batch holds: a model whose training rows
 * already live where its gradients are computed (data-parallel training on data held by the workers) sends
 * the row numbers there instead of the rows.
 */
public interface BatchRows {
    /**
     * The mini-batch's rows, in the mini-batch's order, as indices into the training data the run trains on
     * (after its balancer).
     *
     * @param rows the row indices, one per row of the mini-batch
     * @param trainingRows the number of rows of that training data
     */
    void nextBatchRows(int[] rows, int trainingRows);
}
