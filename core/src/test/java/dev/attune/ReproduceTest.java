package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@link FineTuner#reproduce}: the same run again, refused when anything it depends on differs. */
class ReproduceTest {
    private static final LabeledData TRAIN = Fixtures.blobs(120, 8, 3, 1);
    private static final LabeledData VALIDATION = Fixtures.blobs(60, 8, 3, 2);
    /** One run of {@link #tuner()}, shared by the tests that only read it. */
    private static final FineTuneResult RUN = tuner().fit(TRAIN, VALIDATION);

    /** The fine-tuner of the recorded run, as the code that made it builds it. */
    private static FineTuner tuner() {
        return builder(Fixtures.mlp(4, 5)).build();
    }

    private static FineTuner.Builder builder(org.deeplearning4j.nn.multilayer.MultiLayerNetwork base) {
        return FineTuner.builder(base).replaceHead(3).optimizer(Optimizer.adam(1e-2)).epochs(3).batchSize(16)
                .metrics(Fixtures.ACCURACY);
    }

    @Test
    void theProvenanceRecordsTheResultsFingerprintAndTheLibraryVersion() {
        Provenance p = RUN.provenance();
        assertThat(p.resultModel()).isEqualTo(RUN.model().fingerprint()).hasSize(64);
        assertThat(p.resultAdapter()).isEmpty();
        assertThat(p.attuneVersion()).isEqualTo(Provenance.libraryVersion()).isNotEqualTo("unknown");
        assertThat(p.asText()).containsEntry("resultModel", RUN.model().fingerprint()).containsEntry("resultAdapter", "");
    }

    @Test
    void reproducingAnMlpRunGivesTheSameWeights() {
        FineTuneResult again = tuner().reproduce(RUN.provenance(), TRAIN, VALIDATION);
        assertThat(again.model().fingerprint()).isEqualTo(RUN.model().fingerprint());
        WeightAssertions.assertThat(again).hasSameWeightsAs(RUN);
        assertThat(again.provenance().resultModel()).isEqualTo(RUN.provenance().resultModel());
    }

    @Test
    void aProvenanceReadBackFromJsonOrTextReproducesTheRun() {
        Provenance fromJson = Provenance.parse(RUN.provenance().toJson());
        assertThat(fromJson).isEqualTo(RUN.provenance());
        assertThat(Provenance.fromText(RUN.provenance().asText())).isEqualTo(RUN.provenance());
        FineTuneResult again = tuner().reproduce(fromJson, TRAIN, VALIDATION);
        WeightAssertions.assertThat(again).hasSameWeightsAs(RUN);
    }

    @Test
    void anotherSeedIsRefusedBeforeTrainingNamingBothValues() {
        FineTuner other = builder(Fixtures.mlp(4, 5)).seed(7).build();
        assertThatThrownBy(() -> other.reproduce(RUN.provenance(), TRAIN, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option 'seed' is '7' here but was '42' in the run")
                .hasMessageContaining("started at " + RUN.provenance().startedAt());
    }

    @Test
    void everyDifferentOptionIsNamed() {
        FineTuner other = FineTuner.builder(Fixtures.mlp(4, 5)).replaceHead(3).optimizer(Optimizer.adam(1e-3)).epochs(4)
                .batchSize(16).metrics(Fixtures.ACCURACY).build();
        assertThatThrownBy(() -> other.reproduce(RUN.provenance(), TRAIN, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("option 'epochs' is '4' here but was '3' in the run")
                .hasMessageContaining("option 'optimizer' is '" + Optimizer.adam(1e-3) + "' here but was '"
                        + Optimizer.adam(1e-2) + "' in the run");
    }

    @Test
    void checkpointsNeverChangeTheWeightsSoTheirTextMayDiffer(@TempDir Path dir) {
        FineTuner withCheckpoints = builder(Fixtures.mlp(4, 5)).checkpoints(CheckpointStore.directory(dir)).build();
        WeightAssertions.assertThat(withCheckpoints.reproduce(RUN.provenance(), TRAIN, VALIDATION)).hasSameWeightsAs(RUN);
        assertThat(dir.resolve("epoch-003.zip")).exists();
    }

    @Test
    void anotherBaseModelIsRefusedNamingBothFingerprints() {
        FineTuner other = builder(Fixtures.mlp(4, 6)).build();
        assertThatThrownBy(() -> other.reproduce(RUN.provenance(), TRAIN, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the base model's fingerprint is " + Network.of(Fixtures.mlp(4, 6)).fingerprint()
                        + " but the run's was " + RUN.provenance().baseModel());
    }

    @Test
    void otherTrainingDataIsRefusedNamingBothFingerprints() {
        LabeledData other = Fixtures.blobs(120, 8, 3, 9);
        assertThatThrownBy(() -> tuner().reproduce(RUN.provenance(), other, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the training data's fingerprint is " + other.fingerprint() + " but the run's was "
                        + TRAIN.fingerprint());
    }

    @Test
    void otherOrMissingValidationDataIsRefused() {
        LabeledData other = Fixtures.blobs(60, 8, 3, 9);
        assertThatThrownBy(() -> tuner().reproduce(RUN.provenance(), TRAIN, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the validation data's fingerprint is " + other.fingerprint() + " but the run's was "
                        + VALIDATION.fingerprint());
        assertThatThrownBy(() -> tuner().reproduce(RUN.provenance(), TRAIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no validation data is given but the run had some (fingerprint "
                        + VALIDATION.fingerprint() + ")");
    }

    @Test
    void validationDataForARunWithoutIsRefused() {
        FineTuneResult without = tuner().fit(TRAIN);
        assertThatThrownBy(() -> tuner().reproduce(without.provenance(), TRAIN, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("validation data (fingerprint " + VALIDATION.fingerprint()
                        + ") is given but the run had none");
        WeightAssertions.assertThat(tuner().reproduce(without.provenance(), TRAIN)).hasSameWeightsAs(without);
    }

    @Test
    void anotherLibraryVersionIsRefusedNamingBoth() {
        Provenance p = RUN.provenance();
        Provenance older = new Provenance(p.config(), p.seed(), p.baseModel(), p.trainData(), p.validationData(),
                "0.9.0", "1.0.0-M1", p.javaVersion(), p.backend(), p.os(), p.startedAt(), p.warnings(),
                p.resultModel(), p.resultAdapter());
        assertThatThrownBy(() -> tuner().reproduce(older, TRAIN, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("this is Attune " + Provenance.libraryVersion() + " but the run used Attune 0.9.0")
                .hasMessageContaining("this is Deeplearning4j " + p.dl4jVersion() + " but the run used Deeplearning4j 1.0.0-M1");
    }

    @Test
    void aProvenanceWithoutAResultFingerprintIsRefused() {
        Provenance p = RUN.provenance();
        Provenance unfinished = new Provenance(p.config(), p.seed(), p.baseModel(), p.trainData(), p.validationData(),
                p.attuneVersion(), p.dl4jVersion(), p.javaVersion(), p.backend(), p.os(), p.startedAt(), p.warnings());
        assertThatThrownBy(() -> tuner().reproduce(unfinished, TRAIN, VALIDATION))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("records no fingerprint of its result (resultModel is empty");
    }

    /** Drops one training example, a different one at every call: state kept between fits that its description hides. */
    private static final class DropsAnotherExampleEachTime implements Balancer {
        private int calls;

        @Override
        public Balanced balance(LabeledData train, long seed) {
            int drop = calls++;
            return Balanced.of(train.select(IntStream.range(0, train.size()).filter(i -> i != drop).toArray()));
        }

        @Override
        public String describe() {
            return "drops one example";
        }
    }

    @Test
    void weightsThatComeOutDifferentAreCaughtNamingBothFingerprints() {
        // The same fine-tuner object: every option's text is equal, but its balancer now drops another example.
        FineTuner stateful = builder(Fixtures.mlp(4, 5)).balance(new DropsAnotherExampleEachTime()).build();
        FineTuneResult first = stateful.fit(TRAIN, VALIDATION);
        assertThatThrownBy(() -> stateful.reproduce(first.provenance(), TRAIN, VALIDATION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the model's fingerprint is ")
                .hasMessageContaining(" but the run recorded " + first.model().fingerprint())
                .hasMessageContaining("keeps state between fits");
        // Built again by the same code, the balancer starts afresh and the run reproduces.
        FineTuner fresh = builder(Fixtures.mlp(4, 5)).balance(new DropsAnotherExampleEachTime()).build();
        WeightAssertions.assertThat(fresh.reproduce(first.provenance(), TRAIN, VALIDATION)).hasSameWeightsAs(first);
    }

    @Test
    void anAdapterRunRecordsAndChecksTheAdaptersTensors() {
        LabeledData all = BertFineTuningTest.sequences(120, 1);
        LabeledData train = all.select(IntStream.range(0, 90).toArray());
        LabeledData validation = all.select(IntStream.range(90, 120).toArray());
        var lora = BertLoraFineTuningTest.method(BertLoraFineTuningTest.spec(4,
                List.of("*.attention.self.query", "*.attention.self.value")));
        FineTuner tuner = FineTuner.builder(Network.of(BertFineTuningTest.tiny(DataType.FLOAT)))
                .replaceHead(BertFineTuningTest.CLASSES).adapter(lora).optimizer(Optimizer.adam(5e-2)).epochs(1).build();
        FineTuneResult run = tuner.fit(train, validation);
        assertThat(run.provenance().resultAdapter()).isEqualTo(run.adapters().orElseThrow().fingerprint()).hasSize(64);
        assertThat(run.adapters().orElseThrow().provenance()).containsEntry("resultAdapter", run.provenance().resultAdapter());

        FineTuneResult again = tuner.reproduce(run.provenance(), train, validation);
        assertThat(again.adapters().orElseThrow().fingerprint()).isEqualTo(run.provenance().resultAdapter());
        WeightAssertions.assertThat(again).hasSameWeightsAs(run);

        Provenance p = run.provenance();
        Provenance otherAdapter = new Provenance(p.config(), p.seed(), p.baseModel(), p.trainData(), p.validationData(),
                p.attuneVersion(), p.dl4jVersion(), p.javaVersion(), p.backend(), p.os(), p.startedAt(), p.warnings(),
                p.resultModel(), "0".repeat(64));
        assertThatThrownBy(() -> tuner.reproduce(otherAdapter, train, validation))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the adapter's fingerprint is '" + p.resultAdapter() + "' but the run recorded '"
                        + "0".repeat(64) + "'");
    }
}
