package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class FailureIsolationTest {
    @Test
    void aFailingBatchCallFailsOnlyItsOwnRequestsWithTheCause() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).name("credit").maxBatch(2)
                .maxWait(Duration.ZERO).build()) {
            CompletableFuture<String> a = service.submit(FakeModel.BLOCK);
            model.entered.await();
            CompletableFuture<String> b = service.submit(1);
            CompletableFuture<String> boom = service.submit(FakeModel.BOOM);
            CompletableFuture<String> c = service.submit(3);
            CompletableFuture<String> d = service.submit(4);
            model.release.countDown();
            for (CompletableFuture<String> f : List.of(b, boom)) {
                assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(BatchFailedException.class)
                        .hasMessage("the batch of 2 requests to predictor service 'credit' failed:"
                                + " java.lang.IllegalStateException: the model broke on [1, -2]")
                        .cause().isInstanceOf(IllegalStateException.class);
            }
            assertThat(a.get()).isEqualTo("answer--1");
            assertThat(c.get()).isEqualTo("answer-3");
            assertThat(d.get()).isEqualTo("answer-4");
            assertThat(model.batches).containsExactly(List.of(-1), List.of(1, -2), List.of(3, 4));
            assertThat(service.predict(5, Duration.ofMinutes(1))).isEqualTo("answer-5");   // the worker lives on
            ServingStats stats = service.stats();
            assertThat(stats.failed()).isEqualTo(2);
            assertThat(stats.answered()).isEqualTo(4);
        }
    }

    @Test
    void aBatchFunctionGivingTheWrongNumberOfOutputsFailsItsBatch() {
        try (PredictorService<Integer, String> service = PredictorService.<Integer, String>builder(
                inputs -> List.of()).maxBatch(1).build()) {
            CompletableFuture<String> f = service.submit(1);
            service.close();
            assertThatThrownBy(f::get).cause().isInstanceOf(BatchFailedException.class).cause()
                    .hasMessage("the batch function returned 0 outputs for 1 inputs; it must return one output per"
                            + " input, in order");
        }
    }
}
