package dev.attune.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** The counts behind {@link ServingStats}, updated from callers, workers and the timer at once. */
final class Counters {
    final LongAdder accepted = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder rejectedFull = new LongAdder();
    final LongAdder rejectedClosed = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final LongAdder batches = new LongAdder();
    private final AtomicLongArray sizes;

    Counters(int maxBatch) {
        sizes = new AtomicLongArray(maxBatch);
    }

    void batch(int size) {
        batches.increment();
        sizes.incrementAndGet(size - 1);
    }

    ServingStats snapshot(int queueDepth, int capacity) {
        List<Long> histogram = new ArrayList<>(sizes.length());
        for (int k = 0; k < sizes.length(); k++) {
            histogram.add(sizes.get(k));
        }
        return new ServingStats(accepted.sum(), answered.sum(), failed.sum(), timedOut.sum(), cancelled.sum(),
                rejectedFull.sum(), rejectedClosed.sum(), invalid.sum(), batches.sum(), histogram, queueDepth, capacity);
    }
}
