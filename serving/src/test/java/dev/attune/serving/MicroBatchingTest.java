package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class MicroBatchingTest {
    private static final Duration FOREVER = Duration.ofHours(1);

    @Test
    void queuedRequestsAreBatchedUpToMaxBatchAndEachGetsItsOwnAnswer() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).maxBatch(8)
                .maxWait(Duration.ZERO).build()) {
            CompletableFuture<String> first = service.submit(FakeModel.BLOCK);
            model.entered.await();                       // the worker is inside the first batch call
            List<CompletableFuture<String>> rest = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                rest.add(service.submit(i));
            }
            assertThat(service.stats().queueDepth()).isEqualTo(20);
            model.release.countDown();
            for (int i = 0; i < 20; i++) {
                assertThat(rest.get(i).get()).isEqualTo("answer-" + i);
            }
            assertThat(first.get()).isEqualTo("answer-" + FakeModel.BLOCK);
            assertThat(model.sizes()).containsExactly(1, 8, 8, 4);
            ServingStats stats = service.stats();
            assertThat(stats.batchSizes()).hasSize(8);
            assertThat(stats.batchSizes().get(0)).isEqualTo(1);
            assertThat(stats.batchSizes().get(7)).isEqualTo(2);
            assertThat(stats.batchSizes().get(3)).isEqualTo(1);
            assertThat(stats.largestBatch()).isEqualTo(8);
            assertThat(stats.batches()).isEqualTo(4);
            assertThat(stats.accepted()).isEqualTo(21);
            assertThat(stats.answered()).isEqualTo(21);
            assertThat(stats.pending()).isZero();
            assertThat(stats.queueDepth()).isZero();
        }
    }

    @Test
    void aBatchRunsAsSoonAsItIsFullWithoutWaitingMaxWait() throws Exception {
        FakeModel model = new FakeModel();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).maxBatch(4)
                .maxWait(FOREVER).build()) {
            List<CompletableFuture<String>> four = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                four.add(service.submit(i));
            }
            for (int i = 0; i < 4; i++) {
                assertThat(four.get(i).get()).isEqualTo("answer-" + i);   // under an hour's maxWait
            }
            assertThat(model.sizes()).containsExactly(4);
            CompletableFuture<String> alone = service.submit(9);
            assertThat(alone).isNotDone();        // waits for company up to maxWait; close() sends it at once
            service.close();
            assertThat(alone.get()).isEqualTo("answer-9");
            assertThat(model.sizes()).containsExactly(4, 1);
        }
    }

    @Test
    void severalWorkersShareTheQueueAndAnswerEveryRequest() throws Exception {
        FakeModel model = new FakeModel();
        List<CompletableFuture<String>> futures = new ArrayList<>();
        try (PredictorService<Integer, String> service = PredictorService.builder(model).maxBatch(5).workers(3)
                .maxWait(Duration.ofMillis(1)).build()) {
            for (int i = 0; i < 200; i++) {
                futures.add(service.submit(i));
            }
        }
        for (int i = 0; i < 200; i++) {
            assertThat(futures.get(i)).isCompletedWithValue("answer-" + i);
        }
        assertThat(model.seen()).hasSize(200).doesNotHaveDuplicates();
        assertThat(model.sizes()).allMatch(n -> n >= 1 && n <= 5);
    }
}
