package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class ShutdownTest {
    @Test
    void closeAnswersEveryAcceptedRequestThenRefusesNewOnes() throws Exception {
        FakeModel model = new FakeModel();
        PredictorService<Integer, String> service = PredictorService.builder(model).name("credit").maxBatch(100)
                .maxWait(Duration.ofHours(1)).build();
        List<CompletableFuture<String>> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(service.submit(i));
        }
        service.close();        // does not wait out the hour: the queue is batched at once
        for (int i = 0; i < 5; i++) {
            assertThat(accepted.get(i)).isCompletedWithValue("answer-" + i);
        }
        assertThatThrownBy(() -> service.submit(6)).isInstanceOf(RejectedExecutionException.class)
                .hasMessage("the predictor service 'credit' is closed and takes no more requests; submit to a service"
                        + " that is running (build a new one)");
        service.close();        // again: nothing more
        ServingStats stats = service.stats();
        assertThat(stats.answered()).isEqualTo(5);
        assertThat(stats.rejectedClosed()).isEqualTo(1);
        assertThat(stats.pending()).isZero();
        assertThat(model.sizes()).containsExactly(5);
    }

    @Test
    void shutdownNowFailsEveryQueuedRequestAndLetsTheRunningBatchFinish() throws Exception {
        FakeModel model = new FakeModel();
        PredictorService<Integer, String> service = PredictorService.builder(model).name("credit")
                .maxWait(Duration.ZERO).build();
        CompletableFuture<String> running = service.submit(FakeModel.BLOCK);
        model.entered.await();
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queued.add(service.submit(i));
        }
        CompletableFuture<Integer> shutdown = CompletableFuture.supplyAsync(service::shutdownNow);
        for (CompletableFuture<String> q : queued) {
            assertThatThrownBy(q::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessage("the predictor service 'credit' was shut down (shutdownNow) before this request ran;"
                            + " it was not run: submit it to a running service");
        }
        assertThatThrownBy(() -> service.submit(9)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("is closed");
        model.release.countDown();
        assertThat(shutdown.get()).isEqualTo(4);
        assertThat(running).isCompletedWithValue("answer--1");
        assertThat(model.seen()).containsExactly(FakeModel.BLOCK);
        ServingStats stats = service.stats();
        assertThat(stats.cancelled()).isEqualTo(4);
        assertThat(stats.answered()).isEqualTo(1);
        assertThat(stats.errors()).isEqualTo(4);
        assertThat(stats.pending()).isZero();
    }

    @Test
    void aRequestItsCallerCancelsIsNotRunAndCountsAsCancelled() throws Exception {
        FakeModel model = new FakeModel();
        PredictorService<Integer, String> service = PredictorService.builder(model).maxWait(Duration.ZERO).build();
        CompletableFuture<String> running = service.submit(FakeModel.BLOCK);
        model.entered.await();
        CompletableFuture<String> unwanted = service.submit(1);
        CompletableFuture<String> wanted = service.submit(2);
        unwanted.cancel(false);
        model.release.countDown();
        assertThat(wanted.get()).isEqualTo("answer-2");
        service.close();
        assertThat(running).isCompletedWithValue("answer--1");
        assertThat(model.seen()).containsExactly(FakeModel.BLOCK, 2);
        ServingStats stats = service.stats();
        assertThat(stats.cancelled()).isEqualTo(1);
        assertThat(stats.answered()).isEqualTo(2);
        assertThat(stats.pending()).isZero();
    }
}
