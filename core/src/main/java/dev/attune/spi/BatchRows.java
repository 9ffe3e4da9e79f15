package dev.attune.spi;

/**
 * A {@link TrainableModel} that is told, before each {@link TrainableModel#computeGradients} of a run under
 * the controlled update, which rows of the training data the mini-batch holds: a model whose training rows
 * already live where its gradients are computed (data-parallel training on data held by the workers) sends
 * the row numbers there instead of the rows.
 *
 * <p>When the training rows are held elsewhere ({@link HeldRows}), the trainer holds no features: the
 * {@code encodedFeatures} it passes to {@link TrainableModel#computeGradients} are {@code null} (the labels
 * and weights are the mini-batch's), and the model, which has no frozen bottom of its own, reads the rows'
 * features where they are held.
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
