package dev.attune.adapters.bottleneck;

import static dev.attune.adapters.GradientCheck.check;
import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.adapters.TestNets;
import dev.attune.spi.AdaptedLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision against the analytic gradients of bottleneck
 * layers: {@code D}, {@code d}, {@code U}, {@code u} of every adapter, the other layers' parameters,
 * and the network's input (through the frozen base weights).
 */
class BottleneckGradientCheckTest {
    private static INDArray oneHot(int rows, int classes) {
        return dev.attune.adapters.TestNets.oneHot(rows, classes, DataType.DOUBLE);
    }

    @ParameterizedTest(name = "in={0} hidden={1} classes={2} size={3} bias={4} f={5} scaling={6}")
    @CsvSource({
            "5, 6, 3, 1, true, RELU, 1.0",
            "5, 6, 3, 3, false, RELU, 0.5",
            "4, 7, 2, 7, true, GELU, 1.0",
            "6, 5, 3, 2, false, GELU, 2.0",
            "7, 4, 4, 4, true, TANH, 1.5",
            "3, 8, 5, 2, false, TANH, 1.0",
            "5, 5, 3, 3, true, SIGMOID, 0.7",
            "4, 6, 2, 1, false, SIGMOID, 1.0",
    })
    void everyAdapterParameterAndTheInput(int in, int hidden, int classes, int size, boolean bias, Activation f,
                                          double scaling) {
        Nd4j.getRandom().setSeed(in * 100L + size);
        MultiLayerNetwork base = TestNets.base(in, hidden, classes, bias, DataType.DOUBLE, 11);
        Bottleneck bottleneck = Bottleneck.after("dense*").size(size).nonlinearity(f).scaling(scaling);
        MultiLayerNetwork net = BottleneckNets.adapted(base, bottleneck, false, 0, 1);
        check(net, Nd4j.rand(DataType.DOUBLE, 4, in).subi(0.5).muli(2), oneHot(4, classes), 0);
    }

    @ParameterizedTest(name = "only layer {0} adapted")
    @CsvSource({"0", "1"})
    void oneAdaptedLayerAmongPlainOnes(int layer) {
        Nd4j.getRandom().setSeed(5 + layer);
        MultiLayerNetwork base = TestNets.base(6, 5, 3, true, DataType.DOUBLE, 3);
        MultiLayerNetwork net = BottleneckNets.adapted(base, Bottleneck.after("dense*").size(3), false, layer);
        check(net, Nd4j.rand(DataType.DOUBLE, 5, 6).subi(0.5), oneHot(5, 3), 0);
    }

    @Test
    void withoutAnInputGradientTheAdapterGradientsAreTheSame() {
        Nd4j.getRandom().setSeed(8);
        MultiLayerNetwork base = TestNets.base(4, 5, 3, true, DataType.DOUBLE, 8);
        MultiLayerNetwork net = BottleneckNets.adapted(base, Bottleneck.after("dense0").size(2).nonlinearity(Activation.TANH),
                false, 0);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 4);
        INDArray y = oneHot(3, 3);
        Pair<Gradient, INDArray> full = net.calculateGradients(x, y, null, null);
        INDArray expected = full.getFirst().gradient().dup();
        assertThat(full.getSecond()).isNotNull();
        ((AdaptedLayer) net.getLayer(0)).inputGradientNeeded(false);
        Pair<Gradient, INDArray> none = net.calculateGradients(x, y, null, null);
        assertThat(none.getSecond()).as("no input gradient is computed").isNull();
        assertThat(none.getFirst().gradient()).isEqualTo(expected);
    }
}
