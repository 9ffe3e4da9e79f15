package dev.attune.evaluation;

import dev.attune.Metric;
import dev.attune.Predictions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

class RocAucContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.rocAuc();
    }

    @Override
    public Arbitrary<Integer> classCounts() {
        return Arbitraries.just(2);
    }

    /** ROC-AUC needs both classes among the labels. */
    @Override
    public boolean accepts(Predictions p) {
        return java.util.Arrays.stream(p.actual()).distinct().count() == 2;
    }
}
