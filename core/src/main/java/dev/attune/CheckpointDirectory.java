package dev.attune;

import static java.util.Objects.requireNonNull;

import dev.attune.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in a directory: after every epoch the model's weights as {@code epoch-NNN.zip} (a model
 * zip that {@link Network#load(Path)} reads), and run checkpoints, {@code checkpoint-NNNNNNNN.zip}
 * numbered by the optimizer steps done, from which {@link FineTuner.Builder#resumeFrom} continues a
 * run exactly: every parameter, the optimizer's state, the step counter, the random state, the
 * position in the epoch's data order, early stopping's bookkeeping and the epochs so far. Immutable.
 *
 * <pre>{@code CheckpointStore.directory(dir).everySteps(50).keepLast(3)}</pre>
 *
 * <p>A run checkpoint is written after every epoch and, with {@link #everySteps}, after every that
 * many optimizer steps; only the newest {@link #keepLast} are kept, an older one being removed once
 * the new one is in place. Every file is written to a temporary name and moved into place, so a run
 * killed mid-write leaves the previous checkpoints whole. A run that starts afresh in the directory
 * (not resumed) removes the run checkpoints an earlier run left there, as it overwrites its epoch zips.
 *
 * <p>Defaults: run checkpoints after every epoch only, the last 2 kept.
 */
public final class CheckpointDirectory implements CheckpointStore {
    private static final Pattern RUN_CHECKPOINT = Pattern.compile("checkpoint-(\\d{8,})\\.zip");

    private final Path dir;
    private final int everySteps;
    private final int keepLast;

    CheckpointDirectory(Path dir, int everySteps, int keepLast) {
        this.dir = requireNonNull(dir, "dir");
        this.everySteps = everySteps;
        this.keepLast = keepLast;
    }

    /**
     * Writes a run checkpoint after every {@code steps} optimizer steps too (counted over the whole run),
     * besides the one after every epoch.
     *
     * @throws IllegalArgumentException when below 1
     */
    public CheckpointDirectory everySteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("everySteps must be at least 1 optimizer step, got " + steps
                    + "; leave it out to checkpoint after every epoch only");
        }
        return new CheckpointDirectory(dir, steps, keepLast);
    }

    /**
     * Keeps the newest {@code count} run checkpoints (default 2; epoch zips are all kept).
     *
     * @throws IllegalArgumentException when below 1
     */
    public CheckpointDirectory keepLast(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("keepLast must be at least 1 checkpoint, got " + count
                    + "; keep at least the newest, which a resumed run continues from");
        }
        return new CheckpointDirectory(dir, everySteps, count);
    }

    /** The directory. */
    public Path path() {
        return dir;
    }

    /** Writes {@code epoch-NNN.zip}, the model after the epoch, creating the directory if needed. */
    @Override
    public void save(int epoch, Network model) {
        model.save(dir.resolve(String.format(Locale.ROOT, "epoch-%03d.zip", epoch)));
    }

    /**
     * The run checkpoints in the directory, oldest first (none when it does not exist).
     *
     * @throws AttuneException when the directory cannot be listed
     */
    public List<Path> runCheckpoints() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> RUN_CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .sorted((a, b) -> Long.compare(stepsOf(a), stepsOf(b))).toList();
        } catch (IOException e) {
            throw new AttuneException("cannot list the checkpoint directory " + dir + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** The optimizer steps after which every that many a run checkpoint is written; 0 for epochs only. */
    int stepInterval() {
        return everySteps;
    }

    /** How many run checkpoints are kept. */
    int kept() {
        return keepLast;
    }

    /** The run checkpoint after {@code iteration} optimizer steps. */
    Path runCheckpoint(int iteration) {
        return dir.resolve(String.format(Locale.ROOT, "checkpoint-%08d.zip", iteration));
    }

    private static long stepsOf(Path p) {
        Matcher m = RUN_CHECKPOINT.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    @Override
    public String toString() {
        return "CheckpointStore.directory(" + dir + ")" + (everySteps > 0 ? ".everySteps(" + everySteps + ")" : "")
                + ".keepLast(" + keepLast + ")";
    }
}
