package dev.attune.adapters.lora;

import dev.attune.AdaptedLayer;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small base networks and their LoRA-adapted twins, built directly for the layer-level tests. */
final class LoraNets {
    private LoraNets() {
    }

    /** dense0 (in to hidden, tanh), dense1 (hidden to hidden, sigmoid), out (hidden to classes, softmax). */
    static MultiLayerNetwork base(int in, int hidden, int classes, boolean bias, DataType type, long seed) {
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
        // Non-zero biases, so that a bias handled wrongly shows.
        for (int i = 0; i < 3; i++) {
            INDArray b = net.getLayer(i).paramTable().get("b");
            if (b != null) {
                b.assign(Nd4j.rand(type, b.shape()).subi(0.5));
            }
        }
        return net;
    }

    /**
     * The base network with LoRA on the layers whose index is in {@code adapted}, the base weights
     * bound, every adapter tensor random (so that the adapter path is exercised) unless {@code zeroB}.
     */
    static MultiLayerNetwork adapted(MultiLayerNetwork base, Lora lora, boolean zeroB, int... adapted) {
        MultiLayerConfiguration conf = base.getLayerWiseConfigurations().clone();
        java.util.Set<Integer> set = new java.util.HashSet<>();
        for (int i : adapted) {
            set.add(i);
            Layer l = conf.getConf(i).getLayer();
            conf.getConf(i).setLayer(lora.adapt(l.clone()));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (set.contains(i)) {
                Map<String, INDArray> copy = new HashMap<>();
                base.getLayer(i).paramTable().forEach((k, v) -> copy.put(k, v.dup()));
                AdaptedLayer a = (AdaptedLayer) net.getLayer(i);
                a.bindBase(copy);
                if (!zeroB) {
                    INDArray b = net.getLayer(i).getParam(LoraParams.B);
                    b.assign(Nd4j.rand(b.dataType(), b.shape()).subi(0.5));
                }
            } else {
                net.getLayer(i).params().assign(base.getLayer(i).params());
            }
        }
        return net;
    }

    static INDArray oneHot(int rows, int classes, DataType type) {
        INDArray y = Nd4j.zeros(type, rows, classes);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, (i * 7 + 3) % classes, 1.0);
        }
        return y;
    }
}
