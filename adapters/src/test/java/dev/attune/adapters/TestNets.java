package dev.attune.adapters;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small base networks for the adapter tests. */
public final class TestNets {
    private TestNets() {
    }

    /**
     * dense0 (in to hidden, tanh), dense1 (hidden to hidden, sigmoid), out (hidden to classes,
     * softmax), with random non-zero biases so that a bias handled wrongly shows.
     */
    public static MultiLayerNetwork base(int in, int hidden, int classes, boolean bias, DataType type, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(new Sgd(0.1)).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(in).nOut(hidden).hasBias(bias)
                        .activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(hidden).nOut(hidden).hasBias(bias)
                        .activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(hidden).nOut(classes)
                        .hasBias(bias).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return withRandomBiases(net, seed);
    }

    /**
     * The base network with the layers of the given indices replaced by the given adapted
     * configurations, each adapted layer bound to a copy of its base parameters and every other
     * layer holding the base's parameters; the adapters start as their configurations initialise them.
     */
    public static MultiLayerNetwork adapted(MultiLayerNetwork base, java.util.Map<Integer, org.deeplearning4j.nn.conf.layers.Layer> layers) {
        MultiLayerConfiguration conf = base.getLayerWiseConfigurations().clone();
        layers.forEach((i, l) -> conf.getConf(i).setLayer(l));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (layers.containsKey(i)) {
                java.util.Map<String, INDArray> copy = new java.util.HashMap<>();
                base.getLayer(i).paramTable().forEach((k, v) -> copy.put(k, v.dup()));
                ((dev.attune.spi.AdaptedLayer) net.getLayer(i)).bindBase(copy);
            } else if (base.getLayer(i).numParams() > 0) {
                net.getLayer(i).params().assign(base.getLayer(i).params());
            }
        }
        return net;
    }

    /** One-hot labels, row {@code i} of class {@code (7 i + 3) mod classes}. */
    public static INDArray oneHot(int rows, int classes, DataType type) {
        INDArray y = Nd4j.zeros(type, rows, classes);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, (i * 7 + 3) % classes, 1.0);
        }
        return y;
    }

    /** Sets every bias to random values in [-0.5, 0.5), so that a bias handled wrongly shows. */
    public static MultiLayerNetwork withRandomBiases(MultiLayerNetwork net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (var layer : net.getLayers()) {
            INDArray b = layer.paramTable().get("b");
            if (b != null) {
                b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
            }
        }
        return net;
    }

    /** The largest absolute difference between two arrays, relative to the larger of their largest values (at least 1). */
    public static double relativeDifference(INDArray a, INDArray b) {
        double scale = Math.max(1, Math.max(a.amaxNumber().doubleValue(), b.amaxNumber().doubleValue()));
        return a.sub(b).amaxNumber().doubleValue() / scale;
    }
}
