package dev.attune.monitoring;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.serving.PredictorService;
import dev.attune.serving.ServingStats;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Requests of every kind to a service bound to metrics as model {@code credit} version {@code 3} with
 * adapters {@code a} and {@code b}: per adapter, answered {@code a} 2, {@code b} 1 and {@code other} 1 (an
 * undeclared adapter); failed {@code a} 1; timed out {@code b} 1; refused as the queue was full {@code a} 1
 * and {@code b} 1; refused by the input check {@code a} 1.
 */
final class Traffic {
    static final Set<String> ADAPTERS = Set.of("a", "b");

    final GatedModel model = new GatedModel();
    final PredictorService<String, String> service;
    /** The stats while the first batch was blocked with two requests queued. */
    ServingStats whileBlocked;

    Traffic(ServingMetrics metrics) {
        service = PredictorService.builder(model).name("credit").queueCapacity(2).maxWait(Duration.ZERO).maxBatch(4)
                .check(i -> {
                    if (i.endsWith("/bad")) {
                        throw new IllegalArgumentException("bad input " + i);
                    }
                })
                .listener(metrics.bind("credit", "3", ADAPTERS, GatedModel::adapterOf))
                .build();
    }

    /** Drives the requests up to the blocked batch, and returns while it is blocked. */
    Traffic block() throws Exception {
        running = service.submit("a/block");
        model.entered.await();
        CompletableFuture<String> late = service.submit("b/late", Duration.ofMillis(50));
        assertThatThrownBy(late::get).isInstanceOf(ExecutionException.class);
        queued = service.submit("a/1");
        assertThatThrownBy(() -> service.submit("b/2")).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> service.submit("a/3")).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> service.submit("a/bad")).isInstanceOf(IllegalArgumentException.class);
        whileBlocked = service.stats();
        return this;
    }

    private CompletableFuture<String> running;
    private CompletableFuture<String> queued;

    /** Releases the blocked batch and drives the rest. */
    Traffic finish() throws Exception {
        model.release.countDown();
        running.get();
        queued.get();
        CompletableFuture<String> boom = service.submit("a/boom");
        assertThatThrownBy(boom::get).isInstanceOf(ExecutionException.class);
        service.submit("b/4").get();
        service.submit("zzz/5").get();
        return this;
    }
}
