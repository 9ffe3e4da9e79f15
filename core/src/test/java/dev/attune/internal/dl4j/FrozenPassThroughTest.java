package dev.attune.internal.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.spi.Optimizer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A frozen dense layer above trainable ones passes exactly DL4J's gradient down, and no more. */
class FrozenPassThroughTest {
    private final LabeledData train = Fixtures.blobs(300, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(150, 8, 3, 2);

    private static MultiLayerNetwork net(boolean ours, INDArray params) {
        DenseLayer middle = new DenseLayer.Builder().name("dense1").nIn(6).nOut(5).activation(Activation.TANH).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.DOUBLE)
                .updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(4).nOut(6).activation(Activation.SIGMOID).build())
                .layer(ours ? new FrozenPassThrough(middle) : new FrozenLayerWithBackprop(middle))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(5).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init(params == null ? null : params.dup(), false);
        return net;
    }

    @Test
    void passesTheSameGradientAsDl4jWithoutComputingWeightGradients() {
        MultiLayerNetwork reference = net(false, null);
        MultiLayerNetwork ours = net(true, reference.params());
        assertThat(ours.getLayer(1)).isInstanceOf(FrozenPassThrough.Impl.class);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 7, 4).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 7, 3);
        for (int i = 0; i < 7; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        Pair<Gradient, INDArray> a = reference.calculateGradients(x, y, null, null);
        Pair<Gradient, INDArray> b = ours.calculateGradients(x, y, null, null);
        assertThat(b.getFirst().gradientForVariable().keySet()).containsExactlyInAnyOrder("0_W", "0_b", "2_W", "2_b");
        for (String key : b.getFirst().gradientForVariable().keySet()) {
            INDArray expected = a.getFirst().getGradientFor(key);
            double diff = b.getFirst().getGradientFor(key).sub(expected).amaxNumber().doubleValue();
            assertThat(diff).as(key).isLessThan(1e-12 * Math.max(1, expected.amaxNumber().doubleValue()));
        }
        assertThat(b.getSecond().sub(a.getSecond()).amaxNumber().doubleValue()).isLessThan(1e-12);
    }

    @Test
    void aFrozenMiddleLayerStaysBitIdenticalWhileLayersBelowLearn() {
        MultiLayerNetwork base = Fixtures.mlp(3, 5);
        INDArray dense0 = base.getLayer(0).params().dup();
        INDArray dense1 = base.getLayer(1).params().dup();
        FineTuneResult r = FineTuner.builder(base).freeze(Freeze.layers("dense1")).epochs(15)
                .optimizer(Optimizer.adamW(1e-2)).build().fit(train, validation);
        MultiLayerNetwork tuned = r.model().asMultiLayerNetwork();
        assertThat(tuned.getLayer(1).params()).isEqualTo(dense1);
        assertThat(tuned.getLayer(0).params()).isNotEqualTo(dense0);
        long trainable = (8 * 16 + 16) + (16 * 3 + 3);
        assertThat(r.trainableParams()).isEqualTo(trainable);
        assertThat(r.frozenParams()).isEqualTo(16 * 16 + 16);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * trainable);
        assertThat(r.frozenLayers()).containsExactly("dense1");
        assertThat(r.predict(validation).score(Fixtures.ACCURACY)).isGreaterThan(0.85);
    }

    @Test
    void aFrozenOutputLayerPassesDl4jsInputGradientAndStaysBitIdentical() {
        MultiLayerNetwork reference = net(false, null);
        var conf = reference.getLayerWiseConfigurations().clone();
        conf.getConf(2).setLayer(FrozenPassThrough.wrap(conf.getConf(2).getLayer()));
        MultiLayerNetwork ours = new MultiLayerNetwork(conf);
        ours.init(reference.params().dup(), false);
        assertThat(ours.getLayer(2)).isInstanceOf(FrozenOutputPassThrough.Impl.class);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 5, 3);
        for (int i = 0; i < 5; i++) {
            y.putScalar(i, (i + 1) % 3, 1.0);
        }
        Pair<Gradient, INDArray> a = reference.calculateGradients(x, y, null, null);
        Pair<Gradient, INDArray> b = ours.calculateGradients(x, y, null, null);
        assertThat(b.getFirst().gradientForVariable().keySet()).containsExactlyInAnyOrder("0_W", "0_b");
        INDArray expected = a.getFirst().getGradientFor("0_W");
        assertThat(b.getFirst().getGradientFor("0_W").sub(expected).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(b.getSecond().sub(a.getSecond()).amaxNumber().doubleValue()).isLessThan(1e-12);

        // Through the FineTuner: training the layers below a kept, frozen head.
        MultiLayerNetwork base = Fixtures.mlp(3, 5);
        INDArray out = base.getLayer(2).params().dup();
        FineTuneResult r = FineTuner.builder(base).freeze(Freeze.layers("out")).epochs(3).build().fit(train);
        assertThat(r.model().asMultiLayerNetwork().getLayer(2).params()).isEqualTo(out);
        assertThat(r.model().asMultiLayerNetwork().getLayer(0).params()).isNotEqualTo(base.getLayer(0).params());
        assertThat(r.optimizerStateSize()).isEqualTo(2 * r.trainableParams());
    }

    @Test
    void graphsPassGradientsThroughFrozenDenseLayersToo() {
        var graph = Fixtures.graph(3, 5);
        INDArray dense0 = graph.getLayer("dense0").params().dup();
        INDArray dense1 = graph.getLayer("dense1").params().dup();
        FineTuneResult r = FineTuner.builder(graph).freeze(Freeze.layers("dense1")).epochs(15).build()
                .fit(train, validation);
        assertThat(r.model().asComputationGraph().getLayer("dense1").params()).isEqualTo(dense1);
        assertThat(r.model().asComputationGraph().getLayer("dense0").params()).isNotEqualTo(dense0);
        assertThat(r.optimizerStateSize()).isEqualTo(2 * r.trainableParams());
        assertThat(r.predict(validation).score(Fixtures.ACCURACY)).isGreaterThan(0.85);
    }
}
