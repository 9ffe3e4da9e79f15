package dev.attune.evaluation;

import dev.attune.EpochRecord;
import dev.attune.FineTuneResult;
import dev.attune.Network;
import dev.attune.Predictions;
import dev.attune.Provenance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A small hand-made fine-tuning result and test predictions, for the report tests. */
final class ReportFixtures {
    /** Class names that need escaping in HTML and JSON. */
    static final List<String> CLASS_NAMES = List.of("cat <b>&amp;</b>", "dog \"quoted\" 'single'", "bird\\slash");

    private ReportFixtures() {
    }

    /**
     * Six examples of three classes, four right. Actual 0 0 1 1 2 2, predicted 0 1 1 1 2 0, top-class
     * confidence 0.8 0.6 0.9 0.7 0.8 0.5.
     */
    static Predictions predictions() {
        int[] actual = {0, 0, 1, 1, 2, 2};
        double[][] probabilities = {
            {0.8, 0.1, 0.1},
            {0.3, 0.6, 0.1},
            {0.1, 0.9, 0.0},
            {0.2, 0.7, 0.1},
            {0.1, 0.1, 0.8},
            {0.5, 0.2, 0.3},
        };
        return Predictions.of(actual, probabilities);
    }

    /** Three epochs with a validation set (best: epoch 2, stopped early), provenance with text to escape. */
    static FineTuneResult result() {
        List<EpochRecord> history = List.of(
                new EpochRecord(1, 1.2, 1.0, Map.of("accuracy", 0.5), Duration.ofMillis(1500)),
                new EpochRecord(2, 0.8, 0.7, Map.of("accuracy", 0.75), Duration.ofMillis(1250)),
                new EpochRecord(3, 0.5, 0.9, Map.of("accuracy", 0.625), Duration.ofMillis(1000)));
        return result(history, 2, true);
    }

    static FineTuneResult result(List<EpochRecord> history, int bestEpoch, boolean stoppedEarly) {
        Provenance provenance = new Provenance(Map.of("epochs", "3", "note", "<script>alert(\"x\")</script>"), 42,
                "base-fingerprint", "train-fingerprint", "validation-fingerprint", "0.1.0-SNAPSHOT", "1.0.0-M2.1",
                "17.0.2", "CpuBackend (threads=2)", "Linux amd64", Instant.parse("2026-01-02T03:04:05Z"), List.of());
        return new FineTuneResult(tinyNetwork(), history, bestEpoch, stoppedEarly, 9, 0, List.of(), 18,
                Duration.ofSeconds(4), provenance, null);
    }

    /** The same run with a network of two inputs and two classes, to predict a binary test set. */
    static FineTuneResult binaryResult() {
        FineTuneResult r = result();
        return new FineTuneResult(tinyNetwork(2), r.history(), r.bestEpoch(), r.stoppedEarly(), 6, 0, List.of(), 12,
                r.wallTime(), r.provenance(), null);
    }

    private static Network tinyNetwork() {
        return tinyNetwork(3);
    }

    private static Network tinyNetwork(int classes) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(2).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return Network.of(net);
    }
}
