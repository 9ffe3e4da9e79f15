package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What {@link Network}'s Javadoc promises: concurrent output calls give what sequential ones give, bit for bit. */
class ConcurrentInferenceTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 10;

    /** Four threads call output on every input, each in its own order, ROUNDS times; every result equals the sequential one. */
    static void concurrentOutputsEqualSequentialOnes(Network net, List<INDArray> inputs) throws Exception {
        List<float[]> expected = new ArrayList<>();
        for (INDArray x : inputs) {
            expected.add(net.output(x).dup('c').data().asFloat());
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int shift = t;
                done.add(pool.submit((Callable<Integer>) () -> {
                    int checked = 0;
                    for (int r = 0; r < ROUNDS; r++) {
                        for (int i = 0; i < inputs.size(); i++) {
                            int k = (i + shift + r) % inputs.size();
                            float[] got = net.output(inputs.get(k)).dup('c').data().asFloat();
                            assertThat(got).as("input %d in thread %d", k, shift).isEqualTo(expected.get(k));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(ROUNDS * inputs.size());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<INDArray> dense(int n, int width) {
        Nd4j.getRandom().setSeed(11);
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Nd4j.rand(DataType.FLOAT, 3 + i, width));
        }
        return out;
    }

    @Test
    void multiLayerNetwork() throws Exception {
        concurrentOutputsEqualSequentialOnes(Network.of(Fixtures.mlp(3, 1)), dense(8, 8));
    }

    @Test
    void computationGraph() throws Exception {
        concurrentOutputsEqualSequentialOnes(Network.of(Fixtures.graph(3, 1)), dense(8, 8));
    }

    @Test
    void bert() throws Exception {
        // A fresh network: its inference graph is built lazily by whichever thread comes first.
        Network bert = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        LabeledData all = BertFineTuningTest.sequences(40, 3);
        List<INDArray> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(all.select(java.util.stream.IntStream.range(i * 5, i * 5 + 1 + i % 5).toArray()).features());
        }
        concurrentOutputsEqualSequentialOnes(bert, inputs);
        Network fresh = Network.of(BertFineTuningTest.tiny(DataType.FLOAT));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<float[]>> first = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                first.add(pool.submit(() -> fresh.output(inputs.get(0)).dup('c').data().asFloat()));
            }
            float[] expected = bert.output(inputs.get(0)).dup('c').data().asFloat();
            for (Future<float[]> f : first) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
