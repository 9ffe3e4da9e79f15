package dev.attune.deploy;

import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks and packages for the tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** dense0 (in to hidden), dense1 (hidden to hidden), out (hidden to classes). */
    static MultiLayerNetwork mlp(int in, int hidden, int classes, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(in).nOut(hidden).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(hidden).nOut(hidden).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(hidden).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A small signed-or-not package of an 8-input, 3-class network: the subject of the seal's tests. */
    static ModelPackage small(Path file, java.security.PrivateKey key) {
        PackageBuilder b = ModelPackage.builder("small")
                .model(dev.attune.Network.of(mlp(8, 16, 3, 1)))
                .classNames(List.of("a", "b", "c"))
                .image(1f, 8)
                .reproduceCommand("./train.sh --seed 1");
        if (key != null) {
            b.signWith(key);
        }
        return b.write(file);
    }
}
