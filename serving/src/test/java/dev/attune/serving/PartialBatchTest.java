package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/** A batch call that fails some inputs alone answers the others. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class PartialBatchTest {
    @Test
    void theInputsAPartialBatchNamesFailAloneAndTheOthersAreAnswered() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new ArrayList<>();
        BatchFunction<Integer, String> model = inputs -> {
            synchronized (batches) {
                batches.add(List.copyOf(inputs));
            }
            if (inputs.contains(-1)) {
                entered.countDown();
                release.await();
            }
            List<String> out = new ArrayList<>();
            Map<Integer, Throwable> failures = new LinkedHashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                if (inputs.get(i) % 2 != 0 && inputs.get(i) > 0) {
                    failures.put(i, new IllegalArgumentException("odd input " + inputs.get(i)));
                    out.add(null);
                } else {
                    out.add("answer-" + inputs.get(i));
                }
            }
            if (failures.isEmpty()) {
                return out;
            }
            throw new PartialBatchException(out, failures);
        };
        try (PredictorService<Integer, String> service = PredictorService.builder(model).name("credit").maxBatch(4)
                .maxWait(Duration.ZERO).build()) {
            CompletableFuture<String> first = service.submit(-1);
            entered.await();
            List<CompletableFuture<String>> f = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                f.add(service.submit(i));
            }
            release.countDown();
            assertThat(first.get()).isEqualTo("answer--1");
            assertThat(f.get(1).get()).isEqualTo("answer-2");
            assertThat(f.get(3).get()).isEqualTo("answer-4");
            assertThatThrownBy(() -> f.get(0).get()).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(BatchFailedException.class)
                    .hasMessage("request 0 of the batch of 4 to predictor service 'credit' failed alone:"
                            + " java.lang.IllegalArgumentException: odd input 1")
                    .cause().isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.get(2).get()).cause().cause().hasMessage("odd input 3");
            assertThat(batches).containsExactly(List.of(-1), List.of(1, 2, 3, 4));
            assertThat(service.stats().answered()).isEqualTo(3);
            assertThat(service.stats().failed()).isEqualTo(2);
        }
    }

    @Test
    void aPartialBatchWithoutFailuresOrWithAFailureOutsideTheBatchIsRefused() {
        assertThatThrownBy(() -> new PartialBatchException(List.of("a"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a partial batch without failures; return the outputs instead");
        assertThatThrownBy(() -> new PartialBatchException(List.of("a", "b"), Map.of(2, new IllegalStateException("x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failure 2=java.lang.IllegalStateException: x is not of an input of the batch of 2")
                .hasMessageContaining("(0 to 1)");
    }
}
