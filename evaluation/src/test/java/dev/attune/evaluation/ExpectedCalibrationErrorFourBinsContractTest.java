package dev.attune.evaluation;

import dev.attune.Metric;

class ExpectedCalibrationErrorFourBinsContractTest implements MetricContract {
    @Override
    public Metric metric() {
        return Metrics.expectedCalibrationError(4);
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
