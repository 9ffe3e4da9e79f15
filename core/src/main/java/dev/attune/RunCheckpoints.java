package dev.attune;

import dev.attune.internal.io.AtomicFiles;
import dev.attune.internal.io.CheckpointFile;
import dev.attune.internal.train.RunState;
import dev.attune.spi.TrainableModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's checkpoints in a {@link CheckpointDirectory}: where a run starts (the newest readable
 * checkpoint of this run when resuming, else the beginning), and the run checkpoints written after
 * steps and epochs, the oldest beyond {@code keepLast} removed once the new one is in place. Does
 * nothing without a checkpoint directory.
 */
final class RunCheckpoints {
    /** Where a run starts: the epoch (from 1), the mini-batches of it done, the optimizer steps done, the epoch's loss sum. */
    record Position(int epoch, int step, int iteration, double lossSum) {
        static final Position START = new Position(1, 0, 0, 0);
    }

    private final CheckpointDirectory dir;
    private final boolean resume;
    private final CheckpointFile.Identity identity;
    private final TrainableModel model;
    /** The run under training controls, whose update holds the optimizer state; {@code null} for the model's own. */
    private final ControlledTraining controlled;
    private final BestEpoch best;
    private final List<EpochRecord> history;
    private final List<TrainingListener.Warning> warnings = new ArrayList<>();

    RunCheckpoints(FineTuner tuner, Provenance provenance, TrainableModel model, ControlledTraining controlled,
                   BestEpoch best, List<EpochRecord> history) {
        this.dir = tuner.checkpoints() instanceof CheckpointDirectory d ? d : null;
        this.resume = tuner.resumes();
        Map<String, String> config = new LinkedHashMap<>(tuner.config());
        // Where and how often checkpoints go changes nothing a run computes.
        config.remove("checkpoints");
        this.identity = new CheckpointFile.Identity(provenance.baseModel(), provenance.trainData(),
                provenance.validationData(), config);
        this.model = model;
        this.controlled = controlled;
        this.best = best;
        this.history = history;
    }

    /**
     * Where the run starts. Resuming, the newest checkpoint that reads whole is put back into the model,
     * early stopping's bookkeeping and the history, and ND4J's random state is set to its; a newer one
     * that does not read is set aside as {@code <name>.corrupt} with a warning ({@link #warnings}).
     * Starting afresh in a checkpoint directory removes the run checkpoints an earlier run left there.
     *
     * @throws IllegalArgumentException when the newest readable checkpoint belongs to another run (another
     *     base model, other data, another configuration) or is of a newer format
     * @throws AttuneException when the directory holds run checkpoints and none of them reads
     */
    Position start() {
        if (dir == null) {
            return Position.START;
        }
        List<Path> found = dir.runCheckpoints();
        if (!resume) {
            found.forEach(RunCheckpoints::delete);
            return Position.START;
        }
        List<String> unreadable = new ArrayList<>();
        for (int i = found.size() - 1; i >= 0; i--) {
            Path file = found.get(i);
            CheckpointFile.Contents contents;
            try {
                contents = CheckpointFile.read(file);
            } catch (IOException e) {
                unreadable.add(e.getMessage());
                continue;
            }
            checkSameRun(file, contents.identity());
            for (Path newer : found.subList(i + 1, found.size())) {
                setAside(newer);
            }
            for (String why : unreadable) {
                warnings.add(new TrainingListener.Warning("checkpoint", why + "; resumed from the older "
                        + file.getFileName() + " instead (the unreadable file is kept with the suffix .corrupt)"));
            }
            return put(contents.state(), file);
        }
        if (!unreadable.isEmpty()) {
            throw new AttuneException("no run checkpoint in " + dir.path() + " can be read: " + String.join("; ", unreadable)
                    + "; delete the unreadable files to start afresh, or resume from a copy of the directory that reads");
        }
        return Position.START;
    }

    /** The warnings of {@link #start}. */
    List<TrainingListener.Warning> warnings() {
        return List.copyOf(warnings);
    }

    /** After an optimizer step: a run checkpoint when the step count calls for one (not after an epoch's last step, whose epoch writes its own). */
    void afterStep(int epoch, int stepsDone, int steps, int iteration, double lossSum) {
        if (dir != null && dir.stepInterval() > 0 && iteration % dir.stepInterval() == 0 && stepsDone < steps) {
            write(new Position(epoch, stepsDone, iteration, lossSum));
        }
    }

    /** After an epoch was recorded and offered to early stopping: a run checkpoint at the next epoch's start. */
    void afterEpoch(int epoch, int iteration) {
        if (dir != null) {
            write(new Position(epoch + 1, 0, iteration, 0));
        }
    }

    private void write(Position at) {
        List<RunState.Epoch> epochs = history.stream().map(r -> new RunState.Epoch(r.epoch(), r.trainLoss(),
                r.validationLoss(), r.metrics(), r.time().toNanos(), r.learningRate())).toList();
        var random = Nd4j.getRandom();
        RunState state = new RunState(at.epoch(), at.step(), at.iteration(), at.lossSum(), random.rootState(),
                random.nodeState(), best.state(), epochs, model.params(),
                controlled != null ? controlled.saveState() : model.optimizerState());
        Path file = dir.runCheckpoint(at.iteration());
        try {
            CheckpointFile.write(file, identity, state);
        } catch (IOException e) {
            throw new AttuneException("cannot write the run checkpoint " + file + ": " + e.getMessage(), e);
        }
        List<Path> all = dir.runCheckpoints();
        for (Path old : all.subList(0, Math.max(0, all.size() - dir.kept()))) {
            delete(old);
        }
    }

    /** Puts a checkpoint's state back into the model, early stopping, the history and ND4J's random generator. */
    private Position put(RunState s, Path file) {
        INDArray params = model.params();
        if (s.params().length() != params.length()) {
            throw new IllegalArgumentException("checkpoint " + file + " holds " + s.params().length()
                    + " parameters but the network being trained has " + params.length()
                    + "; checkpoint into another directory to start afresh");
        }
        params.assign(s.params().reshape(params.shape()));
        if (controlled != null) {
            controlled.restoreState(s.optimizer(), file);
        } else {
            restoreOptimizer(s.optimizer(), file);
        }
        best.resume(s.stopping());
        history.clear();
        s.history().forEach(e -> history.add(new EpochRecord(e.epoch(), e.trainLoss(), e.validationLoss(), e.metrics(),
                Duration.ofNanos(e.nanos()), e.learningRate())));
        Nd4j.getRandom().setStates(s.randomRoot(), s.randomNode());
        return new Position(s.epoch(), s.step(), s.iteration(), s.lossSum());
    }

    /** Puts a checkpoint's optimizer state back into the model's own updater. */
    private void restoreOptimizer(Map<String, INDArray> saved, Path file) {
        Map<String, INDArray> live = model.optimizerState();
        if (!live.keySet().equals(saved.keySet())) {
            throw new IllegalArgumentException("checkpoint " + file + " holds the optimizer state " + saved.keySet()
                    + " but the optimizer being trained keeps " + live.keySet()
                    + "; checkpoint into another directory to start afresh");
        }
        live.forEach((name, view) -> {
            INDArray values = saved.get(name);
            if (values.length() != view.length()) {
                throw new IllegalArgumentException("checkpoint " + file + " holds " + values.length()
                        + " values of optimizer state " + name + " but the optimizer keeps " + view.length()
                        + "; checkpoint into another directory to start afresh");
            }
            view.assign(values.reshape(view.shape()));
        });
    }

    /** Refuses a checkpoint of another run, naming the first difference. */
    private void checkSameRun(Path file, CheckpointFile.Identity theirs) {
        String fix = "; resume with the same %s, or checkpoint into another directory to start afresh";
        if (!theirs.baseModel().equals(identity.baseModel())) {
            throw new IllegalArgumentException("checkpoint " + file + " belongs to a run of another base model (fingerprint "
                    + theirs.baseModel() + ", this fine-tuner's base model " + identity.baseModel() + ")"
                    + String.format(fix, "base model"));
        }
        if (!theirs.trainData().equals(identity.trainData())) {
            throw new IllegalArgumentException("checkpoint " + file + " belongs to a run on other training data (fingerprint "
                    + theirs.trainData() + ", the training data given now " + identity.trainData() + ")"
                    + String.format(fix, "training data"));
        }
        if (!theirs.validationData().equals(identity.validationData())) {
            throw new IllegalArgumentException("checkpoint " + file + " belongs to a run on other validation data ("
                    + describe(theirs.validationData()) + ", the validation data given now "
                    + describe(identity.validationData()) + ")" + String.format(fix, "validation data"));
        }
        Set<String> options = new LinkedHashSet<>(identity.config().keySet());
        options.addAll(theirs.config().keySet());
        for (String option : options) {
            String was = theirs.config().get(option);
            String now = identity.config().get(option);
            if (!Objects.equals(was, now)) {
                throw new IllegalArgumentException("checkpoint " + file + " belongs to a run of another configuration: its "
                        + option + " is " + (was == null ? "not set" : was) + " but this fine-tuner's is "
                        + (now == null ? "not set" : now) + String.format(fix, "configuration"));
            }
        }
    }

    private static String describe(String fingerprint) {
        return fingerprint.isEmpty() ? "none" : "fingerprint " + fingerprint;
    }

    private static void setAside(Path file) {
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AttuneException("cannot set aside the unreadable checkpoint " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new AttuneException("cannot remove the old checkpoint " + file + ": " + AtomicFiles.describe(e), e);
        }
    }
}
