package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BadInputTest {
    private final LabeledData train = Fixtures.blobs(60, 8, 3, 1);

    @Test
    void unknownLayerNamesAreListed() {
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).freeze(Freeze.allExcept("dens1")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown layer 'dens1'; layers are: dense0, dense1, out");
        assertThatThrownBy(() -> Network.of(Fixtures.mlp(3, 1)).layer("nope"))
                .hasMessageContaining("unknown layer 'nope'; layers are: dense0, dense1, out");
    }

    @Test
    void aHeadNeedsTwoClasses() {
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).replaceHead(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a head needs at least 2 classes, got 0");
    }

    @Test
    void labelsOutsideTheClassRange() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 8);
        assertThatThrownBy(() -> LabeledData.of(x, new int[] {0, 3, 1}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 3 at example 1 is outside [0, 3)");
        assertThatThrownBy(() -> LabeledData.of(x, new int[] {0, -1, 1}, 3))
                .hasMessageContaining("label -1 at example 1");
    }

    @Test
    void nanAndInfiniteFeatures() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 8);
        x.putScalar(2, 5, Float.NaN);
        assertThatThrownBy(() -> LabeledData.of(x, new int[] {0, 1, 2, 0}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 NaN or infinite values (first in example 2)");
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 8);
        y.putScalar(3, 0, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> LabeledData.of(y, new int[] {0, 1, 2, 0}, 3))
                .hasMessageContaining("first in example 3");
    }

    @Test
    void emptyAndMismatchedData() {
        assertThatThrownBy(() -> LabeledData.of(Nd4j.create(DataType.FLOAT, 0, 8), new int[0], 3))
                .hasMessageContaining("the data set is empty");
        assertThatThrownBy(() -> LabeledData.of(Nd4j.rand(DataType.FLOAT, 4, 8), new int[] {0, 1}, 3))
                .hasMessageContaining("features hold 4 examples but labels hold 2");
    }

    @Test
    void singleClassTrainingSet() {
        LabeledData one = LabeledData.of(Nd4j.rand(DataType.FLOAT, 5, 8), new int[] {2, 2, 2, 2, 2}, 3);
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).build().fit(one))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a single class (5 examples of class 2)");
    }

    @Test
    void mismatchedFeatureShapes() {
        LabeledData wide = Fixtures.blobs(30, 12, 3, 1);
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).build().fit(wide))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("examples of shape [12] do not fit the model's input (first layer 'dense0'")
                .hasMessageContaining("expected inputs of width 8 (shape [n, 8])");
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).build().fit(train, wide))
                .hasMessageContaining("validation examples have shape [12] but training examples have shape [8]");
    }

    @Test
    void classCountMustMatchTheHead() {
        LabeledData five = Fixtures.blobs(50, 8, 5, 1);
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).build().fit(five))
                .hasMessageContaining("the training data has 5 classes but the model's output layer has 3; call replaceHead(5)");
    }

    @Test
    void earlyStoppingNeedsValidation() {
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1))
                .earlyStopping(EarlyStopping.onValidationLoss()).build().fit(train))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("early stopping on val_loss needs a validation set");
    }

    @Test
    void optionsAreCheckedAtOnceAndSetOnce() {
        FineTuner.Builder b = FineTuner.builder(Fixtures.mlp(3, 1));
        assertThatThrownBy(() -> b.epochs(0)).hasMessage("epochs must be at least 1, got 0");
        assertThatThrownBy(() -> b.batchSize(-4)).hasMessage("batch size must be at least 1, got -4");
        assertThatThrownBy(() -> Optimizer.adam(0)).hasMessageContaining("learning rate must be in (0, 10], got 0.0");
        assertThatThrownBy(() -> Optimizer.sgd(0.1, 1.0)).hasMessageContaining("momentum must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> EarlyStopping.onValidationLoss().patience(0)).hasMessageContaining("patience must be at least 1");
        b.epochs(3);
        assertThatThrownBy(() -> b.epochs(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("epochs(...) was already set");
    }

    @Test
    void everythingFrozenIsRefused() {
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).freeze(Freeze.layers("*")).build())
                .hasMessageContaining("nothing to train; unfreeze at least the output layer, e.g. Freeze.allExcept(\"out\")");
    }

    @Test
    void aFrozenConvolutionAboveATrainableLayerIsRefused() {
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                        .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv0").nOut(2).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).name("conv1").nOut(2).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().name("out").nOut(3)
                                .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                        .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(8, 8, 1))
                        .build());
        net.init();
        assertThatThrownBy(() -> FineTuner.builder(net).freeze(Freeze.layers("conv1")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 'conv1' is frozen but layer 'conv0' below it is trainable; a frozen "
                        + "ConvolutionLayer cannot pass gradients to the layers below it yet (frozen dense and output layers can)");
    }

    @Test
    void aDivergingRunSaysWhatToChange() {
        LabeledData big = LabeledData.of(Nd4j.rand(DataType.FLOAT, 60, 8).muli(1e30), Fixtures.blobs(60, 8, 3, 1).labels(), 3);
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).optimizer(Optimizer.sgd(10)).epochs(3).build().fit(big))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("training diverged")
                .hasMessageContaining("lower the learning rate");
        assertThat(big.size()).isEqualTo(60);
    }
}
