package dev.attune.adapters.lora;

import static dev.attune.adapters.GradientCheck.check;
import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision against the analytic gradients of LoRA and DoRA
 * layers, dense and convolutional, and of bias-only layers ({@code Bias.ALL}): every adapter
 * parameter, every trained bias, and the network's input.
 */
class LoraGradientCheckTest {
    @ParameterizedTest(name = "in={0} hidden={1} classes={2} rank={3} bias={4} trainBias={5} rsLora={6}")
    @CsvSource({
            "5, 6, 3, 1, true, false, false",
            "5, 6, 3, 2, true, true, false",
            "4, 7, 2, 3, false, false, true",
            "7, 4, 4, 4, true, true, true",
            "3, 8, 5, 2, false, false, false",
    })
    void everyAdapterParameterAndTheInput(int in, int hidden, int classes, int rank, boolean bias, boolean trainBias,
                                          boolean rsLora) {
        Nd4j.getRandom().setSeed(in * 100L + rank);
        MultiLayerNetwork base = LoraNets.base(in, hidden, classes, bias, DataType.DOUBLE, 11);
        Lora lora = Lora.rank(Math.min(rank, Math.min(in, classes))).alpha(2.5).rsLora(rsLora)
                .bias(trainBias ? Lora.Bias.ADAPTED : Lora.Bias.NONE).targets("*");
        MultiLayerNetwork net = LoraNets.adapted(base, lora, false, 0, 1, 2);
        check(net, Nd4j.rand(DataType.DOUBLE, 4, in).subi(0.5), LoraNets.oneHot(4, classes, DataType.DOUBLE), 0);
    }

    @org.junit.jupiter.api.Test
    void theScoreOfATrainingStepIsTheLossOfTheOutputs() {
        // The adapted output layer scores a training step with the z of its backward pass.
        MultiLayerNetwork net = LoraNets.adapted(LoraNets.base(5, 6, 3, true, DataType.DOUBLE, 21),
                Lora.rank(2).alpha(3).targets("*"), false, 0, 1, 2);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 7, 5).subi(0.5);
        INDArray y = LoraNets.oneHot(7, 3, DataType.DOUBLE);
        INDArray p = net.output(x, false);
        double expected = -y.mul(org.nd4j.linalg.ops.transforms.Transforms.log(p)).sumNumber().doubleValue() / 7;
        for (int step = 0; step < 2; step++) {
            net.setInput(x);
            net.setLabels(y);
            net.computeGradientAndScore();
            assertThat(net.score()).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12));
            net.clear();
        }
        INDArray other = Nd4j.rand(DataType.DOUBLE, 7, 5);
        assertThat(net.score(new org.nd4j.linalg.dataset.DataSet(other, y), false)).isNotCloseTo(expected,
                org.assertj.core.api.Assertions.within(1e-9));
    }

    @ParameterizedTest(name = "ReLU hidden layers bias={0} trainBias={1}")
    @CsvSource({"true, false", "true, true", "false, false"})
    void reluHiddenLayers(boolean bias, boolean trainBias) {
        // Adapted dense layers run a plain ReLU with their own two ops; check them too.
        MultiLayerNetwork tanh = LoraNets.base(5, 6, 3, bias, DataType.DOUBLE, 13);
        org.deeplearning4j.nn.conf.MultiLayerConfiguration conf = tanh.getLayerWiseConfigurations().clone();
        for (int i = 0; i < 2; i++) {
            ((org.deeplearning4j.nn.conf.layers.DenseLayer) conf.getConf(i).getLayer())
                    .setActivationFn(new org.nd4j.linalg.activations.impl.ActivationReLU());
        }
        MultiLayerNetwork base = new MultiLayerNetwork(conf);
        base.init(tanh.params().dup(), false);
        Nd4j.getRandom().setSeed(17);
        Lora lora = Lora.rank(2).alpha(3).bias(trainBias ? Lora.Bias.ADAPTED : Lora.Bias.NONE).targets("*");
        MultiLayerNetwork net = LoraNets.adapted(base, lora, false, 0, 1, 2);
        check(net, Nd4j.rand(DataType.DOUBLE, 4, 5).subi(0.5), LoraNets.oneHot(4, 3, DataType.DOUBLE), 0);
    }

    @ParameterizedTest(name = "DoRA in={0} hidden={1} classes={2} rank={3} bias={4} trainBias={5}")
    @CsvSource({
            "5, 6, 3, 1, true, false",
            "5, 6, 3, 2, true, true",
            "4, 7, 2, 2, false, false",
            "7, 4, 4, 3, true, true",
    })
    void doraEveryParameterAndTheInput(int in, int hidden, int classes, int rank, boolean bias, boolean trainBias) {
        Nd4j.getRandom().setSeed(in * 10L + rank);
        MultiLayerNetwork base = LoraNets.base(in, hidden, classes, bias, DataType.DOUBLE, 12);
        Lora dora = Lora.rank(Math.min(rank, classes)).alpha(1.5).dora()
                .bias(trainBias ? Lora.Bias.ADAPTED : Lora.Bias.NONE).targets("*");
        MultiLayerNetwork net = LoraNets.adapted(base, dora, false, 0, 1, 2);
        // A magnitude away from the norms, so that its gradient is exercised in general position.
        for (int i = 0; i < 3; i++) {
            INDArray m = net.getLayer(i).getParam(LoraParams.MAGNITUDE);
            m.muli(Nd4j.rand(DataType.DOUBLE, m.shape()).addi(0.5));
        }
        check(net, Nd4j.rand(DataType.DOUBLE, 4, in).subi(0.5), LoraNets.oneHot(4, classes, DataType.DOUBLE), 0);
    }

    @ParameterizedTest(name = "convolution {0}, stride {1}, rank {2}, trainBias {3}")
    @CsvSource({
            "Truncate, 1, 1, false",
            "Same, 1, 2, true",
            "Truncate, 2, 3, false",
            "Same, 2, 2, false",
    })
    void convolutionEveryParameterAndTheInput(String mode, int stride, int rank, boolean trainBias) {
        Nd4j.getRandom().setSeed(rank * 31L + stride);
        MultiLayerNetwork base = convolutions(mode, stride, true);
        Lora lora = Lora.rank(rank).alpha(2.0).bias(trainBias ? Lora.Bias.ADAPTED : Lora.Bias.NONE).targets("conv*");
        MultiLayerNetwork net = LoraNets.adapted(base, lora, false, 0, 1);
        check(net, Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6).subi(0.5), LoraNets.oneHot(2, 3, DataType.DOUBLE), 0);
    }

    @ParameterizedTest(name = "DoRA convolution {0}, stride {1}, rank {2}, bias {3}, trainBias {4}")
    @CsvSource({
            "Truncate, 1, 1, true, false",
            "Truncate, 2, 2, false, false",
            "Same, 1, 2, true, true",
            "Same, 2, 3, false, false",
            "Truncate, 2, 2, true, true",
    })
    void doraConvolutionEveryParameterAndTheInput(String mode, int stride, int rank, boolean bias, boolean trainBias) {
        Nd4j.getRandom().setSeed(rank * 17L + stride);
        MultiLayerNetwork base = convolutions(mode, stride, bias);
        Lora dora = Lora.rank(rank).alpha(1.5).dora().bias(trainBias ? Lora.Bias.ADAPTED : Lora.Bias.NONE)
                .targets("conv*");
        MultiLayerNetwork net = LoraNets.adapted(base, dora, false, 0, 1);
        // A magnitude away from the norms, so that its gradient is exercised in general position.
        for (int i = 0; i < 2; i++) {
            INDArray m = net.getLayer(i).getParam(LoraParams.MAGNITUDE);
            assertThat(m.shape()).as("PEFT's Conv2d magnitude shape").containsExactly(1, i == 0 ? 3 : 4, 1, 1);
            m.muli(Nd4j.rand(DataType.DOUBLE, m.shape()).addi(0.5));
        }
        check(net, Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6).subi(0.5), LoraNets.oneHot(2, 3, DataType.DOUBLE), 0);
    }

    @ParameterizedTest(name = "Bias.ALL on {0}, the middle layer adapted")
    @CsvSource({"dense", "convolution"})
    void biasOnlyLayersAroundAnAdaptedOne(String kind) {
        Nd4j.getRandom().setSeed(kind.length());
        Lora lora = Lora.rank(2).alpha(3).bias(Lora.Bias.ALL).targets("*");
        if (kind.equals("dense")) {
            MultiLayerNetwork net = LoraNets.adapted(LoraNets.base(5, 6, 3, true, DataType.DOUBLE, 8), lora, false, 1);
            assertThat(net.getLayer(0).paramTable().keySet()).containsExactly(LoraParams.BIAS);
            check(net, Nd4j.rand(DataType.DOUBLE, 4, 5).subi(0.5), LoraNets.oneHot(4, 3, DataType.DOUBLE), 0);
        } else {
            MultiLayerNetwork net = LoraNets.adapted(convolutions("Same", 2, true), lora, false, 1);
            assertThat(net.getLayer(0).paramTable().keySet()).containsExactly(LoraParams.BIAS);
            check(net, Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6).subi(0.5), LoraNets.oneHot(2, 3, DataType.DOUBLE), 0);
        }
    }

    /** conv0 (3x3, stride, 2 to 3 channels, tanh), conv1 (2x2, 3 to 4 channels, sigmoid), out on 6x6 images. */
    private static MultiLayerNetwork convolutions(String mode, int stride, boolean bias) {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new org.nd4j.linalg.learning.config.Sgd(0.1))
                .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.valueOf(mode)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv0").stride(stride, stride)
                        .nOut(3).hasBias(bias).activation(org.nd4j.linalg.activations.Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(2, 2).name("conv1").nOut(4)
                        .hasBias(bias).activation(org.nd4j.linalg.activations.Activation.SIGMOID).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(6, 6, 2))
                .build();
        MultiLayerNetwork base = new MultiLayerNetwork(conf);
        base.init();
        return dev.attune.adapters.TestNets.withRandomBiases(base, 5);
    }

    @ParameterizedTest(name = "only layer {0} adapted")
    @CsvSource({"0", "1", "2"})
    void oneAdaptedLayerAmongPlainOnes(int layer) {
        Nd4j.getRandom().setSeed(5 + layer);
        MultiLayerNetwork base = LoraNets.base(6, 5, 3, true, DataType.DOUBLE, 3);
        MultiLayerNetwork net = LoraNets.adapted(base, Lora.rank(2).alpha(4).targets("*"), false, layer);
        check(net, Nd4j.rand(DataType.DOUBLE, 5, 6).subi(0.5), LoraNets.oneHot(5, 3, DataType.DOUBLE), 0);
    }

    @ParameterizedTest(name = "dropout {0}")
    @CsvSource({"0.2", "0.5"})
    void withDropoutOnTheAdapterInputUnderAFixedMask(double dropout) {
        MultiLayerNetwork base = LoraNets.base(6, 5, 3, true, DataType.DOUBLE, 4);
        // Dropout on the hidden layers only: the same mask is drawn again for every evaluation by reseeding.
        MultiLayerNetwork net = LoraNets.adapted(base, Lora.rank(2).dropout(dropout).targets("*"), false, 0, 1);
        check(net, Nd4j.rand(DataType.DOUBLE, 5, 6).subi(0.5), LoraNets.oneHot(5, 3, DataType.DOUBLE), 77);
    }
}
