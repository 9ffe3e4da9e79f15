package dev.attune.evaluation;

import dev.attune.Metric;
import dev.attune.Predictions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

class AveragePrecisionContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.averagePrecision();
    }

    @Override
    public Arbitrary<Integer> classCounts() {
        return Arbitraries.just(2);
    }

    /** Average precision needs class 1 among the labels. */
    @Override
    public boolean accepts(Predictions p) {
        return java.util.Arrays.stream(p.actual()).anyMatch(a -> a == 1);
    }
}
