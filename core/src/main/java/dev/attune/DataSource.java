package dev.attune;

/**
 * Where labelled examples come from: a file format, a bundled data set, a database query.
 * Implement it to feed data of your own to Attune; the built-in sources live in
 * {@code dev.attune.data}.
 */
public interface DataSource {
    /** Reads the examples. May do I/O; throws {@link AttuneException} when the source is unreadable. */
    LabeledData load();

    /** A human-readable description for logs and provenance (the class name by default). */
    default String describe() {
        return getClass().getSimpleName();
    }
}
