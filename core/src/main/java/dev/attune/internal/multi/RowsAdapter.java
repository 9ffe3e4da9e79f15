package dev.attune.internal.multi;

/** An adapter prepared by a {@link RowsModel}: immutable, read by many threads. */
public interface RowsAdapter {
    /** The bytes its prepared tensors take. */
    long bytes();

    /** The width of the outputs of rows that go through it. */
    long outputs();
}
