package dev.attune.evaluation;

import dev.attune.Metric;
import dev.attune.Predictions;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

class RocAucOvrWeightedContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.rocAucOvrWeighted();
    }

    @Override
    public Arbitrary<Integer> classCounts() {
        return Arbitraries.integers().between(3, 6);
    }

    /** One-vs-rest scores need at least two classes among the labels. */
    @Override
    public boolean accepts(Predictions p) {
        return java.util.Arrays.stream(p.actual()).distinct().count() >= 2;
    }
}
