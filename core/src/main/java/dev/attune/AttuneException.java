package dev.attune;

/**
 * The one unchecked exception Attune throws for failed I/O and for corrupted, truncated or
 * foreign files (checkpoints, adapter files, data files). Bad arguments raise
 * {@link IllegalArgumentException}; calls in the wrong life-cycle step raise
 * {@link IllegalStateException}.
 */
public final class AttuneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the file or value and how to fix it
     * @param cause the underlying error, may be {@code null}
     */
    public AttuneException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what failed, naming the file or value and how to fix it */
    public AttuneException(String message) {
        super(message);
    }
}
