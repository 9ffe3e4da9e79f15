package dev.attune.evaluation;

import dev.attune.Metric;

class LogLossContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.logLoss();
    }

    @Override
    public double best() {
        return 0.0;
    }

    /** -ln(1e-15) = 34.54 for probability 0 on the actual class, a little more after rounding of row sums. */
    @Override
    public double worst() {
        return 35.0;
    }
}
