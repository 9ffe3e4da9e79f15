package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A learning rate that really diverges: stopped by default, rolled back and lowered under Divergence.rollback. */
class DivergenceGuardTest {
    /** Blobs scaled up a thousandfold: SGD at rate 10 overflows within a few steps. */
    private final LabeledData data = scaled(Fixtures.blobs(64, 8, 3, 1), 1000);

    private static LabeledData scaled(LabeledData d, double factor) {
        return LabeledData.of(d.featuresView().castTo(DataType.FLOAT).mul(factor), d.labels(), d.numClasses());
    }

    private FineTuner.Builder tuner() {
        return FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.sgd(10)).epochs(3).batchSize(8).seed(3);
    }

    @Test
    void byDefaultADivergenceStopsTheFitNamingEpochAndStep() {
        assertThatThrownBy(() -> tuner().build().fit(data)).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("training diverged: the loss is (NaN|-?Infinity) at epoch 1, step \\d+; lower the learning rate.*");
        // Under controls too.
        assertThatThrownBy(() -> tuner().schedule(Schedule.constant()).build().fit(data))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("training diverged: the loss is (NaN|-?Infinity) at epoch 1, step \\d+; lower the learning rate.*");
    }

    @Test
    void aRollbackRestoresTheEpochsStartAndGoesOnWithALowerRate() {
        List<TrainingListener.Warning> heard = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onWarning(Warning w) {
                heard.add(w);
            }

            @Override
            public void onBatchEnd(BatchEnd e) {
                rates.add(e.learningRate());
            }
        };
        FineTuneResult r = tuner().onDivergence(Divergence.rollback(1e-4, 3)).listener(spy).build().fit(data);
        assertThat(heard).isNotEmpty();
        assertThat(heard.get(0).topic()).isEqualTo("divergence");
        assertThat(heard.get(0).message()).matches("training diverged: the loss is NaN at epoch 1, step 4:"
                + " weights and optimizer state rolled back to the start of epoch 1, learning rate multiplied by 1.0E-4"
                + " \\(now 0.001 before the schedule\\), epoch 1 run again; rollback 1 of 3");
        assertThat(r.provenance().warnings()).contains("divergence: " + heard.get(0).message());
        assertThat(r.history()).hasSize(3).allSatisfy(e -> assertThat(e.trainLoss()).isFinite());
        assertThat(r.history().get(2).learningRate()).isEqualTo(10 * Math.pow(1e-4, heard.size()));
        assertThat(rates.get(rates.size() - 1)).isEqualTo(10 * Math.pow(1e-4, heard.size()));
        assertThat(r.provenance().config()).containsEntry("onDivergence", "rollback(1.0E-4, 3)");
    }

    @Test
    void aRollbackRestoresWeightsAndMomentumSoTheRunIsOneWithTheLowerRateFromTheEpochsStart() {
        List<TrainingListener.Warning> heard = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onWarning(Warning w) {
                heard.add(w);
            }
        };
        // Nesterov momentum holds optimizer state: the diverged steps' velocity must not survive the rollback.
        FineTuneResult rolledBack = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.sgd(10, 0.9)).epochs(3)
                .batchSize(8).seed(3).onDivergence(Divergence.rollback(1e-4, 3)).listener(spy).build().fit(data);
        FineTuneResult lowFromTheStart = FineTuner.builder(Fixtures.mlp(3, 5)).optimizer(Optimizer.sgd(10 * 1e-4, 0.9))
                .epochs(3).batchSize(8).seed(3).schedule(Schedule.constant()).build().fit(data);
        assertThat(heard).hasSize(1);
        assertThat(heard.get(0).message()).contains("at epoch 1, step");
        INDArray a = rolledBack.model().asMultiLayerNetwork().params();
        INDArray b = lowFromTheStart.model().asMultiLayerNetwork().params();
        assertThat(a.sub(b).amaxNumber().doubleValue()).isLessThan(1e-4 * b.amaxNumber().doubleValue());
        assertThat(rolledBack.history()).extracting(EpochRecord::trainLoss)
                .containsExactly(lowFromTheStart.history().stream().map(EpochRecord::trainLoss).toArray(Double[]::new));
    }

    @Test
    void whenTheRollbacksRunOutTheFitStops() {
        assertThatThrownBy(() -> tuner().onDivergence(Divergence.rollback(0.999, 1)).build().fit(data))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("training diverged: the loss is (NaN|-?Infinity) at epoch 1, step \\d+ after 1 rollback;"
                        + " lower the learning rate.*");
    }
}
