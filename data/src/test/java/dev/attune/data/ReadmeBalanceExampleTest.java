package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Compiles and runs the README's balancing and audit example, and checks that the README still shows this code. */
class ReadmeBalanceExampleTest {
    @TempDir
    Path dir;

    @Test
    void theExampleRunsAndTheReadmeShowsIt() throws Exception {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(1e-3)).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(54).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        network.init();

        // README example: begin
        TabularData credit = BundledTables.GERMAN_CREDIT.train();
        TabularData holdOut = BundledTables.GERMAN_CREDIT.test();
        DataAudit.Report audit = DataAudit.of(credit.data())
                .positiveClass(0)                                   // class 0, "good" credit, is the favourable outcome
                .group("sex", credit.groups("sex"))
                .group("foreign_worker", credit.groups("foreign_worker"))
                .reference("sex", Map.of("female", 0.5, "male", 0.5))
                .run();
        Files.writeString(dir.resolve("audit.json"), audit.toJson());
        Leakage.Report leaks = Leakage.exact(credit.data(), holdOut.data());   // test rows also in train

        FineTuneResult result = FineTuner.builder(network)
                .balance(Balancing.reweigh(credit.groups("sex")))   // or oversample(), undersample(), smote(5), classWeights()
                .epochs(3).seed(42)
                .build()
                .fit(credit.data(), holdOut.data());
        // README example: end

        assertThat(audit.check("disparate impact", "sex").status()).isEqualTo(DataAudit.Status.WARN);
        assertThat(audit.check("disparate impact", "foreign_worker").status()).isEqualTo(DataAudit.Status.FAIL);
        assertThat(audit.check("representation gap", "sex").status()).isEqualTo(DataAudit.Status.FAIL);
        assertThat(audit.check("class imbalance ratio", "").status()).isEqualTo(DataAudit.Status.WARN);
        assertThat(Files.readString(dir.resolve("audit.json"))).startsWith("{\n  \"status\": \"FAIL\",");
        // Checked apart with Python over the two CSV files (every feature column equal): no shared row.
        assertThat(leaks.clean()).isTrue();
        assertThat(result.provenance().config()).containsEntry("balance", "reweigh(2 groups over 700 examples)");
        assertThat(result.provenance().validationData()).isEqualTo(holdOut.data().fingerprint());

        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeBalanceExampleTest.class);
    }

}
