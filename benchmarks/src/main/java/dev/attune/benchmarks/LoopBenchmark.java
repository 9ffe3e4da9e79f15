package dev.attune.benchmarks;

import dev.attune.FineTuner;
import dev.attune.Freeze;
import dev.attune.LabeledData;
import dev.attune.data.BundledData;
import dev.attune.spi.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Examples per second of Attune's {@code fit} against DL4J's own {@code MultiLayerNetwork.fit} on
 * the same network, data, batch size and optimizer, measured side by side in one process in
 * alternating rounds. Attune's time is the whole {@code fit} call (copying the base, fingerprints,
 * shuffling); DL4J's is its fit over pre-built mini-batches.
 */
public final class LoopBenchmark {
    static final int EXAMPLES = 4096;
    static final int BATCH = 64;
    static final int EPOCHS = 3;
    static final int ROUNDS = 7;

    private LoopBenchmark() {
    }

    /** Runs the benchmark and prints a table of examples per second and ratios. */
    public static void main(String[] args) {
        System.out.println("training-loop benchmark: small CNN (80,202 params), " + EXAMPLES + " Fashion-MNIST images, batch "
                + BATCH + ", Adam 1e-3, " + EPOCHS + " epochs per measurement, " + ROUNDS + " rounds (alternating which runs first) after one warm-up; "
                + BaseModels.threadSettings());
        LabeledData all = BundledData.FASHION_MNIST.train();
        int[] first = new int[EXAMPLES];
        Arrays.setAll(first, i -> i);
        LabeledData train = all.select(first);
        MultiLayerNetwork pretrained = BaseModels.smallCnn(7);
        List<DataSet> batches = batches(train, 1);

        List<String> rows = new ArrayList<>();
        rows.add(compare("full fine-tuning",
                () -> {
                    MultiLayerNetwork net = pretrained.clone();
                    return time(() -> {
                        for (int e = 0; e < EPOCHS; e++) {
                            for (DataSet ds : batches) {
                                net.fit(ds);
                            }
                        }
                    });
                },
                () -> time(() -> FineTuner.builder(pretrained).optimizer(Optimizer.adam(1e-3)).epochs(EPOCHS)
                        .batchSize(BATCH).build().fit(train))));
        rows.add(compare("head only (frozen up to dense0)",
                () -> {
                    MultiLayerNetwork net = new TransferLearning.Builder(pretrained)
                            .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                            .setFeatureExtractor(4).build(); // conv0 .. dense0
                    return time(() -> {
                        for (int e = 0; e < EPOCHS; e++) {
                            for (DataSet ds : batches) {
                                net.fit(ds);
                            }
                        }
                    });
                },
                () -> time(() -> FineTuner.builder(pretrained).freeze(Freeze.upTo("dense0")).optimizer(Optimizer.adam(1e-3))
                        .epochs(EPOCHS).batchSize(BATCH).build().fit(train))));
        System.out.println();
        System.out.println("| mode | DL4J fit (examples/s) | Attune fit (examples/s) | Attune / DL4J (median of rounds) | range over rounds |");
        System.out.println("|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static String compare(String mode, DoubleSupplier dl4j, DoubleSupplier attune) {
        dl4j.getAsDouble();
        attune.getAsDouble();
        double[] a = new double[ROUNDS];
        double[] b = new double[ROUNDS];
        double[] ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            // Alternate which side runs first, so that drift in the machine's speed favours neither.
            if (r % 2 == 0) {
                a[r] = measured(dl4j);
                b[r] = measured(attune);
            } else {
                b[r] = measured(attune);
                a[r] = measured(dl4j);
            }
            ratios[r] = a[r] / b[r];
            System.out.printf(Locale.ROOT, "  %s round %d: DL4J %.2fs, Attune %.2fs%n", mode, r + 1, a[r], b[r]);
        }
        double examples = (double) EXAMPLES * EPOCHS;
        double dl4jRate = examples / median(a);
        double attuneRate = examples / median(b);
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %.2f to %.2f |", mode, dl4jRate, attuneRate,
                median(ratios), sorted[0], sorted[sorted.length - 1]);
    }

    private static double measured(DoubleSupplier run) {
        System.gc();
        return run.getAsDouble();
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The median of the values (the mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /** Mini-batches in one shuffled order, built before timing so that DL4J pays no data cost. */
    private static List<DataSet> batches(LabeledData data, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        INDArray x = data.features();
        int[] labels = data.labels();
        List<DataSet> out = new ArrayList<>();
        for (int from = 0; from < order.size(); from += BATCH) {
            int[] idx = order.subList(from, Math.min(order.size(), from + BATCH)).stream().mapToInt(Integer::intValue).toArray();
            INDArray y = Nd4j.zeros(DataType.FLOAT, idx.length, data.numClasses());
            for (int i = 0; i < idx.length; i++) {
                y.putScalar(i, labels[idx[i]], 1f);
            }
            out.add(new DataSet(Nd4j.pullRows(x, 1, idx), y));
        }
        return out;
    }
}
