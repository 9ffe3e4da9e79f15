package dev.attune.adapters.lora;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.AdaptedLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision against the analytic gradients of LoRA layers:
 * every adapter parameter, every trained bias, and the network's input.
 */
class LoraGradientCheckTest {
    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-5;
    private static final double MIN_ABS_ERROR = 1e-9;

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
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new org.nd4j.linalg.learning.config.Sgd(0.1))
                .convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.valueOf(mode)).list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv0").stride(stride, stride)
                        .nOut(3).activation(org.nd4j.linalg.activations.Activation.TANH).build())
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(2, 2).name("conv1").nOut(4)
                        .activation(org.nd4j.linalg.activations.Activation.SIGMOID).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(6, 6, 2))
                .build();
        MultiLayerNetwork base = new MultiLayerNetwork(conf);
        base.init();
        Lora lora = Lora.rank(rank).alpha(2.0).bias(trainBias ? Lora.Bias.ADAPTED : Lora.Bias.NONE).targets("conv*");
        MultiLayerNetwork net = LoraNets.adapted(base, lora, false, 0, 1);
        check(net, Nd4j.rand(DataType.DOUBLE, 2, 2, 6, 6).subi(0.5), LoraNets.oneHot(2, 3, DataType.DOUBLE), 0);
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

    /** Checks every parameter of the network and every input value; {@code seed} fixes dropout masks. */
    static void check(MultiLayerNetwork net, INDArray x, INDArray y, long seed) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof AdaptedLayer a) {
                a.inputGradientNeeded(true);
            }
        }
        int n = (int) x.size(0);
        Nd4j.getRandom().setSeed(seed);
        Pair<Gradient, INDArray> analytic = net.calculateGradients(x, y, null, null);
        // DL4J's score is the mean loss over the batch; its gradients are sums over the batch.
        INDArray paramGrad = analytic.getFirst().gradient().dup().divi(n);
        INDArray inputGrad = analytic.getSecond().dup().divi(n);

        INDArray params = net.params();
        assertThat(params.length()).isGreaterThan(0);
        for (long j = 0; j < params.length(); j++) {
            double orig = params.getDouble(j);
            params.putScalar(j, orig + EPS);
            double plus = score(net, x, y, seed);
            params.putScalar(j, orig - EPS);
            double minus = score(net, x, y, seed);
            params.putScalar(j, orig);
            assertClose("parameter " + j, paramGrad.getDouble(j), (plus - minus) / (2 * EPS));
        }
        for (long j = 0; j < x.length(); j++) {
            INDArray xp = x.dup();
            xp.putScalar(j, x.getDouble(j) + EPS);
            double plus = score(net, xp, y, seed);
            xp.putScalar(j, x.getDouble(j) - EPS);
            double minus = score(net, xp, y, seed);
            assertClose("input " + j, inputGrad.getDouble(j), (plus - minus) / (2 * EPS));
        }
    }

    private static double score(MultiLayerNetwork net, INDArray x, INDArray y, long seed) {
        Nd4j.getRandom().setSeed(seed);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        double s = net.score();
        net.clear();
        return s;
    }

    private static void assertClose(String what, double analytic, double numeric) {
        double abs = Math.abs(analytic - numeric);
        if (abs < MIN_ABS_ERROR) {
            return;
        }
        double rel = abs / (Math.abs(analytic) + Math.abs(numeric));
        assertThat(rel).as("%s: analytic %s, numeric %s", what, analytic, numeric).isLessThan(MAX_REL_ERROR);
    }
}
