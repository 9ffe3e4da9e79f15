package dev.attune.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Network;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Eight threads against one served network. DL4J's product of a batch may round a row differently
 * from the product of that row alone (the BLAS kernel depends on the batch's size), so each answer is
 * checked bit for bit against the network's output on the same batch recomputed, and within 1e-6 of
 * the row's output alone.
 */
// A guard against a hang of a broken service, not a timing assertion.
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class NetworkSoakTest {
    private static final int WIDTH = 12;
    private static final int THREADS = 8;
    private static final int PER_THREAD = 150;
    private static final int MAX_BATCH = 16;

    @Test
    void everyCallerGetsTheNetworksOutputForItsOwnRow() throws Exception {
        Network network = Mlp.of(WIDTH, 3, 11);
        List<List<float[]>> batches = Collections.synchronizedList(new ArrayList<>());
        BatchFunction<float[], float[]> recorded = rows -> {
            batches.add(List.copyOf(rows));
            return Rows.output(network, rows);
        };
        Map<float[], float[]> answers = Collections.synchronizedMap(new IdentityHashMap<>());
        try (PredictorService<float[], float[]> service = PredictorService.builder(recorded).name("soak")
                .check(row -> Rows.check(row, WIDTH)).maxBatch(MAX_BATCH).maxWait(Duration.ofMillis(20))
                .queueCapacity(THREADS * PER_THREAD).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                callers.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(seed);
                    List<float[]> rows = new ArrayList<>();
                    List<CompletableFuture<float[]>> futures = new ArrayList<>();
                    for (int i = 0; i < PER_THREAD; i++) {
                        float[] row = new float[WIDTH];
                        for (int j = 0; j < WIDTH; j++) {
                            row[j] = (float) random.nextGaussian();
                        }
                        rows.add(row);
                        // Half the calls wait for their answer, half only queue it: both paths under load.
                        if (i % 2 == 0) {
                            answers.put(row, service.predict(row, Duration.ofMinutes(5)));
                        } else {
                            futures.add(service.submit(row));
                        }
                    }
                    for (int i = 0, f = 0; i < PER_THREAD; i++) {
                        if (i % 2 == 1) {
                            answers.put(rows.get(i), futures.get(f++).get());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> c : callers) {
                c.get();
            }
            pool.shutdown();
            ServingStats stats = service.stats();
            assertThat(stats.answered()).isEqualTo(THREADS * PER_THREAD);
            assertThat(stats.errors()).isZero();
            assertThat(stats.largestBatch()).as("batches form under load").isGreaterThan(1).isLessThanOrEqualTo(MAX_BATCH);
            assertThat(stats.batches()).isEqualTo(batches.size());
        }

        assertThat(answers).hasSize(THREADS * PER_THREAD);
        int requests = 0;
        int identicalAlone = 0;
        double worst = 0;
        for (List<float[]> batch : batches) {
            assertThat(batch.size()).isBetween(1, MAX_BATCH);
            float[][] again = network.output(Nd4j.create(batch.toArray(new float[0][]))).toFloatMatrix();
            for (int i = 0; i < batch.size(); i++) {
                float[] row = batch.get(i);
                float[] answer = answers.get(row);
                assertThat(answer).as("the answer of row %d of a batch of %d", i, batch.size()).isEqualTo(again[i]);
                float[] alone = network.output(Nd4j.create(new float[][] {row})).toFloatMatrix()[0];
                for (int c = 0; c < alone.length; c++) {
                    worst = Math.max(worst, Math.abs(alone[c] - answer[c]));
                }
                identicalAlone += java.util.Arrays.equals(alone, answer) ? 1 : 0;
                requests++;
            }
        }
        assertThat(requests).as("every request ran exactly once").isEqualTo(THREADS * PER_THREAD);
        assertThat(worst).as("largest difference from the row's output alone").isLessThanOrEqualTo(1e-6);
        System.out.printf("soak: %d requests in %d batches (largest %d); %d answers bit-identical to the row alone,"
                + " largest difference %.3g%n", requests, batches.size(),
                batches.stream().mapToInt(List::size).max().orElse(0), identicalAlone, worst);
    }
}
