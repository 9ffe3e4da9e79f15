package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A data audit given to the FineTuner stops training on German credit when a check fails. */
class AuditBeforeTrainingTest {
    private final TabularData credit = BundledTables.GERMAN_CREDIT.train();

    private MultiLayerNetwork network() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).list()
                .layer(new DenseLayer.Builder().nIn(credit.featureNames().size()).nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void aFailingAuditStopsTheFitAndNamesTheFailedChecks() {
        DataAudit audit = DataAudit.of(credit.data()).positiveClass(0).group("foreign_worker", credit.groups("foreign_worker"));
        FineTuner tuner = FineTuner.builder(network()).epochs(1).audit(audit).build();
        // Disparate impact 459/665 over 31/35 = 0.779 (DataAuditTest derives it from the CSV file).
        assertThatThrownBy(() -> tuner.fit(credit.data())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nothing was trained")
                .hasMessageContaining("disparate impact of foreign_worker 0.779 (fails at 0.800")
                .hasMessageContaining("Balancing.reweigh");
    }

    @Test
    void anAuditThatPassesOrOnlyWarnsLetsItTrain() {
        DataAudit audit = DataAudit.of(credit.data()).positiveClass(0).group("sex", credit.groups("sex"))
                .imbalanceRatio(1.5, 4);
        // Sex: 0.860, a warning only; class ratio 490/210 = 2.33, a warning only.
        FineTuneResult r = FineTuner.builder(network()).epochs(1).audit(audit).build().fit(credit.data());
        assertThat(r.history()).hasSize(1);
        assertThat(r.provenance().config()).containsEntry("audit", "DataAudit");
    }

    @Test
    void anAuditOfOtherDataIsRefused() {
        DataAudit audit = DataAudit.of(BundledTables.GERMAN_CREDIT.test().data()).positiveClass(0);
        FineTuner tuner = FineTuner.builder(network()).epochs(1).audit(audit).build();
        assertThatThrownBy(() -> tuner.fit(credit.data())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("started on other data (300 examples").hasMessageContaining("DataAudit.of(train)");
    }
}
