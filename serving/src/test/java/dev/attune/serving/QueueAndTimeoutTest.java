package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class QueueAndTimeoutTest {
    @Test
    void aSubmitToAFullQueueIsRefusedAtOnceNamingTheCapacity() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).name("credit")
                .queueCapacity(2).maxWait(Duration.ZERO).build()) {
            CompletableFuture<String> running = service.submit(FakeModel.BLOCK);
            model.entered.await();
            CompletableFuture<String> a = service.submit(1);
            CompletableFuture<String> b = service.submit(2);
            assertThatThrownBy(() -> service.submit(3)).isInstanceOf(RejectedExecutionException.class)
                    .hasMessage("the queue of predictor service 'credit' is full: 2 requests are waiting (its"
                            + " capacity); retry later, raise queueCapacity above 2, or answer faster (a larger"
                            + " maxBatch, more workers)");
            ServingStats full = service.stats();
            assertThat(full.rejectedFull()).isEqualTo(1);
            assertThat(full.queueDepth()).isEqualTo(2);
            assertThat(full.accepted()).isEqualTo(3);
            model.release.countDown();
            assertThat(a.get()).isEqualTo("answer-1");
            assertThat(b.get()).isEqualTo("answer-2");
            assertThat(running.get()).isEqualTo("answer--1");
        }
        assertThat(model.seen()).doesNotContain(3);
    }

    @Test
    void aRequestPastItsDeadlineTimesOutNamingTheTimeoutAndIsNeverRun() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).name("credit")
                .maxWait(Duration.ZERO).build()) {
            CompletableFuture<String> running = service.submit(FakeModel.BLOCK);
            model.entered.await();
            CompletableFuture<String> late = service.submit(7, Duration.ofMillis(50));
            assertThatThrownBy(late::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(TimeoutException.class)
                    .hasMessage("the request to predictor service 'credit' was not answered within its timeout of"
                            + " 50 ms; give a longer timeout, or answer faster (a larger maxBatch, more workers)");
            model.release.countDown();
            assertThat(running.get()).isEqualTo("answer--1");
            service.close();
            assertThat(model.seen()).containsExactly(FakeModel.BLOCK);    // 7 was never run
            ServingStats stats = service.stats();
            assertThat(stats.timedOut()).isEqualTo(1);
            assertThat(stats.answered()).isEqualTo(1);
            assertThat(stats.pending()).isZero();
        }
    }

    @Test
    void aRunningRequestTimesOutForItsCallerAndItsLateAnswerIsDropped() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).maxWait(Duration.ZERO)
                .timeout(Duration.ofMillis(20)).build()) {
            CompletableFuture<String> running = service.submit(FakeModel.BLOCK, Duration.ofMillis(20));
            model.entered.await();
            assertThatThrownBy(running::get).cause().isInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> service.predict(5, Duration.ofMillis(20)))
                    .isInstanceOf(TimeoutException.class).hasMessageContaining("within its timeout of 20 ms");
            CompletableFuture<String> defaulted = service.submit(6);    // the builder's timeout applies
            assertThatThrownBy(defaulted::get).cause().isInstanceOf(TimeoutException.class);
            model.release.countDown();
            service.close();
            assertThat(running).isCompletedExceptionally();              // the late answer is dropped
            ServingStats stats = service.stats();
            assertThat(stats.timedOut()).isEqualTo(3);
            assertThat(stats.answered()).isZero();
            assertThat(stats.pending()).isZero();
        }
        assertThat(model.seen()).containsExactly(FakeModel.BLOCK);
    }

    @Test
    void predictReturnsTheAnswerAndRethrowsTheFailure() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).build()) {
            assertThat(service.predict(4, Duration.ofMinutes(1))).isEqualTo("answer-4");
            assertThatThrownBy(() -> service.predict(FakeModel.BOOM, Duration.ofMinutes(1)))
                    .isInstanceOf(BatchFailedException.class).hasRootCauseMessage("the model broke on [-2]");
            assertThatThrownBy(() -> service.submit(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout PT0S is not positive; give a duration above zero");
        }
    }
}
