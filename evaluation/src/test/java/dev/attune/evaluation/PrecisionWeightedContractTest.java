package dev.attune.evaluation;

import dev.attune.Metric;

class PrecisionWeightedContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.precision(Average.WEIGHTED);
    }
}
