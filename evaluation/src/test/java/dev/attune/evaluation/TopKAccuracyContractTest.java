package dev.attune.evaluation;

import dev.attune.Metric;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

class TopKAccuracyContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.topKAccuracy(2);
    }

    @Override
    public Arbitrary<Integer> classCounts() {
        return Arbitraries.integers().between(3, 6);
    }
}
