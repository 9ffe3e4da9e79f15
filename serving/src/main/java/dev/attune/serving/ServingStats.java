package dev.attune.serving;

import java.util.List;

/**
 * What a {@link PredictorService} has done since it was built: a plain snapshot, read by
 * {@link PredictorService#stats()}. Each count is exact, and a request's outcome is counted before its
 * future completes; the counts are read one after another, so under load a snapshot may show requests
 * accepted whose outcome is not settled yet ({@link #pending()}).
 *
 * @param accepted requests queued (every one ends as exactly one of answered, failed, timed out or cancelled)
 * @param answered requests completed with their output
 * @param failed requests failed because their batch call failed ({@link BatchFailedException})
 * @param timedOut requests not done by their deadline (completed with a {@code TimeoutException})
 * @param cancelled queued requests failed by {@link PredictorService#shutdownNow()}, and requests their
 *     caller cancelled (through the future) before they were batched
 * @param rejectedFull submits refused because the queue was full
 * @param rejectedClosed submits refused because the service was closed
 * @param invalid submits refused by the input check (wrong width, NaN, ...)
 * @param batches batch calls made
 * @param batchSizes how many batch calls had each size: element {@code k} counts the batches of
 *     {@code k + 1} requests, up to {@code maxBatch}
 * @param queueDepth requests waiting in the queue when the snapshot was taken
 * @param queueCapacity the most requests the queue holds
 */
public record ServingStats(long accepted, long answered, long failed, long timedOut, long cancelled, long rejectedFull,
                           long rejectedClosed, long invalid, long batches, List<Long> batchSizes, int queueDepth,
                           int queueCapacity) {
    /** Copies the histogram. */
    public ServingStats {
        batchSizes = List.copyOf(batchSizes);
    }

    /** Every submit refused at once: queue full, service closed, or input refused. */
    public long rejected() {
        return rejectedFull + rejectedClosed + invalid;
    }

    /** Requests that ended in an error: failed batch calls, timeouts and cancellations. */
    public long errors() {
        return failed + timedOut + cancelled;
    }

    /** Accepted requests whose outcome is not counted yet: queued or in a running batch. */
    public long pending() {
        return accepted - answered - failed - timedOut - cancelled;
    }

    /** The largest batch size that occurred, 0 before the first batch. */
    public int largestBatch() {
        for (int k = batchSizes.size() - 1; k >= 0; k--) {
            if (batchSizes.get(k) > 0) {
                return k + 1;
            }
        }
        return 0;
    }
}
