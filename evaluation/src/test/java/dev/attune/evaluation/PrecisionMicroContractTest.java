package dev.attune.evaluation;

import dev.attune.Metric;

class PrecisionMicroContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.precision(Average.MICRO);
    }
}
