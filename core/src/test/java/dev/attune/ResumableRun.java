package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A small training run whose result a resumed run must reproduce bit for bit: its fine-tuner (without
 * checkpoints) and its data. Implementations have a public no-argument constructor, so that a child
 * JVM ({@link KillRestart}) can make them by name.
 */
public interface ResumableRun {
    /** A short name: the run's checkpoint directory and result file are named after it. */
    String name();

    /** The fine-tuner's options, without checkpoints. */
    FineTuner.Builder builder();

    /** The training data. */
    LabeledData train();

    /** The validation data, or {@code null}. */
    LabeledData validation();

    /** Fits without checkpoints: the uninterrupted run. */
    default FineTuneResult fit() {
        return builder().build().fit(train(), validation());
    }

    /** Fits resuming from (and checkpointing into) {@code store}. */
    default FineTuneResult fit(CheckpointDirectory store, TrainingListener... listeners) {
        FineTuner.Builder b = builder().resumeFrom(store);
        for (TrainingListener l : listeners) {
            b.listener(l);
        }
        return b.build().fit(train(), validation());
    }

    /**
     * Checks that checkpointing every step changes nothing and that a run resumed from each of those
     * checkpoints alone (copied into a directory of its own under {@code dir}) ends bit for bit where the
     * uninterrupted run ends.
     */
    static void assertResumesFromEveryCheckpoint(ResumableRun run, Path dir) throws IOException {
        String uninterrupted = summary(run.fit());
        CheckpointDirectory all = CheckpointStore.directory(dir.resolve("all")).everySteps(1).keepLast(1000);
        assertThat(summary(run.fit(all))).as("checkpointing changes nothing")
                .isEqualTo(uninterrupted);
        List<Path> checkpoints = all.runCheckpoints();
        assertThat(checkpoints).hasSizeGreaterThan(4);
        for (Path checkpoint : checkpoints) {
            Path one = dir.resolve("from-" + checkpoint.getFileName());
            Files.createDirectories(one);
            Files.copy(checkpoint, one.resolve(checkpoint.getFileName()));
            FineTuneResult resumed = run.fit(CheckpointStore.directory(one).everySteps(1));
            assertThat(summary(resumed)).as("resumed from " + checkpoint.getFileName())
                    .isEqualTo(uninterrupted);
        }
    }

    /**
     * The result as text that two results share only when they are bit for bit the same: the SHA-256 of
     * the model's parameters and of every adapter tensor, each epoch's losses and metrics as their bits,
     * the best epoch and whether it stopped early.
     */
    static String summary(FineTuneResult r) {
        StringBuilder b = new StringBuilder();
        b.append("params ").append(sha256(r.model().handle().params())).append('\n');
        r.adapters().ifPresent(a -> new TreeMap<>(a.tensors()).forEach((name, t) ->
                b.append("adapter ").append(name).append(' ').append(sha256(t)).append('\n')));
        for (EpochRecord e : r.history()) {
            b.append("epoch ").append(e.epoch()).append(" train ").append(Long.toHexString(Double.doubleToRawLongBits(e.trainLoss())))
                    .append(" validation ").append(Long.toHexString(Double.doubleToRawLongBits(e.validationLoss())))
                    .append(" rate ").append(Long.toHexString(Double.doubleToRawLongBits(e.learningRate())));
            for (Map.Entry<String, Double> m : new TreeMap<>(e.metrics()).entrySet()) {
                b.append(' ').append(m.getKey()).append(' ').append(Long.toHexString(Double.doubleToRawLongBits(m.getValue())));
            }
            b.append('\n');
        }
        b.append("best ").append(r.bestEpoch()).append(" stoppedEarly ").append(r.stoppedEarly()).append('\n');
        return b.toString();
    }

    /** The SHA-256 of an array's values as row-major bytes, with its type and shape. */
    static String sha256(INDArray t) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((t.dataType() + java.util.Arrays.toString(t.shape())).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(dev.attune.internal.io.Safetensors.bytes(t));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
