package dev.attune.adapters.lora;

import dev.attune.Fixtures;
import dev.attune.adapters.AdapterContract;
import dev.attune.adapters.TestNets;
import dev.attune.spi.AdapterMethod;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** LoRA on convolution kernels passes the adapter contract. */
class LoraConvContractTest implements AdapterContract {
    @Override
    public AdapterMethod method(int rank, String... targets) {
        return Lora.rank(rank).alpha(2 * rank).targets(targets);
    }

    /** conv0 (2x2, hidden channels, tanh) and conv1 (2x2, 3 channels) on a (size + 1) square image, then out. */
    @Override
    public MultiLayerNetwork base(int size, int hidden, boolean bias, long seed) {
        var conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).list()
                .layer(new ConvolutionLayer.Builder(2, 2).name("conv0").nOut(hidden).hasBias(bias)
                        .activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(2, 2).name("conv1").nOut(3).hasBias(bias)
                        .activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(size + 2, size + 2, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return TestNets.withRandomBiases(net, seed);
    }

    @Override
    public int inputWidth(int size) {
        return (size + 2) * (size + 2);
    }

    @Override
    public String[] targets() {
        return new String[] {"conv*"};
    }

    @Override
    public MultiLayerNetwork trainingBase(long seed) {
        return Fixtures.cnn(3, seed);
    }

    @Override
    public int trainingWidth() {
        return 64;
    }

    @Override
    public String trainingTarget() {
        return "conv0";
    }
}
