package dev.attune.internal.bert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.internal.math.FlatArray;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.WeightDecay;

/**
 * The one-pass Adam step against ND4J's: its {@code AdamUpdater}, decoupled weight decay on the decayed
 * ranges and {@code params -= update}, over several steps on a run long enough to be split over two
 * threads, with a decayed and an undecayed range; the moments too.
 */
class AdamPassTest {
    @ParameterizedTest
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    void equalsNd4jAdamWithDecay(String typeName) {
        DataType type = DataType.valueOf(typeName);
        int n = 150_001;
        int split = 70_001; // [0, split) decayed, the rest not
        Nd4j.getRandom().setSeed(5);
        INDArray params = Nd4j.rand(type, 1, n).subi(0.5);
        INDArray expectedParams = params.dup();
        Adam config = new Adam(3e-3);
        GradientUpdater<?> reference = config.instantiate(Nd4j.zeros(type, 1, config.stateSize(n)), true);
        GradientUpdater<?> state = config.instantiate(Nd4j.zeros(type, 1, config.stateSize(n)), true);
        double decay = 0.05;
        AdamPass pass = new AdamPass(List.of(new AdamPass.Segment(0, split, true), new AdamPass.Segment(split, n - split, false)),
                config.getBeta1(), config.getBeta2(), config.getEpsilon(), decay);
        double tolerance = type == DataType.FLOAT ? 2e-6 : 1e-13;
        for (int iteration = 0; iteration < 5; iteration++) {
            INDArray g = Nd4j.randn(type, 1, n).muli(iteration == 2 ? 0 : 1); // a zero gradient too
            INDArray expected = g.dup();
            reference.applyUpdater(expected, iteration, 0);
            INDArray decayed = expected.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(0, split));
            new WeightDecay(decay, true).apply(expectedParams.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(0, split)),
                    decayed, 3e-3, iteration, 0);
            expectedParams.subi(expected);

            pass.apply(FlatArray.of(g), FlatArray.of(state.getState().get("M")), FlatArray.of(state.getState().get("V")),
                    FlatArray.of(params), 3e-3, iteration);
            assertThat(gap(params, expectedParams)).as("params at step %d", iteration).isLessThan(tolerance);
            for (String key : List.of("M", "V")) {
                assertThat(gap(state.getState().get(key), reference.getState().get(key))).as(key).isLessThan(tolerance);
            }
        }
    }

    private static double gap(INDArray a, INDArray b) {
        return a.reshape(a.length()).sub(b.reshape(b.length())).amaxNumber().doubleValue();
    }
}
