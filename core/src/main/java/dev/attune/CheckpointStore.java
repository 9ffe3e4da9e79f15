package dev.attune;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where per-epoch checkpoints go. The built-in {@link #directory(Path)} writes one model zip per
 * epoch and the run checkpoints a run resumes from; implement this interface to send the epochs'
 * models elsewhere (object storage, a model registry).
 */
@FunctionalInterface
public interface CheckpointStore {
    /**
     * Stores the state of the model after an epoch. Must either store it whole or throw: a failed
     * write leaves no half-written checkpoint.
     *
     * @param epoch the epoch number, from 1
     * @param model the model after that epoch
     * @throws AttuneException when the checkpoint cannot be written
     */
    void save(int epoch, Network model);

    /**
     * Checkpoints in a directory, created if needed: {@code epoch-NNN.zip} after every epoch (a model zip
     * that {@link Network#load(Path)} reads) and run checkpoints from which
     * {@link FineTuner.Builder#resumeFrom} continues a run; see {@link CheckpointDirectory}. Each file is
     * written to a temporary name and moved into place.
     */
    static CheckpointDirectory directory(Path dir) {
        return new CheckpointDirectory(requireNonNull(dir, "dir"), 0, 2);
    }
}
