package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The copy check of {@code FineTuner.fit} on the bundled image sets: what Leakage.exact finds, it finds. */
class FitLeakageGuardTest {

    private static FineTuner tuner() {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(1e-3)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(784).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        network.init();
        return FineTuner.builder(network).epochs(1).batchSize(256).seed(3).build();
    }

    @Test
    void theBundledSplitsPassByDefault() {
        for (BundledData set : BundledData.values()) {
            LabeledData train = set.train();
            FineTuneResult r = tuner().fit(train, set.test());
            assertThat(r.provenance().warnings()).as(set.name()).isEmpty();
            // The README's few-shot split: 50 per class to train, 20 per class of the rest to validate.
            Split labelled = Splits.kPerClass(train, 50, 42);
            LabeledData validation = Splits.kPerClass(labelled.validation(), 20, 42).train();
            assertThat(tuner().fit(labelled.train(), validation).provenance().warnings()).as(set.name()).isEmpty();
        }
    }

    @Test
    void aSliceOfTheTrainingImagesIsRefused() {
        LabeledData train = BundledData.MNIST.train();
        LabeledData slice = train.select(IntStream.range(100, 200).toArray());
        assertThat(Leakage.exact(train, slice).matchedOther()).isEqualTo(100);
        assertThatThrownBy(() -> tuner().fit(train, slice))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("100 of the 100 validation examples are exact copies of training examples"
                        + " (features equal bit for bit, labels not compared), for example validation example 0 and"
                        + " training example 100;")
                .hasMessageContaining("leakage(LeakagePolicy.WARN)");
    }
}
