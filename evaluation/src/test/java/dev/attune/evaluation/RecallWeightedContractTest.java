package dev.attune.evaluation;

import dev.attune.Metric;

class RecallWeightedContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.recall(Average.WEIGHTED);
    }
}
