package dev.attune.evaluation;

import dev.attune.Metric;

class RecallMicroContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.recall(Average.MICRO);
    }
}
