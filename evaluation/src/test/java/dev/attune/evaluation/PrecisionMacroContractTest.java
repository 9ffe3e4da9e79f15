package dev.attune.evaluation;

import dev.attune.Metric;

class PrecisionMacroContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.precision(Average.MACRO);
    }
}
