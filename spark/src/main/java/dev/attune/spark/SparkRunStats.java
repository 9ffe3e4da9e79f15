package dev.attune.spark;

/**
 * What a run on Spark moved and how long its steps took, averaged over its optimizer steps.
 *
 * @param tasks the tasks of each step: the partitions that hold the training rows
 * @param steps the optimizer steps run
 * @param trainedValues the trained values (parameters) the driver sends and gets gradients for
 * @param baseModelBytes the size of the base model file broadcast once to each executor
 * @param valueBytesPerStep the bytes of trained values sent per step (to every partition)
 * @param gradientBytesPerStep the bytes of gradient sums sent back per step (from the tasks that had rows)
 * @param batchBytesPerStep the bytes sent per step to name the mini-batch (to every partition): its row numbers,
 *     one-hot labels and loss weights; no features, which stay on the executors
 * @param stepMillis the wall time of a step on the driver, from the mini-batch's row numbers to the gradients summed
 * @param computeMillis the longest task's gradient computation in a step
 * @param overheadMillis what Spark adds per step: {@code stepMillis - computeMillis} (scheduling, serialisation, transfer)
 */
public record SparkRunStats(int tasks, long steps, long trainedValues, long baseModelBytes, double valueBytesPerStep,
                            double gradientBytesPerStep, double batchBytesPerStep, double stepMillis,
                            double computeMillis, double overheadMillis) {
    /** The bytes of model state exchanged per step: trained values out plus gradients back. */
    public double exchangedBytesPerStep() {
        return valueBytesPerStep + gradientBytesPerStep;
    }
}
