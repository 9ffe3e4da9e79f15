package dev.attune;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where per-epoch checkpoints go. The built-in {@link #directory(Path)} writes one DL4J zip per
 * epoch; implement this interface to send checkpoints elsewhere (object storage, a model registry).
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
     * Writes {@code epoch-NNN.zip} (a DL4J model zip that {@link Network#load(Path)} reads) into the
     * directory, creating it if needed. Each file is written to a temporary name and moved into place.
     */
    static CheckpointStore directory(Path dir) {
        requireNonNull(dir, "dir");
        return (epoch, model) -> model.save(dir.resolve(String.format(java.util.Locale.ROOT, "epoch-%03d.zip", epoch)));
    }
}
