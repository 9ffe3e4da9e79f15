package dev.attune.serving;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A service's {@link ServingListener}s, told in order; a listener's failure never reaches a request. */
final class Listeners<I> {
    private static final System.Logger LOG = System.getLogger("dev.attune.serving");

    private final List<ServingListener<? super I>> listeners;
    private final AtomicBoolean warned = new AtomicBoolean();

    Listeners(List<ServingListener<? super I>> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    void started(PredictorService<I, ?> service) {
        for (ServingListener<? super I> l : listeners) {
            l.started(service);     // at build: a failure here is the builder's caller's to see
        }
    }

    void finished(Request<I, ?> r, ServingListener.Outcome outcome) {
        if (!listeners.isEmpty()) {
            tell(r.input, outcome, Duration.ofNanos(System.nanoTime() - r.queuedAt));
        }
    }

    void refused(I input, ServingListener.Outcome outcome) {
        if (!listeners.isEmpty()) {
            tell(input, outcome, Duration.ZERO);
        }
    }

    void batch(int size) {
        each(l -> l.batchRun(size));
    }

    private void tell(I input, ServingListener.Outcome outcome, Duration latency) {
        each(l -> l.requestFinished(input, outcome, latency));
    }

    /** Tells every listener in order; a listener that throws is warned about and the rest are still told. */
    private void each(Consumer<ServingListener<? super I>> call) {
        for (ServingListener<? super I> l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                warn(l, e);
            }
        }
    }

    private void warn(ServingListener<?> l, RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "the serving listener " + l + " threw; requests are served as if it"
                    + " had not (later failures are not logged)", e);
        }
    }
}
