package dev.attune.adapters.lora;

import dev.attune.adapters.TestNets;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small attention networks that read flat rows {@code [n, features * steps]} as sequences. */
final class AttentionNets {
    private AttentionNets() {
    }

    /** The shape of the attention layers of {@link #base}. */
    record Shape(int features, int steps, int hidden, int heads, int headSize, int queries, int classes) {
        int width() {
            return features * steps;
        }
    }

    /**
     * attn0, a {@link SelfAttentionLayer} (features to hidden), attn1 (hidden to hidden), a
     * {@link LearnedSelfAttentionLayer} with {@code queries} learned queries when {@code learned}, else
     * another {@link SelfAttentionLayer}, pool (average over the sequence) and out (softmax, with a
     * random bias when {@code bias}); both attention layers project their input. DL4J 1.0.0-M2.1's own
     * {@link LearnedSelfAttentionLayer} fails in its forward pass: with {@code learned}, only the adapted
     * network runs.
     */
    static MultiLayerNetwork base(Shape s, boolean learned, boolean bias, DataType type, long seed) {
        var second = learned
                ? new LearnedSelfAttentionLayer.Builder().name("attn1").nIn(s.hidden()).nOut(s.hidden())
                        .nHeads(s.heads()).headSize(s.headSize()).nQueries(s.queries()).projectInput(true).build()
                : new SelfAttentionLayer.Builder().name("attn1").nIn(s.hidden()).nOut(s.hidden())
                        .nHeads(s.heads()).headSize(s.headSize()).projectInput(true).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(type)
                .updater(new Sgd(0.1)).list()
                .layer(new SelfAttentionLayer.Builder().name("attn0").nIn(s.features()).nOut(s.hidden()).nHeads(s.heads())
                        .headSize(s.headSize()).projectInput(true).build())
                .layer(second)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("pool").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(s.hidden())
                        .nOut(s.classes()).hasBias(bias).activation(Activation.SOFTMAX).build())
                .inputPreProcessor(0, new ToSequence(s.features(), s.steps()))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return TestNets.withRandomBiases(net, seed);
    }

    /**
     * The base network with LoRA on the layers whose index is in {@code adapted}, the base weights
     * bound and every {@code B} random, so that the adapter path is exercised.
     */
    static MultiLayerNetwork adapted(MultiLayerNetwork base, Lora lora, int... adapted) {
        Map<Integer, org.deeplearning4j.nn.conf.layers.Layer> layers = new HashMap<>();
        for (int i : adapted) {
            layers.put(i, lora.adapt(base.getLayerWiseConfigurations().getConf(i).getLayer().clone()));
        }
        MultiLayerNetwork net = TestNets.adapted(base, layers);
        for (int i : adapted) {
            net.getLayer(i).paramTable().forEach((k, v) -> {
                if (k.endsWith(LoraParams.B)) {
                    v.assign(Nd4j.rand(v.dataType(), v.shape()).subi(0.5));
                }
            });
        }
        return net;
    }

    /** Reads a row of {@code features * steps} values as {@code [features, steps]}: feature-major, step-minor. */
    static final class ToSequence implements InputPreProcessor {
        private static final long serialVersionUID = 1L;
        private int features;
        private int steps;

        ToSequence() {
        }

        ToSequence(int features, int steps) {
            this.features = features;
            this.steps = steps;
        }

        @Override
        public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr mgr) {
            return mgr.dup(ArrayType.ACTIVATIONS, input, 'c').reshape('c', input.size(0), features, steps);
        }

        @Override
        public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr mgr) {
            return mgr.dup(ArrayType.ACTIVATION_GRAD, output, 'c').reshape('c', output.size(0), (long) features * steps);
        }

        @Override
        public InputPreProcessor clone() {
            return new ToSequence(features, steps);
        }

        @Override
        public InputType getOutputType(InputType inputType) {
            return InputType.recurrent(features, steps);
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                              int minibatchSize) {
            return new Pair<>(maskArray, currentMaskState);
        }
    }
}
