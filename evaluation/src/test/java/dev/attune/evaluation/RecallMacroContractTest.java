package dev.attune.evaluation;

import dev.attune.Metric;

class RecallMacroContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.recall(Average.MACRO);
    }
}
