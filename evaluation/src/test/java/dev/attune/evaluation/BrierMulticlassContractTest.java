package dev.attune.evaluation;

import dev.attune.Metric;

class BrierMulticlassContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.brierScoreMulticlass();
    }

    @Override
    public double best() {
        return 0.0;
    }

    @Override
    public double worst() {
        return 2.0;
    }
}
