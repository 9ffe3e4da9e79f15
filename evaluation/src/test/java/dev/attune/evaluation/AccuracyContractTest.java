package dev.attune.evaluation;

import dev.attune.Metric;

class AccuracyContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.accuracy();
    }
}
