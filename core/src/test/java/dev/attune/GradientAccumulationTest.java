package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** k accumulated mini-batches of b rows make the step of one mini-batch of k b rows. */
class GradientAccumulationTest {
    /** Weights that differ by example, as a balancer's. */
    private static final Balancer WEIGHTS = new Balancer() {
        @Override
        public Balanced balance(LabeledData train, long seed) {
            double[] w = new double[train.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = 0.5 + train.labels()[i] * 0.75 + (i % 3) * 0.1;
            }
            return Balanced.weighted(train, w);
        }
    };

    @ParameterizedTest
    @EnumSource(TrainingControlsTest.Family.class)
    void fourBatchesOfFourAreOneBatchOfSixteenWithAShortLastBatchAndExampleWeights(TrainingControlsTest.Family f) {
        // 50 rows: steps of 16, 16, 16 and 2 rows either way.
        LabeledData data = f.data(50);
        List<Integer> steps = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onBatchEnd(BatchEnd e) {
                steps.add(e.batchesPerEpoch());
            }
        };
        Optimizer adamW = Optimizer.adamW(1e-2, 0.05);
        FineTuneResult accumulated = f.tuner(adamW).epochs(3).batchSize(4).accumulateGradients(4).balance(WEIGHTS)
                .listener(spy).build().fit(data);
        FineTuneResult large = f.tuner(adamW).epochs(3).batchSize(16).balance(WEIGHTS).build().fit(data);
        FineTuneResult small = f.tuner(adamW).epochs(3).batchSize(4).balance(WEIGHTS).build().fit(data);
        assertThat(steps).hasSize(12).containsOnly(4);
        for (String layer : f.topDown) {
            INDArray a = f.params(accumulated.model(), layer);
            assertThat(TrainingControlsTest.maxDiff(a, f.params(large.model(), layer))).as(layer).isLessThan(2e-4);
            assertThat(TrainingControlsTest.maxDiff(a, f.params(small.model(), layer))).as(layer).isGreaterThan(1e-3);
        }
        for (int e = 0; e < 3; e++) {
            assertThat(accumulated.history().get(e).trainLoss()).isCloseTo(large.history().get(e).trainLoss(),
                    org.assertj.core.api.Assertions.within(1e-5));
        }
        assertThat(accumulated.provenance().config()).containsEntry("accumulateGradients", "4");
    }
}
