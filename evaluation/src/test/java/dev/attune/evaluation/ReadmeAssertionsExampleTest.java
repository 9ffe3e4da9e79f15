package dev.attune.evaluation;

import static dev.attune.evaluation.EvaluationAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Predictions;
import java.io.IOException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Compiles and runs the README's assertions example, and checks that the README still shows this code. */
class ReadmeAssertionsExampleTest {
    @Test
    void theReadmeAssertionsExampleRuns() {
        // A one-feature softmax model whose logits at x = +-0.5 are (0, +-ln 9): p(class 1) is 0.9 or 0.1.
        // 100 examples at x = +-0.5, of which 10 of class 0 sit at +0.5: 90 are right, all with confidence
        // 0.9 (calibrated), and both regions have the same share of predicted positives.
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(1).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        mln.init();
        mln.setParams(Nd4j.create(new float[] {0, (float) (2 * Math.log(9)), 0, 0}, new long[] {1, 4})); // W, then b
        Network network = Network.of(mln);
        int n = 100;
        int[] labels = new int[n];
        float[] x = new float[n];
        String[] region = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i / 2) % 2;
            x[i] = labels[i] == 1 || i % 20 < 2 ? 0.5f : -0.5f;
            region[i] = i % 2 == 0 ? "north" : "south";
        }
        LabeledData test = LabeledData.of(Nd4j.create(x, new long[] {n, 1}), labels, 2);
        EvaluationReport report = EvaluationReport.builder(ReportFixtures.binaryResult(), network.predict(test))
                .resamples(100).groups("region", Groups.of(region)).build();

        // README example: begin
        Predictions predictions = network.predict(test);
        assertThat(predictions).metric(Metrics.f1Macro()).isAtLeast(0.85);
        assertThat(predictions).calibrationError().isBelow(0.05);            // expected calibration error, 15 bins
        assertThat(predictions).parityDifference(Groups.of(region)).isBelow(0.1);
        assertThat(report).parityDifference("region").isBelow(0.1);          // a report given groups("region", ...)
        // README example: end

        assertThatThrownBy(() -> assertThat(predictions).metric(Metrics.accuracy()).isAtLeast(0.95))
                .hasMessageContaining("but was 0.9000");
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeAssertionsExampleTest.class);
    }

}
