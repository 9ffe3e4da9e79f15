package dev.attune.evaluation;

import dev.attune.Metric;

class F1WeightedContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.f1(Average.WEIGHTED);
    }
}
