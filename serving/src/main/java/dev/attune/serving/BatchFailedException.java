package dev.attune.serving;

/**
 * The answer of every request of a batch whose {@link BatchFunction} call threw, or returned another
 * number of outputs than it was given inputs. Its cause is what the call threw. Requests of other
 * batches are not affected. Also the answer of one request that the call reported as failed alone
 * ({@link PartialBatchException}): its cause is then that request's own failure.
 */
public final class BatchFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failed batch, described by the message, caused by {@code cause} (may be null). */
    public BatchFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
