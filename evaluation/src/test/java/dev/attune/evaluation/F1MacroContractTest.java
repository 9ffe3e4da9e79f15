package dev.attune.evaluation;

import dev.attune.Metric;

class F1MacroContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.f1Macro();
    }
}
