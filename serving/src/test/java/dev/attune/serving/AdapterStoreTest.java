package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.AdaptedNetwork;
import dev.attune.Network;
import dev.attune.adapters.AdapterFile;
import dev.attune.adapters.lora.Lora;
import dev.attune.deploy.ModelPackage;
import dev.attune.registry.Change;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.Registration;
import dev.attune.registry.Stage;
import dev.attune.spi.AdapterWeights;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The adapter store: LRU within a byte budget, hot swap under load, registry promotions picked up. */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class AdapterStoreTest {
    private static final double TOLERANCE = 1e-6;
    private final Network base = Mlp.of(6, 3, 1);
    private final INDArray x = Nd4j.rand(DataType.FLOAT, 24, 6);
    @TempDir
    Path dir;

    /** A LoRA adapter with random, non-zero tensors (an untrained one changes nothing). */
    private AdapterWeights adapter(long seed) {
        AdapterWeights t = AdaptedNetwork.of(base).add("t", Lora.rank(2).targets("dense0", "out"), seed).adapter("t");
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        t.tensors().forEach((k, v) -> tensors.put(k, Nd4j.rand(v.dataType(), v.shape()).subi(0.5)));
        return new AdapterWeights(t.method(), null, tensors, t.baseFingerprint(), Map.of("seed", "" + seed));
    }

    private Path file(String name, AdapterWeights w) {
        Path f = dir.resolve(name + ".safetensors");
        AdapterFile.save(w, f);
        return f;
    }

    private INDArray alone(AdapterWeights w) {
        return AdaptedNetwork.of(base).add("a", w).output(x);
    }

    private static double diff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    @Test
    void evictsTheLeastRecentlyUsedWithinTheBudgetAndReloadsTransparently() {
        AdapterWeights a = adapter(1);
        AdapterWeights b = adapter(2);
        AdapterWeights c = adapter(3);
        long one = dev.attune.MultiAdapterNetwork.of(base).put("a", a).bytes("a");
        AdapterStore store = AdapterStore.over(base, one * 5 / 2)
                .addFile("a", file("a", a)).addFile("b", file("b", b)).addFile("c", file("c", c));
        assertThat(store.loaded()).isEmpty();
        List<String> allA = Collections.nCopies(24, "a");
        assertThat(diff(store.output(x, allA), alone(a))).isLessThan(TOLERANCE);
        assertThat(diff(store.output(x, Collections.nCopies(24, "b")), alone(b))).isLessThan(TOLERANCE);
        assertThat(store.loaded()).containsExactly("a", "b");
        assertThat(store.usedBytes()).isEqualTo(2 * one);
        // a used again: b is now the least recently used, and c's load evicts it.
        store.output(x, allA);
        assertThat(diff(store.output(x, Collections.nCopies(24, "c")), alone(c))).isLessThan(TOLERANCE);
        assertThat(store.loaded()).containsExactly("a", "c");
        assertThat(store.evictions()).isEqualTo(1);
        assertThat(store.network().names()).containsExactlyInAnyOrder("a", "c");
        // b comes back from its file, evicting a.
        assertThat(diff(store.output(x, Collections.nCopies(24, "b")), alone(b))).isLessThan(TOLERANCE);
        assertThat(store.loaded()).containsExactly("c", "b");
        assertThat(store.loads()).isEqualTo(4);
        assertThat(store.usedBytes()).isLessThanOrEqualTo(store.budgetBytes());
        // A batch needing all three holds them all while it runs, answers each row right, then fits again.
        List<String> mixed = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            mixed.add(List.of("a", "b", "c").get(i % 3));
        }
        INDArray got = store.output(x, mixed);
        for (int i = 0; i < 24; i++) {
            INDArray want = alone(List.of(a, b, c).get(i % 3)).getRow(i);
            assertThat(diff(got.getRow(i), want)).isLessThan(TOLERANCE);
        }
        assertThat(store.usedBytes()).isLessThanOrEqualTo(store.budgetBytes());
        assertThat(store.loaded()).hasSize(2);

        assertThatThrownBy(() -> store.output(x, Collections.nCopies(24, "nope")))
                .hasMessageContaining("no adapter named 'nope' in the store; adapters are: [a, b, c]");
        assertThatThrownBy(() -> AdapterStore.over(base, 0)).hasMessageContaining("at least 1 byte, got 0");
        AdapterStore tiny = AdapterStore.over(base, one - 1).add("a", () -> a);
        assertThatThrownBy(() -> tiny.output(x, allA)).hasMessageContaining("more than the store's whole budget");
    }

    @Test
    void loadsTheAdapterOfADeploymentPackage() {
        AdapterWeights a = adapter(4);
        Path pkg = dir.resolve("de.attune");
        ModelPackage.builder("de").adapter(a).baseModel("mlp 6-32-3").classNames(List.of("a", "b", "c"))
                .image(1f, 6).write(pkg);
        AdapterStore store = AdapterStore.over(base, 1 << 20).addPackage("de", pkg);
        assertThat(diff(store.output(x, Collections.nCopies(24, "de")), alone(a))).isLessThan(TOLERANCE);
    }

    @Test
    void aHotSwapUnderLoadDropsFailsAndMixesUpNoRequest() throws Exception {
        AdapterWeights v1 = adapter(5);
        AdapterWeights v2 = adapter(6);
        AdapterWeights other = adapter(7);
        INDArray old = alone(v1);
        INDArray fresh = alone(v2);
        INDArray otherOut = alone(other);
        INDArray baseOut = base.output(x);
        AdapterStore store = AdapterStore.over(base, 1 << 20).add("x", () -> v1).add("y", () -> other);
        AtomicBoolean swapping = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try (PredictorService<AdapterRequest, float[]> service = AdapterServing.forStore(store, 6).maxBatch(16)
                .maxWait(Duration.ofMillis(1)).workers(2).build()) {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = t;
                results.add(clients.submit(() -> {
                    Random r = new Random(seed);
                    int oldSeen = 0;
                    int newSeen = 0;
                    int done = 0;
                    while (swapping.get() || done < 50) {
                        int i = r.nextInt(24);
                        int pick = r.nextInt(4);
                        String name = pick < 2 ? "x" : pick == 2 ? "y" : null;
                        float[] row = x.getRow(i).toFloatVector();
                        CompletableFuture<float[]> f = service.submit(new AdapterRequest(name, row));
                        INDArray got = Nd4j.create(f.get(30, TimeUnit.SECONDS)).reshape(1, 3);
                        if ("x".equals(name)) {
                            double dOld = diff(got, old.getRow(i).reshape(1, 3));
                            double dNew = diff(got, fresh.getRow(i).reshape(1, 3));
                            assertThat(Math.min(dOld, dNew)).as("x: wholly old or wholly new").isLessThan(TOLERANCE);
                            if (dOld < TOLERANCE) {
                                oldSeen++;
                            } else {
                                newSeen++;
                            }
                        } else {
                            INDArray want = name == null ? baseOut.getRow(i) : otherOut.getRow(i);
                            assertThat(diff(got, want.reshape(1, 3))).isLessThan(TOLERANCE);
                        }
                        done++;
                    }
                    return new int[] {oldSeen, newSeen, done};
                }));
            }
            for (int k = 0; k < 40; k++) {
                Thread.sleep(5);
                store.replace("x", k % 2 == 0 ? () -> v2 : () -> v1);
            }
            store.replace("x", () -> v2);
            swapping.set(false);
            int oldSeen = 0;
            int newSeen = 0;
            for (Future<int[]> f : results) {
                int[] counts = f.get(2, TimeUnit.MINUTES);
                oldSeen += counts[0];
                newSeen += counts[1];
            }
            assertThat(oldSeen).isPositive();
            assertThat(newSeen).isPositive();
            assertThat(service.stats().failed()).isZero();
            // After the last swap, x answers with the new version.
            float[] row = x.getRow(0).toFloatVector();
            assertThat(diff(Nd4j.create(service.submit(new AdapterRequest("x", row)).get()).reshape(1, 3),
                    fresh.getRow(0).reshape(1, 3))).isLessThan(TOLERANCE);
            assertThatThrownBy(() -> service.submit(new AdapterRequest("nope", row)))
                    .hasMessageContaining("no adapter named 'nope'");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aRegistryPromotionIsSwappedIn() throws Exception {
        AdapterWeights v1 = adapter(8);
        AdapterWeights v2 = adapter(9);
        try (ModelRegistry registry = ModelRegistry.sqlite(dir.resolve("registry"))) {
            Change change = Change.by("ci", "test");
            registry.register(file("v1", v1), Registration.of("support-de"), change);
            registry.promote("support-de", 1, Stage.PRODUCTION, change);
            AdapterStore store = AdapterStore.over(base, 1 << 20);
            List<RuntimeException> failures = Collections.synchronizedList(new ArrayList<>());
            try (RegistryWatcher watcher = RegistryWatcher.follow(registry, "support-de", Stage.PRODUCTION, store, "de", base)
                    .onFailure(failures::add)) {
                assertThat(watcher.poll()).hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));
                assertThat(diff(store.output(x, Collections.nCopies(24, "de")), alone(v1))).isLessThan(TOLERANCE);

                registry.register(file("v2", v2), Registration.of("support-de"), change);
                assertThat(watcher.poll().orElseThrow().version()).as("staging only, not promoted").isEqualTo(1);
                watcher.start(Duration.ofMillis(20));
                registry.promote("support-de", 2, Stage.PRODUCTION, change);
                // Wait for the background poll (bounded by the class's hang guard).
                while (watcher.serving().orElseThrow().version() != 2) {
                    Thread.sleep(10);
                }
                assertThat(diff(store.output(x, Collections.nCopies(24, "de")), alone(v2))).isLessThan(TOLERANCE);
                assertThat(failures).isEmpty();
            }
        }
    }
}
