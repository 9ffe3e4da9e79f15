package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network Attune trains keeps each layer's forward intermediates for the backward pass (DL4J's
 * cache mode); its steps must be exactly DL4J's plain steps, batch after batch, with inference between.
 */
class TrainingStepTest {
    private static final double LR = 0.05;

    @Test
    void cachedConvolutionStepsMatchDl4jsRecomputingSteps() {
        MultiLayerNetwork base = Fixtures.cnn(3, 7);
        TrainableModel ours = new MlnHandle(base).prepare(
                new TrainingPlan(0, "head", Freeze.none(), Optimizer.sgd(LR), 7));

        MultiLayerNetwork reference = base.clone();
        reference.setCacheMode(CacheMode.NONE);
        assertThat(ours.params()).isEqualTo(reference.params());

        for (int step = 0; step < 4; step++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 6 + step, 64);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 6 + step, 3);
            for (int i = 0; i < y.rows(); i++) {
                y.putScalar(i, (i + step) % 3, 1f);
            }
            double loss = ours.step(x, y, step, 0);
            // Inference between steps (as validation does) must not disturb what the next step caches.
            ours.predictEncoded(Nd4j.rand(DataType.FLOAT, 3, 64));

            reference.setInput(x);
            reference.setLabels(y);
            reference.computeGradientAndScore();
            double expectedLoss = reference.score();
            // DL4J's gradients are sums over the mini-batch; its updater divides by the batch size.
            reference.params().subi(reference.gradient().gradient().mul(LR / x.size(0)));
            reference.clear();

            assertThat(loss).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-6));
            double diff = ours.params().sub(reference.params()).amaxNumber().doubleValue();
            assertThat(diff).as("largest parameter difference after step %d", step).isLessThan(1e-6);
        }
        assertThat(ours.params()).isNotEqualTo(base.params());
    }
}
