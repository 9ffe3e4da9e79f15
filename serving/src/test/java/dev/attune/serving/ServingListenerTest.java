package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.serving.ServingListener.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ServingListenerTest {

    /** Records what it is told. */
    static final class Recorder implements ServingListener<Integer> {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        final Map<Outcome, Integer> counts = Collections.synchronizedMap(new EnumMap<>(Outcome.class));
        volatile PredictorService<?, ?> service;

        @Override
        public void started(PredictorService<? extends Integer, ?> s) {
            this.service = s;
        }

        @Override
        public void requestFinished(Integer input, Outcome outcome, Duration latency) {
            assertThat(latency.isNegative()).isFalse();
            if (outcome.refused()) {
                assertThat(latency).isZero();
            }
            counts.merge(outcome, 1, Integer::sum);
            events.add(outcome + ":" + input);
        }

        @Override
        public void batchRun(int size) {
            batches.add(size);
        }
    }

    @Test
    void everyOutcomeIsToldOnceWithItsInputAndAgreesWithTheStats() throws Exception {
        FakeModel model = new FakeModel();
        Recorder rec = new Recorder();
        PredictorService<Integer, String> service = PredictorService.builder(model).name("credit")
                .queueCapacity(3).maxWait(Duration.ZERO).listener(rec)
                .check(i -> {
                    if (i == 99) {
                        throw new IllegalArgumentException("99 is refused");
                    }
                })
                .build();
        assertThat(rec.service).isSameAs(service);
        CompletableFuture<String> running = service.submit(FakeModel.BLOCK);
        model.entered.await();
        CompletableFuture<String> late = service.submit(7, Duration.ofMillis(50));
        assertThatThrownBy(late::get).isInstanceOf(ExecutionException.class);
        assertThat(rec.events).contains("TIMEOUT:7");               // told before the future completed
        CompletableFuture<String> a = service.submit(1);
        CompletableFuture<String> b = service.submit(2);
        assertThatThrownBy(() -> service.submit(3)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> service.submit(99)).isInstanceOf(IllegalArgumentException.class);
        model.release.countDown();
        running.get();
        a.get();
        b.get();
        CompletableFuture<String> boom = service.submit(FakeModel.BOOM);
        assertThatThrownBy(boom::get).isInstanceOf(ExecutionException.class);
        service.close();
        assertThatThrownBy(() -> service.submit(5)).isInstanceOf(RejectedExecutionException.class);

        ServingStats stats = service.stats();
        assertThat(rec.counts).containsEntry(Outcome.OK, (int) stats.answered())
                .containsEntry(Outcome.ERROR, (int) stats.failed())
                .containsEntry(Outcome.TIMEOUT, (int) stats.timedOut())
                .containsEntry(Outcome.REFUSED_FULL, (int) stats.rejectedFull())
                .containsEntry(Outcome.REFUSED_CLOSED, (int) stats.rejectedClosed())
                .containsEntry(Outcome.INVALID, (int) stats.invalid())
                .doesNotContainKey(Outcome.CANCELLED);
        assertThat(rec.events).containsExactlyInAnyOrder("TIMEOUT:7", "REFUSED_FULL:3", "INVALID:99", "OK:-1", "OK:1",
                "OK:2", "ERROR:-2", "REFUSED_CLOSED:5");
        assertThat(rec.batches).isEqualTo(model.sizes());
        assertThat(rec.batches.stream().mapToInt(Integer::intValue).sum())
                .isEqualTo((int) (stats.answered() + stats.failed()));
    }

    @Test
    void queuedRequestsFailedByShutdownNowAreToldAsCancelled() throws Exception {
        FakeModel model = new FakeModel();
        Recorder rec = new Recorder();
        PredictorService<Integer, String> service = PredictorService.builder(model).maxWait(Duration.ZERO)
                .listener(rec).build();
        CompletableFuture<String> running = service.submit(FakeModel.BLOCK);
        model.entered.await();
        CompletableFuture<String> queued = service.submit(4);
        // The running batch is released only once shutdownNow has failed the queued request: released
        // earlier, the worker could take that request into a batch of its own first.
        Thread releaser = new Thread(() -> {
            while (!queued.isDone()) {
                Thread.onSpinWait();
            }
            model.release.countDown();
        });
        int dropped;
        try {
            releaser.start();
            dropped = service.shutdownNow();
        } finally {
            releaser.join();
        }
        running.get();
        assertThat(dropped).isEqualTo(1);
        assertThat(rec.events).containsExactlyInAnyOrder("CANCELLED:4", "OK:-1");
        assertThat(service.stats().cancelled()).isEqualTo(1);
    }

    @Test
    void aListenerThatThrowsChangesNoOutcome() throws Exception {
        FakeModel model = new FakeModel();
        Recorder after = new Recorder();
        ServingListener<Integer> broken = (input, outcome, latency) -> {
            throw new IllegalStateException("broken listener");
        };
        try (PredictorService<Integer, String> service = PredictorService.builder(model).maxWait(Duration.ZERO)
                .listener(broken).listener(after).build()) {
            assertThat(service.submit(1).get()).isEqualTo("answer-1");
            assertThat(service.stats().answered()).isEqualTo(1);
        }
        assertThat(after.events).containsExactly("OK:1");
    }

    @Test
    void aListenerThatFailsToStartFailsTheBuildAndLeavesNoWorker() throws Exception {
        ServingListener<Integer> refusing = new ServingListener<>() {
            @Override
            public void started(PredictorService<? extends Integer, ?> service) {
                throw new IllegalStateException("cannot watch " + service.name());
            }

            @Override
            public void requestFinished(Integer input, Outcome outcome, Duration latency) {
            }
        };
        assertThatThrownBy(() -> PredictorService.builder(new FakeModel()).name("lonely").listener(refusing).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("cannot watch lonely");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().startsWith("attune-serving-lonely-worker") && t.isAlive());
    }
}
