package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    private final LabeledData train = Fixtures.blobs(90, 8, 3, 1);

    @Test
    void everyEpochIsCheckpointedAndLoadable() throws IOException {
        FineTuneResult r = FineTuner.builder(Fixtures.mlp(3, 1)).epochs(3).checkpoints(CheckpointStore.directory(dir))
                .build().fit(train);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("checkpoint-00000006.zip", "checkpoint-00000009.zip", "epoch-001.zip",
                            "epoch-002.zip", "epoch-003.zip");
        }
        // The epochs' models load as networks; the run checkpoints (the last two, after 6 and 9 steps) resume runs.
        Network last = Network.load(dir.resolve("epoch-003.zip"));
        assertThat(last.fingerprint()).isEqualTo(r.model().fingerprint());
        assertThat(Network.load(dir.resolve("epoch-001.zip")).fingerprint()).isNotEqualTo(r.model().fingerprint());
    }

    @Test
    void graphsRoundTripThroughSaveAndLoad() {
        Network g = Network.of(Fixtures.graph(3, 1));
        g.save(dir.resolve("g.zip"));
        Network back = Network.load(dir.resolve("g.zip"));
        assertThat(back.fingerprint()).isEqualTo(g.fingerprint());
        assertThat(back.asComputationGraph()).isNotNull();
    }

    @Test
    void truncatedCheckpointIsRefused() throws IOException {
        Path zip = dir.resolve("model.zip");
        Network.of(Fixtures.mlp(3, 1)).save(zip);
        byte[] bytes = Files.readAllBytes(zip);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> Network.load(cut)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("cut.zip").hasMessageContaining("truncated or corrupted");
    }

    @Test
    void corruptedCheckpointIsRefused() throws IOException {
        Path zip = dir.resolve("model.zip");
        Network.of(Fixtures.mlp(3, 1)).save(zip);
        byte[] bytes = Files.readAllBytes(zip);
        // Flip bytes in the middle of the stored data: the zip's CRC check fails.
        for (int i = bytes.length / 3; i < bytes.length / 3 + 64; i++) {
            bytes[i] ^= 0x5a;
        }
        Path bad = dir.resolve("bad.zip");
        Files.write(bad, bytes);
        assertThatThrownBy(() -> Network.load(bad)).isInstanceOf(AttuneException.class).hasMessageContaining("bad.zip");
    }

    @Test
    void missingOrForeignFilesAreRefused() throws IOException {
        assertThatThrownBy(() -> Network.load(dir.resolve("none.zip"))).isInstanceOf(AttuneException.class)
                .hasMessageContaining("no model file at " + dir.resolve("none.zip").toAbsolutePath()
                        + "; give the path of a model zip written by Network.save");
        assertThatThrownBy(() -> Network.load(dir)).isInstanceOf(AttuneException.class)
                .hasMessageContaining(dir.toAbsolutePath() + " is a directory, not a model file");
        Path notZip = dir.resolve("notes.zip");
        Files.writeString(notZip, "hello");
        assertThatThrownBy(() -> Network.load(notZip)).isInstanceOf(AttuneException.class)
                .hasMessageContaining("not a readable zip");
    }

    @Test
    void aFailedWriteLeavesNoHalfWrittenFile() throws IOException {
        // The target is a non-empty directory, so the final move fails after the temporary file was written.
        Path target = dir.resolve("epoch-001.zip");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).epochs(2)
                .checkpoints(CheckpointStore.directory(dir)).build().fit(train))
                .isInstanceOf(AttuneException.class).hasMessageContaining("epoch-001.zip");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("epoch-001.zip");
        }
        assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("x");
    }

    @Test
    void savingUnderAFileSaysSo() throws IOException {
        Path taken = dir.resolve("taken");
        Files.writeString(taken, "x");
        assertThatThrownBy(() -> Network.of(Fixtures.mlp(3, 1)).save(taken.resolve("sub/model.zip")))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("cannot create directory " + taken.toAbsolutePath() + ": a file of that name exists");
        assertThatThrownBy(() -> FineTuner.builder(Fixtures.mlp(3, 1)).epochs(1)
                .checkpoints(CheckpointStore.directory(taken)).build().fit(train))
                .isInstanceOf(AttuneException.class)
                .hasMessageContaining("cannot create directory " + taken.toAbsolutePath() + ": a file of that name exists");
        assertThat(Files.readString(taken)).isEqualTo("x");
    }

    @Test
    void aWriteRemovesTheTemporaryFilesOfDeadWritesOnly() throws IOException {
        java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofHours(1)));
        Path dead = dir.resolve(".epoch-001.zip." + java.util.UUID.randomUUID() + ".tmp");
        Path live = dir.resolve(".epoch-002.zip." + java.util.UUID.randomUUID() + ".tmp");
        Path foreign = dir.resolve(".notes.tmp");
        Path visible = dir.resolve("epoch-003.zip." + java.util.UUID.randomUUID() + ".tmp");
        for (Path p : new Path[] {dead, live, foreign, visible}) {
            Files.writeString(p, "partial");
            Files.setLastModifiedTime(p, p == live ? java.nio.file.attribute.FileTime.from(java.time.Instant.now()) : hourAgo);
        }
        FineTuner.builder(Fixtures.mlp(3, 1)).epochs(1).checkpoints(CheckpointStore.directory(dir)).build().fit(train);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    foreign.getFileName().toString(), live.getFileName().toString(), "epoch-001.zip",
                    "checkpoint-00000003.zip", visible.getFileName().toString());
        }
    }

    @Test
    void aWriteInProgressInThisProcessIsNotRemovedHoweverOld() throws IOException {
        Path outer = dir.resolve("outer.bin");
        AtomicFiles.write(outer, tmp -> {
            Files.writeString(tmp, "outer");
            // Looks dead by its age, but this process is writing it: a nested write must leave it alone.
            Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(java.time.Duration.ofHours(1))));
            Network.of(Fixtures.mlp(3, 1)).save(dir.resolve("inner.zip"));
            assertThat(tmp).exists();
        });
        assertThat(Files.readString(outer)).isEqualTo("outer");
    }
}
