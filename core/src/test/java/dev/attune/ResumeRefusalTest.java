package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.Optimizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What resuming does with checkpoints of another run, of a newer format, or that do not read. */
class ResumeRefusalTest {
    @TempDir
    Path dir;

    private final LabeledData train = Fixtures.blobs(60, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(30, 8, 3, 2);

    private FineTuner.Builder tuner(Optimizer optimizer) {
        return FineTuner.builder(Fixtures.mlp(3, 1)).optimizer(optimizer).epochs(2).batchSize(16).seed(3);
    }

    private CheckpointDirectory store() {
        return CheckpointStore.directory(dir).everySteps(1).keepLast(3);
    }

    /** A first run, stopped after its first epoch: a run checkpoint to resume from. */
    private FineTuneResult firstRun() {
        return FineTuner.builder(Fixtures.mlp(3, 1)).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(16).seed(3)
                .resumeFrom(store()).build().fit(train, validation);
    }

    @Test
    void anotherConfigurationIsRefusedNamingTheOptionAndBothValues() {
        firstRun();
        assertThatThrownBy(() -> tuner(Optimizer.adam(1e-3)).resumeFrom(store()).build().fit(train, validation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to a run of another configuration: its optimizer is "
                        + Optimizer.adam(1e-2) + " but this fine-tuner's is " + Optimizer.adam(1e-3))
                .hasMessageContaining("resume with the same configuration, or checkpoint into another directory");
    }

    @Test
    void otherTrainingOrValidationDataAndAnotherBaseAreRefused() {
        firstRun();
        LabeledData otherTrain = Fixtures.blobs(60, 8, 3, 9);
        assertThatThrownBy(() -> tuner(Optimizer.adam(1e-2)).resumeFrom(store()).build().fit(otherTrain, validation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to a run on other training data (fingerprint " + train.fingerprint()
                        + ", the training data given now " + otherTrain.fingerprint() + "); resume with the same training data");
        assertThatThrownBy(() -> tuner(Optimizer.adam(1e-2)).resumeFrom(store()).build().fit(train, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to a run on other validation data (fingerprint " + validation.fingerprint()
                        + ", the validation data given now none)");
        Network otherBase = Network.of(Fixtures.mlp(3, 2));
        assertThatThrownBy(() -> FineTuner.builder(otherBase).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(16)
                .seed(3).resumeFrom(store()).build().fit(train, validation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to a run of another base model (fingerprint "
                        + Network.of(Fixtures.mlp(3, 1)).fingerprint() + ", this fine-tuner's base model "
                        + otherBase.fingerprint() + "); resume with the same base model");
    }

    @Test
    void aNewerFormatIsRefused() throws IOException {
        firstRun();
        Path newest = last();
        rewriteManifest(newest, m -> m.replace("\"attune-checkpoint/1\"", "\"attune-checkpoint/2\""));
        assertThatThrownBy(() -> tuner(Optimizer.adam(1e-2)).resumeFrom(store()).build().fit(train, validation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("checkpoint " + newest + " is of format attune-checkpoint/2, newer than this Attune"
                        + " version reads (attune-checkpoint/1); resume it with the Attune version that wrote it");
    }

    @Test
    void aTruncatedNewestCheckpointIsSetAsideForThePreviousOneWithAWarning() throws IOException {
        FineTuneResult uninterrupted = firstRun();
        List<Path> kept = store().runCheckpoints();
        assertThat(kept).hasSize(3);
        // Back to the middle of the run: the epoch's last checkpoint and the two step checkpoints before it.
        Files.delete(kept.get(2));
        Path newest = kept.get(1);
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        List<TrainingListener.Warning> warnings = new ArrayList<>();
        FineTuneResult resumed = FineTuner.builder(Fixtures.mlp(3, 1)).optimizer(Optimizer.adam(1e-2)).epochs(2)
                .batchSize(16).seed(3).resumeFrom(store()).listener(new TrainingListener() {
                    @Override
                    public void onWarning(Warning event) {
                        warnings.add(event);
                    }
                }).build().fit(train, validation);
        assertThat(ResumableRun.summary(resumed)).isEqualTo(ResumableRun.summary(uninterrupted));
        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.topic()).isEqualTo("checkpoint");
            assertThat(w.message()).contains("checkpoint " + newest + " is not a readable zip (truncated or corrupted?)")
                    .contains("resumed from the older " + kept.get(0).getFileName());
        });
        assertThat(resumed.provenance().warnings()).singleElement().asString().startsWith("checkpoint: checkpoint " + newest);
        assertThat(newest.resolveSibling(newest.getFileName() + ".corrupt")).exists();
    }

    @Test
    void aCorruptedCheckpointIsSkippedAndNoReadableOneIsRefused() throws IOException {
        firstRun();
        for (Path p : store().runCheckpoints()) {
            byte[] bytes = Files.readAllBytes(p);
            // Flip bytes inside the stored tensors: the entry's CRC no longer matches.
            for (int i = bytes.length / 2; i < bytes.length / 2 + 16; i++) {
                bytes[i] ^= 0x5a;
            }
            Files.write(p, bytes);
        }
        Path newest = last();
        assertThatThrownBy(() -> tuner(Optimizer.adam(1e-2)).resumeFrom(store()).build().fit(train, validation))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("no run checkpoint in " + dir + " can be read: checkpoint " + newest)
                .hasMessageContaining("does not match (corrupted)")
                .hasMessageContaining("delete the unreadable files to start afresh");
    }

    @Test
    void aFreshRunRemovesTheRunCheckpointsOfAnEarlierRunAndAnEmptyDirectoryStartsAfresh() {
        FineTuneResult first = firstRun();
        assertThat(store().runCheckpoints()).hasSize(3);
        FineTuneResult fresh = tuner(Optimizer.adam(1e-3)).checkpoints(store()).build().fit(train, validation);
        assertThat(fresh.history()).hasSize(2);
        assertThat(store().runCheckpoints()).hasSize(3);
        FineTuneResult again = tuner(Optimizer.adam(1e-3)).resumeFrom(CheckpointStore.directory(dir.resolve("empty")))
                .build().fit(train, validation);
        assertThat(ResumableRun.summary(again)).isEqualTo(ResumableRun.summary(fresh))
                .isNotEqualTo(ResumableRun.summary(first));
    }

    @Test
    void aRollbackGuardResumedFromMidEpochCheckpointsIsRefusedAndFromEpochCheckpointsAllowed() {
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).onDivergence(Divergence.rollback(0.5, 2))
                .resumeFrom(CheckpointStore.directory(dir).everySteps(5)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rolls back to the start of an epoch")
                .hasMessageContaining("every 5 steps")
                .hasMessageContaining("drop everySteps(...)");
        FineTuner.builder(Fixtures.mlp(3, 1)).onDivergence(Divergence.rollback(0.5, 2))
                .resumeFrom(CheckpointStore.directory(dir)).build();
        FineTuner.builder(Fixtures.mlp(3, 1)).onDivergence(Divergence.rollback(0.5, 2))
                .checkpoints(CheckpointStore.directory(dir).everySteps(5)).build();
    }

    @Test
    void everyStepsAndKeepLastRefuseCountsBelowOne() {
        assertThatThrownBy(() -> CheckpointStore.directory(dir).everySteps(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("everySteps must be at least 1 optimizer step, got 0; leave it out to checkpoint after every"
                        + " epoch only");
        assertThatThrownBy(() -> CheckpointStore.directory(dir).keepLast(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepLast must be at least 1 checkpoint, got 0; keep at least the newest, which a resumed run"
                        + " continues from");
    }

    private Path last() {
        List<Path> all = store().runCheckpoints();
        return all.get(all.size() - 1);
    }

    /** Rewrites a checkpoint's manifest, every other entry kept as it was. */
    private static void rewriteManifest(Path checkpoint, java.util.function.UnaryOperator<String> edit) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(checkpoint.toFile()); ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] content = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("manifest.json")) {
                    content = edit.apply(new String(content, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(content);
                out.closeEntry();
            }
        }
        try (OutputStream out = Files.newOutputStream(checkpoint)) {
            bytes.writeTo(out);
        }
    }
}
