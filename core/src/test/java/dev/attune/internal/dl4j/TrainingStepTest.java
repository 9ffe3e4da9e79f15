package dev.attune.internal.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.internal.math.StepWorkspace;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attune's training step against DL4J's, batch after batch with inference between: the network
 * Attune trains keeps each layer's forward intermediates for the backward pass (DL4J's cache mode),
 * and the optimizer's state (Adam's moments) must carry over from step to step. A dense stack trains
 * in Attune's fused step with the optimizer applied directly: its steps are DL4J's bit for bit,
 * example weights included.
 */
class TrainingStepTest {
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"cnn, sgd", "cnn, adam", "cnn, adamW", "mlp, sgd", "mlp, adam", "mlp, adamW"})
    void stepsMatchDl4jsOwnStepsExactly(String network, String optimizerName) {
        boolean dense = network.equals("mlp");
        int inputs = dense ? 8 : 64;
        Optimizer optimizer = switch (optimizerName) {
            case "sgd" -> Optimizer.sgd(0.05);
            case "adam" -> Optimizer.adam(0.01);
            default -> Optimizer.adamW(0.01, 0.1);
        };
        MultiLayerNetwork base = dense ? Fixtures.mlp(3, 7) : Fixtures.cnn(3, 7);
        TrainableModel ours = new MlnHandle(base).prepare(new TrainingPlan(0, "head", Freeze.none(), optimizer, 7));

        MultiLayerNetwork reference = base.clone();
        reference.setCacheMode(CacheMode.NONE);
        for (var layer : reference.getLayers()) {
            if (layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                Optimizers.configure(b, optimizer);
            }
        }
        MultiLayerUpdater updater = new MultiLayerUpdater(reference);
        assertThat(ours.params()).isEqualTo(reference.params());

        for (int step = 0; step < 5; step++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 6 + step, inputs);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 6 + step, 3);
            for (int i = 0; i < y.rows(); i++) {
                y.putScalar(i, (i + step) % 3, 1f);
            }
            INDArray w = dense && step % 2 == 1 ? Nd4j.rand(DataType.FLOAT, 6 + step, 1).addi(0.5) : null;
            double loss = ours.step(x, y, w, step, 0);
            // Inference between steps (as validation does) must not disturb what the next step caches.
            ours.predictEncoded(Nd4j.rand(DataType.FLOAT, 3, inputs));

            ExampleWeightedLoss.during(reference.getOutputLayer(), w, () -> {
                reference.setInput(x);
                reference.setLabels(y);
                reference.computeGradientAndScore();
                return 0;
            });
            double expectedLoss = reference.score() - reference.calcRegularizationScore(true);
            var gradient = reference.gradient();
            updater.update(reference, gradient, step, 0, (int) x.size(0), StepWorkspace.UPDATER);
            reference.params().subi(gradient.gradient());

            assertThat(loss).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-6));
            double diff = ours.params().sub(reference.params()).amaxNumber().doubleValue();
            if (dense) {
                assertThat(diff).as("largest parameter difference after step %d", step).isZero();
            } else {
                assertThat(diff).as("largest parameter difference after step %d", step).isLessThan(1e-6);
            }
        }
        assertThat(ours.params()).isNotEqualTo(base.params());
        assertThat(ours.optimizerStateSize()).isEqualTo(updater.getStateViewArray() == null ? 0
                : updater.getStateViewArray().length());
    }
}
