package dev.attune.spark;

import dev.attune.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model file as bytes, to broadcast from the driver, and a model read back from them on an executor. */
final class ModelBytes {
    /** Writes a model file to the path given. */
    interface Writer {
        void write(Path file) throws IOException;
    }

    private ModelBytes() {
    }

    /** The bytes of the model file {@code writer} writes, through a temporary file on the driver. */
    static byte[] of(Writer writer) {
        try {
            Path file = Files.createTempFile("attune-spark-base", ".zip");
            try {
                writer.write(file);
                return Files.readAllBytes(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the base model to broadcast it (" + e.getMessage()
                    + "); give the driver a writable java.io.tmpdir", e);
        }
    }

    /** The model in {@code bytes}, read through a temporary file on the executor. */
    static Network load(byte[] bytes) {
        try {
            Path file = Files.createTempFile("attune-spark-base", ".zip");
            try {
                Files.write(file, bytes);
                return Network.load(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broadcast base model to the executor's temporary directory ("
                    + System.getProperty("java.io.tmpdir") + "): " + e.getMessage() + "; give executors a writable"
                    + " java.io.tmpdir (spark.executor.extraJavaOptions=-Djava.io.tmpdir=...)", e);
        }
    }
}
