package dev.attune.spi;

/**
 * A model file that a {@link ModelFamily} cannot read: missing, truncated, corrupted, or of another
 * format. The message says what was expected, what was found and how to fix it; {@code Network}
 * reports it to users as an {@code AttuneException} with the same message and cause.
 */
public final class ModelFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with the exception that caused it. */
    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure found by a check of the file's content. */
    public ModelFileException(String message) {
        super(message);
    }
}
