package dev.attune.evaluation;

import dev.attune.Metric;

class BalancedAccuracyContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.balancedAccuracy();
    }
}
