package dev.attune.serving;

import static java.util.Objects.requireNonNull;

import dev.attune.Network;
import dev.attune.deploy.InputKind;
import dev.attune.deploy.Prediction;
import dev.attune.deploy.Predictor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Serves one model to many threads at once, in micro-batches. Callers {@link #submit} one input each
 * and get a future of its own answer; worker threads (one by default) take the queued requests in
 * order, up to {@code maxBatch} at a time, waiting at most {@code maxWait} after the first of them for
 * more to arrive, make one {@link BatchFunction} call on the batch and complete each request's future
 * with its own output. Under load batches fill up at once; alone, a request waits {@code maxWait} at most.
 *
 * <ul>
 *   <li>The queue is bounded: a submit when it is full is refused at once with a
 *       {@link RejectedExecutionException} naming the capacity.</li>
 *   <li>Each input is checked before it is queued ({@link Builder#check}): a bad one is refused for
 *       its caller alone, with an {@link IllegalArgumentException}.</li>
 *   <li>A request with a timeout that is not done by its deadline completes with a
 *       {@link TimeoutException} naming the timeout; if it is still queued then, it is never run.</li>
 *   <li>A batch call that throws fails that batch's requests alone, with a {@link BatchFailedException}
 *       whose cause is the exception; one that throws a {@link PartialBatchException} fails the
 *       requests it names alone, each with a {@code BatchFailedException} whose cause is its own
 *       failure, and answers the others.</li>
 *   <li>{@link #close()} refuses new requests, answers every accepted one and waits for the workers;
 *       {@link #shutdownNow()} fails the queued ones instead. No request is ever left pending.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #stats()} reads the counters as a {@link ServingStats} snapshot.
 *
 * @param <I> one request's input
 * @param <O> one request's answer
 */
public final class PredictorService<I, O> implements AutoCloseable {
    private final String name;
    private final BatchFunction<I, O> function;
    private final List<Consumer<? super I>> checks;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final int capacity;
    private final Duration defaultTimeout;
    private final Counters counters;
    private final Listeners<I> listeners;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Request<I, O>> queue = new ArrayDeque<>();
    private boolean closed;
    private final List<Thread> workers = new ArrayList<>();
    private final ScheduledThreadPoolExecutor timer;

    private PredictorService(Builder<I, O> b) {
        this.name = b.name;
        this.function = b.function;
        this.checks = List.copyOf(b.checks);
        this.maxBatch = b.maxBatch;
        this.maxWaitNanos = b.maxWait.toNanos();
        this.capacity = b.capacity;
        this.defaultTimeout = b.timeout;
        this.counters = new Counters(b.maxBatch);
        this.listeners = new Listeners<>(b.listeners);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "attune-serving-" + name + "-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        for (int i = 0; i < b.workers; i++) {
            Thread t = new Thread(this::work, "attune-serving-" + name + "-worker-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    /** A builder of a service that answers batches with {@code function}. */
    public static <I, O> Builder<I, O> builder(BatchFunction<I, O> function) {
        return new Builder<>(requireNonNull(function, "function"));
    }

    /**
     * A builder of a service over a network that takes feature rows of {@code width} values: each
     * request is one row, each answer the network's output for it ({@link Network#output} of the
     * batch's rows stacked into one float matrix, as floats). Rows of another width, or holding a value
     * that is not finite, are refused at submit.
     *
     * @throws IllegalArgumentException for a width below 1
     */
    public static Builder<float[], float[]> forNetwork(Network network, int width) {
        requireNonNull(network, "network");
        if (width < 1) {
            throw new IllegalArgumentException("width " + width + " is not a number of features; give the number of"
                    + " values in one example's row (1 or more)");
        }
        return new Builder<float[], float[]>(rows -> Rows.output(network, rows))
                .check(row -> Rows.check(requireNonNull(row, "row"), width));
    }

    /**
     * A builder of a service over a deployment package's predictor of an image model: each request
     * is one image's raw pixel values, each answer its {@link Prediction}
     * ({@link Predictor#predictImages} on the batch). Images of another size, or holding a value that
     * is not finite, are refused at submit.
     *
     * @throws IllegalStateException when the package's model does not take images
     */
    public static Builder<float[], Prediction> forImages(Predictor predictor) {
        requireNonNull(predictor, "predictor");
        if (predictor.input().kind() != InputKind.IMAGE) {
            throw new IllegalStateException("forImages serves image models, but this package's model takes "
                    + predictor.input().kind().name().toLowerCase(java.util.Locale.ROOT) + " input; serve it with"
                    + " PredictorService.builder(...) and a batch function of its own kind");
        }
        int size = Math.toIntExact(predictor.input().exampleSize());
        return new Builder<float[], Prediction>(predictor::predictImages)
                .check(pixels -> Rows.check(requireNonNull(pixels, "pixels"), size));
    }

    /**
     * Queues one input, with the builder's default timeout (none unless {@link Builder#timeout} gave one).
     *
     * @return the future of this input's answer
     * @throws IllegalArgumentException when the input check refuses it (nothing is queued)
     * @throws RejectedExecutionException when the queue is full or the service is closed
     */
    public CompletableFuture<O> submit(I input) {
        return enqueue(input, defaultTimeout);
    }

    /**
     * Queues one input that must be answered within {@code timeout}: if it is not, its future
     * completes with a {@link TimeoutException}, and if it is still queued then it is not run.
     *
     * @return the future of this input's answer
     * @throws IllegalArgumentException for a timeout that is not positive, or when the input check
     *     refuses the input (nothing is queued)
     * @throws RejectedExecutionException when the queue is full or the service is closed
     */
    public CompletableFuture<O> submit(I input, Duration timeout) {
        return enqueue(input, requirePositive(timeout, "timeout"));
    }

    /**
     * Queues one input and waits for its answer, at most {@code timeout}.
     *
     * @throws TimeoutException when it is not answered within the timeout (the message names it)
     * @throws InterruptedException when the waiting thread is interrupted (the request stays queued
     *     and is answered or times out as any other)
     * @throws BatchFailedException when its batch call failed
     * @throws RejectedExecutionException when the queue is full, the service is closed, or it was
     *     shut down before the request ran
     * @throws IllegalArgumentException as {@link #submit(Object, Duration)}
     */
    public O predict(I input, Duration timeout) throws TimeoutException, InterruptedException {
        CompletableFuture<O> f = submit(input, timeout);
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException t) {
                throw t;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new BatchFailedException(cause.toString(), cause);
        }
    }

    /** The counters now, and the queue's depth. */
    public ServingStats stats() {
        int depth;
        lock.lock();
        try {
            depth = queue.size();
        } finally {
            lock.unlock();
        }
        return counters.snapshot(depth, capacity);
    }

    /** The service's name, as its threads and messages show it. */
    public String name() {
        return name;
    }

    /**
     * Stops accepting requests (a later submit is refused), answers every accepted request (queued ones
     * are batched at once, without waiting {@code maxWait}), and waits for the workers to finish. Calling
     * it again does nothing more. An interrupt while waiting is kept for after the wait.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        awaitWorkers();
    }

    /**
     * Stops accepting requests, fails every queued request with a {@link RejectedExecutionException}
     * saying the service was shut down before it ran (they are not run), lets the batches already
     * running finish and answer their requests, and waits for the workers.
     *
     * @return how many queued requests were failed
     */
    public int shutdownNow() {
        List<Request<I, O>> dropped;
        lock.lock();
        try {
            closed = true;
            dropped = new ArrayList<>(queue);
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        int failed = 0;
        for (Request<I, O> r : dropped) {
            if (fail(r, counters.cancelled, ServingListener.Outcome.CANCELLED,
                    new RejectedExecutionException("the predictor service '" + name + "' was shut down (shutdownNow)"
                            + " before this request ran; it was not run: submit it to a running service"))) {
                failed++;
            }
        }
        awaitWorkers();
        return failed;
    }

    private CompletableFuture<O> enqueue(I input, Duration timeout) {
        requireNonNull(input, "input");
        try {
            for (Consumer<? super I> c : checks) {
                c.accept(input);
            }
        } catch (RuntimeException e) {
            counters.invalid.increment();
            listeners.refused(input, ServingListener.Outcome.INVALID);
            throw e;
        }
        Request<I, O> r = new Request<>(input, timeout, System.nanoTime());
        lock.lock();
        try {
            if (closed) {
                counters.rejectedClosed.increment();
                listeners.refused(input, ServingListener.Outcome.REFUSED_CLOSED);
                throw new RejectedExecutionException("the predictor service '" + name + "' is closed and takes no"
                        + " more requests; submit to a service that is running (build a new one)");
            }
            if (queue.size() >= capacity) {
                counters.rejectedFull.increment();
                listeners.refused(input, ServingListener.Outcome.REFUSED_FULL);
                throw new RejectedExecutionException("the queue of predictor service '" + name + "' is full: "
                        + capacity + " requests are waiting (its capacity); retry later, raise queueCapacity above "
                        + capacity + ", or answer faster (a larger maxBatch, more workers)");
            }
            queue.addLast(r);
            counters.accepted.increment();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (timeout != null) {
            try {
                r.timer = timer.schedule(() -> expire(r), timeout.toNanos(), TimeUnit.NANOSECONDS);
                r.future.whenComplete((o, e) -> r.timer.cancel(false));
            } catch (RejectedExecutionException afterClose) {
                // The service closed since: its workers answered (or shutdownNow failed) every queued request.
            }
        }
        return r.future;
    }

    private void expire(Request<I, O> r) {
        fail(r, counters.timedOut, ServingListener.Outcome.TIMEOUT, new TimeoutException("the request to predictor"
                + " service '" + name + "' was not answered within its timeout of " + r.timeout.toMillis() + " ms; give"
                + " a longer timeout, or answer faster (a larger maxBatch, more workers)"));
    }

    /** Settles a request as failed, counted by {@code counter}, unless its outcome is settled already. */
    private boolean fail(Request<I, O> r, java.util.concurrent.atomic.LongAdder counter, ServingListener.Outcome outcome,
            Throwable error) {
        if (!r.claim()) {
            return false;
        }
        counter.increment();
        listeners.finished(r, outcome);
        r.future.completeExceptionally(error);
        return true;
    }

    private void work() {
        while (true) {
            List<Request<I, O>> batch = nextBatch();
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    /** The next batch to run (possibly empty when another worker took the requests), or null when closed and drained. */
    private List<Request<I, O>> nextBatch() {
        lock.lock();
        try {
            while (queue.isEmpty() && !closed) {
                changed.awaitUninterruptibly();
            }
            if (queue.isEmpty()) {
                return null;
            }
            long until = queue.peekFirst().queuedAt + maxWaitNanos;
            while (!queue.isEmpty() && queue.size() < maxBatch && !closed) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    // Only this service runs its workers, and it never interrupts them: wait on.
                }
            }
            int n = Math.min(maxBatch, queue.size());
            List<Request<I, O>> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(queue.pollFirst());
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void run(List<Request<I, O>> taken) {
        long now = System.nanoTime();
        List<Request<I, O>> batch = new ArrayList<>(taken.size());
        for (Request<I, O> r : taken) {
            if (r.claimed()) {
                continue;                       // timed out while queued
            }
            if (r.future.isDone()) {
                // its caller cancelled it
                fail(r, counters.cancelled, ServingListener.Outcome.CANCELLED,
                        new java.util.concurrent.CancellationException());
                continue;
            }
            if (r.expired(now)) {
                expire(r);                      // its deadline passed before the timer fired: not run either
                continue;
            }
            batch.add(r);
        }
        if (batch.isEmpty()) {
            return;
        }
        counters.batch(batch.size());
        listeners.batch(batch.size());
        List<I> inputs = new ArrayList<>(batch.size());
        batch.forEach(r -> inputs.add(r.input));
        List<O> outputs;
        Map<Integer, Throwable> failures = Map.of();
        try {
            try {
                outputs = function.apply(inputs);
            } catch (PartialBatchException partial) {
                @SuppressWarnings("unchecked")
                List<O> answered = (List<O>) (List<?>) partial.outputs();
                outputs = answered;
                failures = partial.failures();
            }
            if (outputs == null || outputs.size() != inputs.size()) {
                throw new IllegalStateException("the batch function returned " + (outputs == null ? "null"
                        : outputs.size() + " outputs") + " for " + inputs.size() + " inputs; it must return one"
                        + " output per input, in order");
            }
        } catch (Exception | Error e) {
            BatchFailedException failure = new BatchFailedException("the batch of " + inputs.size()
                    + " requests to predictor service '" + name + "' failed: " + e, e);
            for (Request<I, O> r : batch) {
                fail(r, counters.failed, ServingListener.Outcome.ERROR, failure);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Request<I, O> r = batch.get(i);
            Throwable own = failures.get(i);
            if (own != null) {
                fail(r, counters.failed, ServingListener.Outcome.ERROR, new BatchFailedException("request " + i
                        + " of the batch of " + inputs.size() + " to predictor service '" + name + "' failed alone: "
                        + own, own));
                continue;
            }
            if (r.claim()) {
                counters.answered.increment();
                listeners.finished(r, ServingListener.Outcome.OK);
                r.future.complete(outputs.get(i));
            }
        }
    }

    private void awaitWorkers() {
        boolean interrupted = false;
        for (Thread t : workers) {
            if (t == Thread.currentThread()) {
                continue;
            }
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        timer.shutdownNow();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration requirePositive(Duration d, String what) {
        requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " " + d + " is not positive; give a duration above zero");
        }
        return d;
    }

    /**
     * Options of a {@link PredictorService}. Defaults: {@code maxBatch} 32, {@code maxWait} 2 ms, a queue
     * of 1024, one worker, no timeout, no input check.
     *
     * @param <I> one request's input
     * @param <O> one request's answer
     */
    public static final class Builder<I, O> {
        private final BatchFunction<I, O> function;
        private final List<Consumer<? super I>> checks = new ArrayList<>();
        private String name = "predictor";
        private int maxBatch = 32;
        private Duration maxWait = Duration.ofMillis(2);
        private int capacity = 1024;
        private int workers = 1;
        private Duration timeout;
        private final List<ServingListener<? super I>> listeners = new ArrayList<>();

        private Builder(BatchFunction<I, O> function) {
            this.function = function;
        }

        /** The name its threads and messages show. */
        public Builder<I, O> name(String name) {
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("the service's name is blank; give a name its threads and"
                        + " messages can show");
            }
            this.name = name;
            return this;
        }

        /**
         * The most requests in one batch call.
         *
         * @throws IllegalArgumentException below 1
         */
        public Builder<I, O> maxBatch(int maxBatch) {
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch " + maxBatch + " is below 1; give the most requests one"
                        + " batch call may take (1 turns batching off)");
            }
            this.maxBatch = maxBatch;
            return this;
        }

        /**
         * How long a batch waits for more requests after its first was queued, before it runs with fewer
         * than {@code maxBatch}. Zero runs whatever is queued at once.
         *
         * @throws IllegalArgumentException for a negative duration
         */
        public Builder<I, O> maxWait(Duration maxWait) {
            requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait " + maxWait + " is negative; give zero or more");
            }
            this.maxWait = maxWait;
            return this;
        }

        /**
         * The most requests waiting in the queue; a submit beyond it is refused.
         *
         * @throws IllegalArgumentException below 1
         */
        public Builder<I, O> queueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("queueCapacity " + capacity + " is below 1; give the most requests"
                        + " that may wait");
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * How many worker threads make batch calls; above 1 the batch function is called concurrently
         * and must be thread-safe. A {@code Network} serialises its calls, so one worker suits it.
         *
         * @throws IllegalArgumentException below 1
         */
        public Builder<I, O> workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers " + workers + " is below 1; give 1 or more worker threads");
            }
            this.workers = workers;
            return this;
        }

        /**
         * The timeout of a request submitted without one ({@link PredictorService#submit(Object)}).
         *
         * @throws IllegalArgumentException for a duration that is not positive
         */
        public Builder<I, O> timeout(Duration timeout) {
            this.timeout = requirePositive(timeout, "timeout");
            return this;
        }

        /**
         * Adds a check each input passes before it is queued, after those added before (the width and
         * finiteness checks of {@link #forNetwork} and {@link #forImages} come first): it throws (an
         * {@link IllegalArgumentException} naming the bad value and the fix) to refuse the input, which
         * its caller alone gets.
         */
        public Builder<I, O> check(Consumer<? super I> check) {
            checks.add(requireNonNull(check, "check"));
            return this;
        }

        /**
         * Adds a listener told each request's outcome and each batch's size (after those added before);
         * its {@link ServingListener#started} is called by {@link #build()}.
         */
        public Builder<I, O> listener(ServingListener<? super I> listener) {
            listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /** Starts the service's workers, and tells each listener it {@link ServingListener#started started}. */
        public PredictorService<I, O> build() {
            PredictorService<I, O> service = new PredictorService<>(this);
            try {
                service.listeners.started(service);
            } catch (RuntimeException | Error e) {
                service.shutdownNow();      // no worker outlives a build that failed
                throw e;
            }
            return service;
        }
    }
}
