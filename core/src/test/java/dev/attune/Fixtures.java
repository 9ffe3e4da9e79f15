package dev.attune;

import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Tiny networks and data for tests (of every module: core's test jar). */
public final class Fixtures {
    /** The share of examples whose most probable class is the actual one, for tests that cannot use the evaluation module. */
    public static final Metric ACCURACY = new Metric() {
        @Override
        public String name() {
            return "accuracy";
        }

        @Override
        public double compute(Predictions p) {
            int hits = 0;
            for (int i = 0; i < p.size(); i++) {
                hits += p.actual(i) == p.predicted(i) ? 1 : 0;
            }
            return (double) hits / p.size();
        }
    };

    private Fixtures() {
    }

    /** dense0 (8 to 16), dense1 (16 to 16), out (16 to classes). */
    public static MultiLayerNetwork mlp(int classes, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(8).nOut(16).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense1").nIn(16).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** conv0, pool0, dense0, out on 8x8 single-channel images given flat. */
    public static MultiLayerNetwork cnn(int classes, long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-2))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv0").nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool0").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("dense0").nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The same shape as {@link #mlp} as a computation graph. */
    public static ComputationGraph graph(int classes, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense0", new DenseLayer.Builder().nIn(8).nOut(16).activation(Activation.RELU).build(), "in")
                .addLayer("dense1", new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.RELU).build(), "dense0")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "dense1")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** Gaussian blobs in {@code dims} dimensions, one centre per class, separable but noisy. */
    public static LabeledData blobs(int n, int dims, int classes, long seed) {
        Random r = new Random(seed);
        double[][] centres = new double[classes][dims];
        Random c = new Random(7);
        for (double[] centre : centres) {
            for (int d = 0; d < dims; d++) {
                centre[d] = c.nextGaussian() * 2;
            }
        }
        float[][] x = new float[n][dims];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int d = 0; d < dims; d++) {
                x[i][d] = (float) (centres[y[i]][d] + r.nextGaussian());
            }
        }
        return LabeledData.of(Nd4j.create(x), y, classes);
    }
}
