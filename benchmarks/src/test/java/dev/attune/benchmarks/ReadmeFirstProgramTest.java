package dev.attune.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.evaluation.Metrics;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Runs the README's smallest program (the body of its {@code main}) and checks that the README still
 * shows this code with the imports it needs; {@code .ci/consumer-check} compiles and runs the README's
 * text of it as a new application would.
 */
class ReadmeFirstProgramTest {

    @Test
    void theSmallestProgramRuns() {
        // README example: begin
        // Stands in for a pretrained network; Network.load(zip) reads one that DL4J saved.
        MultiLayerNetwork base = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1)
                .list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(784).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nIn(64).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        base.init();

        Split digits = Splits.kPerClass(BundledData.MNIST.train(), 50, 42);   // 50 labelled digits per class
        FineTuneResult result = FineTuner.builder(base)
                .replaceHead(10)                                                // a new 10-class output layer
                .optimizer(Optimizer.adam(1e-3))
                .epochs(1).batchSize(32).seed(42)
                .build()
                .fit(digits.train());
        System.out.println("macro F1: " + result.predict(BundledData.MNIST.test()).score(Metrics.f1Macro()));
        // README example: end
        assertThat(result.history()).hasSize(1);
        // One epoch on 500 digits is far above chance (0.1) with this seed.
        assertThat(result.predict(BundledData.MNIST.test()).score(Metrics.f1Macro())).isGreaterThan(0.3);
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        ReadmeExampleTest.assertReadmeShowsExampleOf("ReadmeFirstProgramTest");
    }
}
