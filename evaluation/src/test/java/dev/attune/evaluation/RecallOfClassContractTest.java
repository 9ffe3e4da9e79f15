package dev.attune.evaluation;

import dev.attune.Metric;
import dev.attune.Predictions;

class RecallOfClassContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.recallOfClass(1);
    }

    /** The class must occur among the labels, or perfect predictions score 0 (zero division). */
    @Override
    public boolean accepts(Predictions p) {
        return java.util.Arrays.stream(p.actual()).anyMatch(a -> a == 1);
    }
}
