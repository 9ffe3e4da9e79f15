package dev.attune.serving;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/** One queued request: its input, the future its caller holds, and its deadline. */
final class Request<I, O> {
    final I input;
    final CompletableFuture<O> future = new CompletableFuture<>();
    /** The timeout, or null for none. */
    final Duration timeout;
    final long queuedAt;
    /** {@code System.nanoTime()} by which it must be done; meaningful only with a timeout. */
    final long deadline;
    volatile Future<?> timer;
    private final AtomicBoolean claimed = new AtomicBoolean();

    Request(I input, Duration timeout, long now) {
        this.input = input;
        this.timeout = timeout;
        this.queuedAt = now;
        this.deadline = timeout == null ? 0 : now + timeout.toNanos();
    }

    /**
     * True for the one caller that settles this request's outcome (answer, failure, timeout or
     * cancellation), which counts it and then completes the future: a caller who sees the future done
     * sees its outcome counted.
     */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    boolean claimed() {
        return claimed.get();
    }

    boolean expired(long now) {
        return timeout != null && now - deadline >= 0;
    }
}
