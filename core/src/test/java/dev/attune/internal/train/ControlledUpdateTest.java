package dev.attune.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainedTensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The controlled update's thaw by hand: no state while waiting, then Adam's first step from a zero state. */
class ControlledUpdateTest {
    @Test
    void aWaitingTensorHasNoStateAndItsFirstAdamStepCountsFromItsThaw() {
        INDArray below = Nd4j.createFromArray(1.0, -2.0, 3.0).reshape(1, 3);
        INDArray belowGrad = Nd4j.createFromArray(0.3, -0.6, 0.9).reshape(1, 3);
        INDArray top = Nd4j.createFromArray(0.5, 0.5).reshape(1, 2);
        INDArray topGrad = Nd4j.createFromArray(0.2, -0.4).reshape(1, 2);
        List<TrainedTensor> tensors = List.of(new TrainedTensor("below", "W", below, belowGrad, TrainedTensor.Role.WEIGHT),
                new TrainedTensor("top", "W", top, topGrad, TrainedTensor.Role.WEIGHT));
        double lr = 0.01;
        ControlledUpdate u = new ControlledUpdate(tensors, Optimizer.adam(lr), List.of(), 1, 1, 0, 2);
        INDArray belowStart = below.dup();
        // Epoch 1, two steps of 3 rows each (gradients are sums over the rows): the top group alone.
        for (int step = 0; step < 2; step++) {
            u.accumulate(3, 1);
            u.apply(step, 1, lr);
            assertThat(below).isEqualTo(belowStart);
            assertThat(u.state().get("below.W")).isNull();
        }
        assertThat(u.state().get("top.W")).isNotNull();
        assertThat(u.stateSize()).isEqualTo(4);

        // Epoch 2, the run's third step: the first of 'below', from a zero state, with step count 1.
        u.accumulate(3, 2);
        u.apply(2, 2, lr);
        INDArray g = belowGrad.castTo(DataType.DOUBLE).div(3);
        INDArray state = u.state().get("below.W").castTo(DataType.DOUBLE);
        INDArray m = state.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3));
        INDArray v = state.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 6));
        INDArray expectedM = g.mul(1 - 0.9);
        INDArray expectedV = g.mul(g).mul(1 - 0.999);
        // ND4J keeps Adam's state as [m, v] or [v, m]: either way, each half is what one step from zero makes.
        boolean mFirst = m.sub(expectedM).amaxNumber().doubleValue() < 1e-7;
        assertThat((mFirst ? m : v).sub(expectedM).amaxNumber().doubleValue()).isLessThan(1e-7);
        assertThat((mFirst ? v : m).sub(expectedV).amaxNumber().doubleValue()).isLessThan(1e-9);
        for (int i = 0; i < 3; i++) {
            double gi = g.getDouble(i);
            double expected = belowStart.getDouble(i) - lr * gi / (Math.abs(gi) + 1e-8 / Math.sqrt(1 - 0.999));
            assertThat(below.getDouble(i)).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-7));
        }
        assertThat(u.stateSize()).isEqualTo(10);
    }
}
