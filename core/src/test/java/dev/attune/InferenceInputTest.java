package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What inference through the public API refuses before DL4J sees it: non-finite features, wrong shapes, wrong class counts. */
class InferenceInputTest {
    private static INDArray rand(long... shape) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    @Test
    void nanOrInfiniteFeaturesAreRefusedNamingTheExampleAndFeature() {
        INDArray x = rand(6, 8);
        x.putScalar(3, 5, Float.NaN);
        x.putScalar(4, 1, Float.NaN);
        for (Network net : new Network[] {Network.of(Fixtures.mlp(3, 1)), Network.of(Fixtures.graph(3, 1))}) {
            assertThatThrownBy(() -> net.output(x)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("features hold 2 NaN or infinite values (first at example 3, feature 5)");
        }
        INDArray inf = rand(6, 8);
        inf.putScalar(0, 7, Float.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> Network.of(Fixtures.mlp(3, 1)).output(inf))
                .hasMessageContaining("1 NaN or infinite values (first at example 0, feature 7)");
        // Images: the feature's position within the example.
        INDArray images = rand(3, 1, 8, 8);
        images.putScalar(new long[] {2, 0, 4, 6}, Float.NaN);
        assertThatThrownBy(() -> Network.of(Fixtures.cnn(3, 1)).output(images))
                .hasMessageContaining("first at example 2, feature [0, 4, 6]");
        // The serving side and the fine-tuned result's model go through the same check.
        assertThatThrownBy(() -> AdaptedNetwork.of(Network.of(Fixtures.mlp(3, 1))).output(x))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first at example 3, feature 5");
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 1)).epochs(1).build().fit(Fixtures.blobs(30, 8, 3, 1));
        assertThatThrownBy(() -> r.model().output(x)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first at example 3, feature 5");
        // A BERT network: a NaN token id.
        INDArray tokens = BertFineTuningTest.sequences(4, 1).features();
        tokens.putScalar(new long[] {1, 0, 3}, Float.NaN);
        assertThatThrownBy(() -> Network.of(BertFineTuningTest.tiny(DataType.FLOAT)).output(tokens))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first at example 1, feature [0, 3]");
        INDArray ids = tokens.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray mask = Nd4j.ones(DataType.FLOAT, ids.shape());
        assertThatThrownBy(() -> BertFineTuningTest.tiny(DataType.FLOAT).embed(ids, mask))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first at example 1, feature 3");
    }

    @Test
    void predictingDataOfAnotherClassCountIsRefused() {
        Network ten = Network.of(Fixtures.mlp(10, 1));
        LabeledData five = Fixtures.blobs(50, 8, 5, 1);
        assertThatThrownBy(() -> ten.predict(five)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the data has 5 classes but the model has 10 outputs")
                .hasMessageContaining("LabeledData.of(features, labels, 10)")
                .hasMessageContaining("replaceHead(5)");
        assertThatThrownBy(() -> AdaptedNetwork.of(ten).predict(five)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 classes but the model has 10 outputs");
        assertThat(ten.predict(Fixtures.blobs(50, 8, 10, 1)).size()).isEqualTo(50);
    }

    @Test
    void aWrongInputWidthIsNamedBeforeDl4jSeesIt() {
        for (Network net : new Network[] {Network.of(Fixtures.mlp(3, 1)), Network.of(Fixtures.graph(3, 1))}) {
            assertThatThrownBy(() -> net.output(rand(4, 12))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected inputs of width 8 (shape [n, 8])")
                    .hasMessageContaining("got shape [4, 12]")
                    .hasMessageContaining("first layer 'dense0'");
            assertThatThrownBy(() -> net.output(rand(4, 2, 4))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected inputs of width 8 (shape [n, 8])");
        }
        Network cnn = Network.of(Fixtures.cnn(3, 1));
        assertThatThrownBy(() -> cnn.output(rand(4, 100))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected inputs of width 64 (shape [n, 64], or images [n, 1, 8, 8])")
                .hasMessageContaining("got shape [4, 100]");
        assertThatThrownBy(() -> cnn.output(rand(4, 3, 8, 8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got shape [4, 3, 8, 8]");
        assertThat(cnn.output(rand(4, 64)).shape()).containsExactly(4, 3);
        assertThat(cnn.output(rand(4, 1, 8, 8))).isEqualTo(cnn.output(rand(4, 1, 8, 8).reshape(4, 64)));
        // A convolution that takes images directly: its channel count.
        var direct = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                        .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("c").nIn(3).nOut(2).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder().name("g").build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nIn(2).nOut(3)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                        .build());
        direct.init();
        assertThatThrownBy(() -> Network.of(direct).output(rand(2, 1, 8, 8))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected images of shape [n, 3, height, width]")
                .hasMessageContaining("got shape [2, 1, 8, 8]");
        assertThat(Network.of(direct).output(rand(2, 3, 8, 8)).shape()).containsExactly(2, 3);
    }

    @Test
    void bertInputsAreCheckedForShapeAndVocabulary() {
        Network bert = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        assertThatThrownBy(() -> bert.output(rand(4, 20))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a BERT network takes [n, 2, seqLen] features")
                .hasMessageContaining("got [4, 20]");
        INDArray tokens = BertFineTuningTest.sequences(4, 1).features();
        tokens.putScalar(new long[] {2, 0, 1}, 50);
        assertThatThrownBy(() -> bert.output(tokens)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token ids must be whole numbers in [0, 50), got values in [0.0, 50.0]");
    }
}
