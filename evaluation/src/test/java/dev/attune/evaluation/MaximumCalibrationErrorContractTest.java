package dev.attune.evaluation;

import dev.attune.Metric;

class MaximumCalibrationErrorContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.maximumCalibrationError();
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
