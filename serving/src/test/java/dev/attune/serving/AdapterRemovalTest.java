package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.spi.AdapterWeights;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** An adapter removed after its requests were accepted, or while their batch runs, fails no other request. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class AdapterRemovalTest {
    private static final double TOLERANCE = 1e-6;
    private final Network base = Mlp.of(6, 3, 1);

    /** A LoRA adapter with random, non-zero tensors. */
    private AdapterWeights adapter(long seed) {
        AdapterWeights t = AdaptedNetwork.of(base).add("t", Lora.rank(2).targets("dense0", "out"), seed).adapter("t");
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        t.tensors().forEach((k, v) -> tensors.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5)));
        return new AdapterWeights(t.method(), null, tensors, t.baseFingerprint(), Map.of("seed", "" + seed));
    }

    /** A source that signals when it is read and then waits until the test releases it. */
    private static final class Gate implements Supplier<AdapterWeights> {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final AdapterWeights weights;

        Gate(AdapterWeights weights) {
            this.weights = weights;
        }

        @Override
        public AdapterWeights get() {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return weights;
        }
    }

    private INDArray alone(AdapterWeights w, INDArray x) {
        return AdaptedNetwork.of(base).add("a", w).output(x).castTo(DataType.DOUBLE);
    }

    private static double diff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void aRequestWhoseAdapterWasRemovedWhileQueuedFailsAloneAndItsBatchIsAnswered() throws Exception {
        AdapterWeights de = adapter(1);
        AdapterWeights fr = adapter(2);
        Gate slow = new Gate(adapter(3));
        AdapterStore store = AdapterStore.over(base, 1L << 20).add("de", () -> de).add("fr", () -> fr).add("slow", slow);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
        try (PredictorService<AdapterRequest, float[]> service = AdapterServing.forStore(store, 6)
                .maxBatch(8).maxWait(Duration.ofMillis(20)).build()) {
            // The first batch holds the worker while its adapter loads; the next requests queue behind it.
            CompletableFuture<float[]> first = service.submit(new AdapterRequest("slow", x.getRow(0).toFloatVector()));
            assertThat(slow.entered.await(1, TimeUnit.MINUTES)).isTrue();
            CompletableFuture<float[]> de1 = service.submit(new AdapterRequest("de", x.getRow(1).toFloatVector()));
            CompletableFuture<float[]> gone = service.submit(new AdapterRequest("fr", x.getRow(2).toFloatVector()));
            CompletableFuture<float[]> de2 = service.submit(new AdapterRequest("de", x.getRow(3).toFloatVector()));
            CompletableFuture<float[]> plain = service.submit(AdapterRequest.base(x.getRow(0).toFloatVector()));
            store.remove("fr");                 // after the submit check, before the batch runs
            slow.release.countDown();

            first.get(1, TimeUnit.MINUTES);
            INDArray want = alone(de, x);
            assertThat(diff(Nd4j.createFromArray(de1.get(1, TimeUnit.MINUTES)), want.getRow(1))).isLessThan(TOLERANCE);
            assertThat(diff(Nd4j.createFromArray(de2.get(1, TimeUnit.MINUTES)), want.getRow(3))).isLessThan(TOLERANCE);
            assertThat(diff(Nd4j.createFromArray(plain.get(1, TimeUnit.MINUTES)), base.output(x).getRow(0)))
                    .isLessThan(TOLERANCE);
            assertThatThrownBy(() -> gone.get(1, TimeUnit.MINUTES)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BatchFailedException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'fr'").hasMessageContaining("removed");
            assertThat(service.stats().failed()).isEqualTo(1);
            // Later requests for it are refused at submit, as for any unknown name.
            assertThatThrownBy(() -> service.submit(new AdapterRequest("fr", x.getRow(2).toFloatVector())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fr'");
        }
    }

    @Test
    void anAdapterRemovedWhileItsCallRunsStillAnswersThatCallAndIsDroppedAfterIt() throws Exception {
        AdapterWeights fr = adapter(2);
        Gate slow = new Gate(adapter(3));
        AdapterStore store = AdapterStore.over(base, 1L << 20).add("fr", () -> fr).add("slow", slow);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 6);
        store.output(x, List.of("fr", "fr", "fr", "fr"));   // loaded before the call
        CompletableFuture<INDArray> call = CompletableFuture.supplyAsync(
                () -> store.output(x, java.util.Arrays.asList("fr", "slow", "fr", null)));
        // The call has its adapters and waits for "slow" to load: "fr" is removed under it.
        assertThat(slow.entered.await(1, TimeUnit.MINUTES)).isTrue();
        store.remove("fr");
        assertThat(store.names()).containsExactly("slow");
        slow.release.countDown();

        INDArray out = call.get(1, TimeUnit.MINUTES);
        INDArray wantFr = alone(fr, x);
        assertThat(diff(out.getRow(0), wantFr.getRow(0))).isLessThan(TOLERANCE);
        assertThat(diff(out.getRow(2), wantFr.getRow(2))).isLessThan(TOLERANCE);
        // Its weights left memory when the call that needed them ended.
        assertThat(store.network().names()).containsExactly("slow");
        assertThat(store.loaded()).containsExactly("slow");
    }
}
