package dev.attune.serving;

import java.time.Duration;

/**
 * Told what a {@link PredictorService} does, as it does it: each request's outcome and latency, each
 * batch call's size. Register one with {@link PredictorService.Builder#listener}; it is how metrics
 * (such as the {@code attune-monitoring} module's Prometheus metrics) watch a service.
 *
 * <p>The service calls it from the submitting thread (for a refusal, while it holds its queue's lock),
 * from its workers (for answers, failures and batches) and from its timer (for timeouts), so it must
 * be thread-safe, quick and never block (counting and recording, as metrics do). A
 * request's outcome is told before its future completes, so a caller who sees the future done sees the
 * outcome told. A listener that throws does not change any request's outcome: the service goes on, and
 * reports the listener's first failure to the {@code System.Logger} {@code dev.attune.serving}.
 *
 * @param <I> one request's input
 */
public interface ServingListener<I> {

    /** How a request ended. */
    enum Outcome {
        /** Answered with its output. */
        OK,
        /** Failed because its batch call failed ({@link BatchFailedException}). */
        ERROR,
        /** Not done by its deadline. */
        TIMEOUT,
        /** Cancelled by its caller before it was batched, or failed by {@link PredictorService#shutdownNow()}. */
        CANCELLED,
        /** Refused at submit: the queue was full. */
        REFUSED_FULL,
        /** Refused at submit: the service was closed. */
        REFUSED_CLOSED,
        /** Refused at submit: the input check refused the input. */
        INVALID;

        /** Whether the request was refused at submit, and so never queued. */
        public boolean refused() {
            return this == REFUSED_FULL || this == REFUSED_CLOSED || this == INVALID;
        }
    }

    /**
     * Called once when the service is built, before any request: the service whose
     * {@link PredictorService#stats()} (and so queue depth and capacity) the listener may read from then on.
     */
    default void started(PredictorService<? extends I, ?> service) {
    }

    /**
     * Called once per request, when its outcome is settled.
     *
     * @param input the request's input (as submitted; for {@link Outcome#INVALID} the input the check refused)
     * @param outcome how it ended
     * @param latency from submit to the outcome; {@link Duration#ZERO} for a refusal
     */
    void requestFinished(I input, Outcome outcome, Duration latency);

    /** Called once per batch call, before it is made, with the number of requests in it. */
    default void batchRun(int size) {
    }
}
