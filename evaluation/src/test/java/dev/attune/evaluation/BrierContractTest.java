package dev.attune.evaluation;

import dev.attune.Metric;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

class BrierContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.brierScore();
    }

    @Override
    public Arbitrary<Integer> classCounts() {
        return Arbitraries.just(2);
    }

    @Override
    public double best() {
        return 0.0;
    }

    @Override
    public double worst() {
        return 1.0;
    }
}
