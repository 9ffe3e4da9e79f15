package dev.attune.internal.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.spi.Optimizer;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The fused step of dense stacks: the networks it covers, and DL4J's loss and gradients bit for bit. */
class DenseStepTest {
    private static MultiLayerNetwork net(Activation hidden, DataType type, double dropout, LossFunctions.LossFunction loss,
                                         Activation output) {
        DenseLayer.Builder first = new DenseLayer.Builder().name("dense0").nIn(6).nOut(9).activation(Activation.RELU);
        if (dropout > 0) {
            first.dropOut(1 - dropout);
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(type).updater(new Adam(1e-2))
                .list()
                .layer(first.build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(9).nOut(7).activation(hidden).build())
                .layer(new OutputLayer.Builder(loss).name("out").nIn(7).nOut(4).activation(output).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (var layer : net.getLayers()) {
            INDArray b = layer.getParam("b");
            b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
        }
        return net;
    }

    private static INDArray labels(int rows, DataType type) {
        INDArray y = Nd4j.zeros(type, rows, 4);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, (i * 3 + 1) % 4, 1.0);
        }
        return y;
    }

    @ParameterizedTest(name = "hidden {0}, {1}, weighted {2}")
    @CsvSource({"RELU, FLOAT, false", "RELU, FLOAT, true", "TANH, FLOAT, false", "SIGMOID, DOUBLE, true",
            "RELU, DOUBLE, false"})
    void lossAndGradientsAreDl4jsBitForBit(Activation hidden, DataType type, boolean weighted) {
        Nd4j.getRandom().setSeed(3);
        MultiLayerNetwork net = net(hidden, type, 0, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX);
        INDArray x = Nd4j.rand(type, 11, 6).subi(0.5);
        INDArray w = weighted ? Nd4j.rand(type, 11, 1).addi(0.5) : null;
        DenseStepCheck.assertSameAsDl4j(net, x, labels(11, type), w);
    }

    @Test
    void aFrozenLayerAboveTrainedOnesPassesItsGradientAsDl4jDoes() {
        Nd4j.getRandom().setSeed(4);
        MultiLayerNetwork base = net(Activation.TANH, DataType.FLOAT, 0, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX);
        TrainableModel model = new MlnHandle(base).prepare(new TrainingPlan(0, "head", Freeze.layers("dense1"),
                Optimizer.adam(1e-3), 1));
        assertThat(model.frozenLayers()).containsExactly("dense1");
        MultiLayerNetwork net = (MultiLayerNetwork) model.live().unwrap();
        DenseStepCheck.assertSameAsDl4j(net, Nd4j.rand(DataType.FLOAT, 8, 6), labels(8, DataType.FLOAT), null);
    }

    @Test
    void otherNetworksTrainThroughTheirDl4jLayers() {
        assertThat(DenseStep.of(net(Activation.RELU, DataType.FLOAT, 0, LossFunctions.LossFunction.MCXENT,
                Activation.SOFTMAX))).isNotNull();
        assertThat(DenseStep.of(net(Activation.RELU, DataType.FLOAT, 0.2, LossFunctions.LossFunction.MCXENT,
                Activation.SOFTMAX))).as("dropout").isNull();
        assertThat(DenseStep.of(net(Activation.RELU, DataType.FLOAT, 0, LossFunctions.LossFunction.MSE,
                Activation.IDENTITY))).as("another loss").isNull();
        assertThat(DenseStep.of(net(Activation.RELU, DataType.FLOAT, 0, LossFunctions.LossFunction.XENT,
                Activation.SIGMOID))).as("binary cross-entropy").isNull();
        assertThat(DenseStep.of(net(Activation.RELU, DataType.FLOAT, 0, LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD,
                Activation.SOFTMAX))).as("DL4J's other name for cross-entropy").isNotNull();
        assertThat(DenseStep.of(Fixtures.cnn(3, 1))).as("a convolution").isNull();
    }
}
