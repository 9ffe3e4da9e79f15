package dev.attune.evaluation;

import dev.attune.Metric;
import dev.attune.Predictions;

class PrecisionOfClassContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.precisionOfClass(1);
    }

    /** The class must occur among the labels, or perfect predictions score 0 (zero division). */
    @Override
    public boolean accepts(Predictions p) {
        return java.util.Arrays.stream(p.actual()).anyMatch(a -> a == 1);
    }
}
