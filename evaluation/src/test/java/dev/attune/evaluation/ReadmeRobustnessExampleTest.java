package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.LabeledData;
import dev.attune.Network;
import java.io.IOException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Compiles and runs the README's robustness example, and checks that the README still shows this code. */
class ReadmeRobustnessExampleTest {
    @Test
    void theReadmeRobustnessExampleRuns() {
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(784).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        mln.init();
        Network network = Network.of(mln);
        int[] labels = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
        LabeledData imageTest = LabeledData.of(Nd4j.rand(DataType.FLOAT, 10, 784), labels, 3);
        LabeledData darkerTest = LabeledData.of(imageTest.features().muli(0.5), labels, 3);

        // README example: begin
        RobustnessReport robustness = Robustness.of(network)           // or Robustness.of(model::output)
                .metrics(Metrics.accuracy(), Metrics.f1Macro())
                .perturb(Perturbations.gaussianNoise(0.1, 0.2, 0.4))
                .perturb(Perturbations.occlusion(4, 8))
                .perturb(Perturbations.shift(1, 2))
                .flatImages(28, 28)                                     // rows of 784 pixels are 28x28 images
                .shifted("darker", darkerTest)                          // a shifted test set of your own
                .run(imageTest);
        System.out.println(robustness.toMarkdown());                    // perturbation, strength, metric, value, drop
        // README example: end

        // clean, 3 noise levels, 2 patch sizes, 2 shifts and the shifted set, 2 metrics each.
        assertThat(robustness.rows()).hasSize(2 * (1 + 3 + 2 + 2 + 1));
        assertThat(robustness.toMarkdown()).contains("| occlusion | 8 | f1_macro |").contains("| darker | - | accuracy |");
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeRobustnessExampleTest.class);
    }

}
