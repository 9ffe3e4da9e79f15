package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.attune.spi.Optimizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Label smoothing's loss and gradient against a hand computation, on the model's own step and under controls. */
class LabelSmoothingTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theLossAndTheBiasStepAreTheCrossEntropyAgainstSmoothedTargets(boolean controlled) {
        int n = 30;
        int k = 3;
        double eps = 0.2;
        double lr = 0.1;
        LabeledData data = Fixtures.blobs(n, 8, k, 1);
        MultiLayerNetwork base = Fixtures.mlp(k, 5);
        FineTuner.Builder b = FineTuner.builder(base).optimizer(Optimizer.sgd(lr)).epochs(1).batchSize(n).labelSmoothing(eps);
        if (controlled) {
            b.schedule(Schedule.constant());
        }
        FineTuneResult r = b.build().fit(data);

        // By hand, from the base model's probabilities: targets t = (1 - eps) y + eps / k,
        // loss = -mean over rows of sum_c t log p, and the output bias's gradient mean(p - t).
        double[][] p = base.output(data.featuresView()).castTo(DataType.DOUBLE).toDoubleMatrix();
        double loss = 0;
        double[] biasGradient = new double[k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double t = (data.labels()[i] == c ? 1 - eps : 0) + eps / k;
                loss -= t * Math.log(p[i][c]) / n;
                biasGradient[c] += (p[i][c] - t) / n;
            }
        }
        assertThat(r.history().get(0).trainLoss()).isCloseTo(loss, within(1e-5));
        INDArray step = r.model().asMultiLayerNetwork().getLayer("out").getParam("b").castTo(DataType.DOUBLE)
                .sub(base.getLayer("out").getParam("b").castTo(DataType.DOUBLE));
        for (int c = 0; c < k; c++) {
            assertThat(step.getDouble(c)).isCloseTo(-lr * biasGradient[c], within(1e-6));
        }
        assertThat(r.provenance().config()).containsEntry("labelSmoothing", "0.2");
    }
}
