package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.Balanced;
import dev.attune.Balancer;
import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The properties every built-in balancer keeps. A test class implements this interface and names its
 * balancer; the properties run against it. A resampler gives the class counts it promises, within
 * one example; a weighting balancer keeps the data and gives one positive weight per example.
 */
interface BalancerContract {
    /** The balancer under test, for this training data (reweighing needs a group per example). */
    Balancer balancer(LabeledData train);

    /**
     * The class counts a resampler must give for these counts, or {@code null} for a balancer that
     * weights and keeps the data as it is.
     */
    int[] expectedCounts(int[] counts);

    /** 2 to 4 classes of 6 to 25 examples each, three Gaussian features around a centre per class. */
    @Provide
    default Arbitrary<LabeledData> imbalanced() {
        return Combinators.combine(
                Arbitraries.integers().between(6, 25).list().ofMinSize(2).ofMaxSize(4),
                Arbitraries.longs()).as(BalancerContract::blobs);
    }

    static LabeledData blobs(List<Integer> sizes, long seed) {
        Random random = new Random(seed);
        int n = sizes.stream().mapToInt(Integer::intValue).sum();
        float[] x = new float[n * 3];
        int[] y = new int[n];
        int at = 0;
        for (int c = 0; c < sizes.size(); c++) {
            for (int j = 0; j < sizes.get(c); j++) {
                y[at] = c;
                for (int f = 0; f < 3; f++) {
                    x[at * 3 + f] = (float) (random.nextGaussian() + 3 * (f == c % 3 ? 1 : 0));
                }
                at++;
            }
        }
        // Mix the classes with a seeded permutation so that no balancer can rely on sorted input.
        int[] order = java.util.stream.IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return LabeledData.of(Nd4j.create(x, new long[] {n, 3}, DataType.FLOAT), y, sizes.size()).select(order);
    }

    @Property(tries = 60)
    default void sameDataAndSeedGiveTheSameResult(@ForAll("imbalanced") LabeledData train, @ForAll long seed) {
        Balanced a = balancer(train).balance(train, seed);
        Balanced b = balancer(train).balance(train, seed);
        assertThat(a.data().fingerprint()).isEqualTo(b.data().fingerprint());
        assertThat(a.weights().isPresent()).isEqualTo(b.weights().isPresent());
        a.weights().ifPresent(w -> assertThat(w).containsExactly(b.weights().orElseThrow()));
    }

    @Property(tries = 60)
    default void theGivenDataIsNotChanged(@ForAll("imbalanced") LabeledData train, @ForAll long seed) {
        String before = train.fingerprint();
        LabeledData copy = LabeledData.of(train.features(), train.labels(), train.numClasses());
        balancer(train).balance(train, seed);
        assertThat(LabeledData.of(train.features(), train.labels(), train.numClasses()).fingerprint())
                .isEqualTo(copy.fingerprint()).isEqualTo(before);
    }

    @Property(tries = 60)
    default void classCountsMeetTheTargetWithinOneExampleOrTheDataIsKept(@ForAll("imbalanced") LabeledData train,
                                                                         @ForAll long seed) {
        Balanced b = balancer(train).balance(train, seed);
        int[] expected = expectedCounts(train.classCounts());
        assertThat(b.data().numClasses()).isEqualTo(train.numClasses());
        assertThat(b.data().exampleShape()).containsExactly(train.exampleShape());
        if (expected == null) {
            assertThat(b.data().fingerprint()).isEqualTo(train.fingerprint());
            double[] w = b.weights().orElseThrow();
            assertThat(w).hasSize(train.size());
            assertThat(java.util.Arrays.stream(w).allMatch(x -> x > 0 && Double.isFinite(x))).as("positive, finite weights").isTrue();
        } else {
            int[] got = b.data().classCounts();
            for (int c = 0; c < got.length; c++) {
                assertThat(Math.abs(got[c] - expected[c])).as("class %d: %d against %d", c, got[c], expected[c])
                        .isLessThanOrEqualTo(1);
            }
            assertThat(b.weights()).isEmpty();
        }
    }

    @Property(tries = 3)
    default void aFitBalancesTheTrainingDataOnlyAndLeavesValidationUntouched(@ForAll("imbalanced") LabeledData train,
                                                                             @ForAll long seed) {
        // The training data's seed is drawn independently and may equal this one (jqwik tries edge
        // cases such as 0 for both), so the validation data takes a seed of its own derived stream:
        // otherwise its first rows would be copies of training rows and the fit would refuse them.
        LabeledData validation = blobs(java.util.Collections.nCopies(train.numClasses(), 7),
                new Random(seed).nextLong() ^ 0x5DEECE66DL);
        String validationBefore = validation.fingerprint();
        List<String> seen = new ArrayList<>();
        Balancer inner = balancer(train);
        Balancer recording = new Balancer() {
            @Override
            public Balanced balance(LabeledData data, long seed) {
                seen.add(data.fingerprint());
                return inner.balance(data, seed);
            }

            @Override
            public String describe() {
                return inner.describe();
            }
        };
        FineTuneResult r = FineTuner.builder(mlp(train.numClasses())).balance(recording).epochs(2).batchSize(8).seed(3)
                .build().fit(train, validation);
        assertThat(seen).containsExactly(train.fingerprint());
        assertThat(r.provenance().validationData()).isEqualTo(validationBefore);
        assertThat(r.provenance().trainData()).isEqualTo(train.fingerprint());
        assertThat(r.provenance().config()).containsEntry("balance", inner.describe());
        assertThat(LabeledData.of(validation.features(), validation.labels(), validation.numClasses()).fingerprint())
                .isEqualTo(validationBefore);
    }

    /** A tiny network for three features: dense (3 to 6), softmax output. */
    static MultiLayerNetwork mlp(int classes) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(3).nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(6).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }
}
