package dev.attune.spark;

/** Sums what each step of a run moved and took, for {@link SparkRunStats}. */
final class StepMeter {
    private long steps;
    private double valueBytes;
    private double gradientBytes;
    private double batchBytes;
    private double stepNanos;
    private double computeNanos;

    synchronized void step(long values, long gradients, long batch, long wallNanos, long slowestTaskNanos) {
        steps++;
        valueBytes += values;
        gradientBytes += gradients;
        batchBytes += batch;
        stepNanos += wallNanos;
        computeNanos += slowestTaskNanos;
    }

    synchronized SparkRunStats stats(int tasks, long trainedValues, long baseModelBytes) {
        double n = Math.max(1, steps);
        return new SparkRunStats(tasks, steps, trainedValues, baseModelBytes, valueBytes / n, gradientBytes / n,
                batchBytes / n, stepNanos / n / 1e6, computeNanos / n / 1e6, (stepNanos - computeNanos) / n / 1e6);
    }
}
