package dev.attune.evaluation;

import dev.attune.Metric;

class F1MicroContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.f1(Average.MICRO);
    }
}
