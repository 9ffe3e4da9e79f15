package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Predictions;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class LabelQualityTest {
    // Probabilities are multiples of 1/8, so every mean and difference below is exact in binary.
    @Test
    void flagsExamplesBelowTheirClassAverageSelfConfidenceRankedByMargin() {
        int[] labels = {0, 0, 0, 1, 1, 1};
        double[][] p = {
                {0.875, 0.125}, {0.75, 0.25}, {0.125, 0.875},   // class 0: threshold 1.75 / 3
                {0.25, 0.75}, {0, 1}, {0.5, 0.5}};              // class 1: threshold 2.25 / 3 = 0.75
        LabelQuality.Report r = LabelQuality.find(labels, p);

        assertThat(r.thresholds()).containsExactly(1.75 / 3, 0.75);
        assertThat(r.examples()).isEqualTo(6);
        // Example 3 sits exactly on its threshold: only a probability below it is flagged.
        assertThat(r.issues()).containsExactly(
                new LabelQuality.Issue(2, 0, 1, 0.125, -0.75),
                new LabelQuality.Issue(5, 1, 0, 0.5, 0.0));
        assertThat(r.indices()).containsExactly(2, 5);
        assertThat(r.flaggedShare()).isEqualTo(2.0 / 6);
    }

    @Test
    void theSuggestionIsTheMostProbableOtherClassAndTheMarginMayBePositive() {
        int[] labels = {0, 0, 0, 0, 1, 1, 2};
        double[][] p = {
                {1, 0, 0}, {1, 0, 0},
                {0.5, 0.25, 0.25},     // the most probable class, yet below class 0's threshold 2.75 / 4
                {0.25, 0.25, 0.5},
                {0, 0.5, 0.5},         // class 1's threshold is 0.75
                {0, 1, 0},
                {0.5, 0.5, 0}};        // alone in class 2: its threshold is its own probability, 0
        LabelQuality.Report r = LabelQuality.find(labels, p);

        assertThat(r.thresholds()).containsExactly(0.6875, 0.75, 0.0);
        assertThat(r.issues()).containsExactly(
                new LabelQuality.Issue(3, 0, 2, 0.25, -0.25),
                new LabelQuality.Issue(4, 1, 2, 0.5, 0.0),
                new LabelQuality.Issue(2, 0, 1, 0.5, 0.25));    // classes 1 and 2 tie: the lower index is suggested
    }

    @Test
    void equalMarginsKeepIndexOrderAndAClassNobodyCarriesHasNoThreshold() {
        int[] labels = {0, 0, 1, 1};
        double[][] p = {{0.25, 0.75, 0}, {1, 0, 0}, {0.75, 0.25, 0}, {0, 1, 0}};
        LabelQuality.Report r = LabelQuality.find(labels, p);

        assertThat(r.thresholds().subList(0, 2)).containsExactly(0.625, 0.625);
        assertThat(r.thresholds().get(2)).isNaN();
        assertThat(r.indices()).containsExactly(0, 2);
        assertThat(r.issues()).extracting(LabelQuality.Issue::margin).containsExactly(-0.5, -0.5);
    }

    @Test
    void perfectlyConfidentPredictionsFlagNothing() {
        LabelQuality.Report r = LabelQuality.find(new int[] {0, 1, 1}, new double[][] {{1, 0}, {0, 1}, {0, 1}});
        assertThat(r.issues()).isEmpty();
        assertThat(r.thresholds()).containsExactly(1.0, 1.0);
        assertThat(r.toString()).isEqualTo("LabelQuality.Report[0 of 3 examples flagged, thresholds [1.0, 1.0]]");
    }

    @Test
    void theReportIsImmutable() {
        LabelQuality.Report r = LabelQuality.find(new int[] {0, 1}, new double[][] {{0.25, 0.75}, {0, 1}});
        assertThatThrownBy(() -> r.issues().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.thresholds().set(0, 1.0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badInputIsRefusedWithTheValue() {
        assertThatThrownBy(() -> LabelQuality.find(new int[] {0, 1}, new double[][] {{0.5, 0.5}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 labels but 1 rows");
        assertThatThrownBy(() -> LabelQuality.find(new int[] {0, 2}, new double[][] {{0.5, 0.5}, {0.5, 0.5}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 2 at example 1");
        assertThatThrownBy(() -> LabelQuality.find(new int[] {0}, new double[][] {{0.5, 0.6}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum to 1.1");
        assertThatThrownBy(() -> LabelQuality.find(new int[] {0, 0}, new double[][] {{1}, {1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("have 1 class");
        assertThatThrownBy(() -> LabelQuality.find(null, new double[][] {{1}}))
                .isInstanceOf(NullPointerException.class).hasMessage("labels");
    }

    @Test
    void foldsAreStratifiedBalancedAndSeeded() {
        int[] labels = new int[15];
        Arrays.fill(labels, 7, 10, 1);   // 7 of class 0, 3 of class 1, 5 of class 2
        Arrays.fill(labels, 10, 15, 2);
        int[] fold = LabelQuality.foldOf(labels, 3, 3, 7);

        for (int f = 0; f < 3; f++) {
            int ff = f;
            assertThat(IntStream.range(0, 15).filter(i -> fold[i] == ff).count()).isEqualTo(5);
            for (int c = 0; c < 3; c++) {
                int cc = c;
                long inFold = IntStream.range(0, 15).filter(i -> fold[i] == ff && labels[i] == cc).count();
                double share = IntStream.of(labels).filter(y -> y == cc).count() / 3.0;
                assertThat((double) inFold).isBetween(Math.floor(share), Math.ceil(share));
            }
        }
        assertThat(LabelQuality.foldOf(labels, 3, 3, 7)).containsExactly(fold);
        assertThat(LabelQuality.foldOf(labels, 3, 3, 8)).isNotEqualTo(fold);
    }

    @Test
    void eachExampleIsPredictedByTheModelOfTheOtherFolds() {
        LabeledData data = blobs(40, 3);
        FineTuner tuner = FineTuner.builder(mlp(2, 3)).epochs(2).batchSize(8).seed(3).build();
        Predictions oof = LabelQuality.outOfFold(data, tuner, 4, 11);

        assertThat(oof.actual()).containsExactly(data.labels());
        int[] fold = LabelQuality.foldOf(data.labels(), 3, 4, 11);
        for (int f = 0; f < 4; f++) {
            int ff = f;
            int[] held = IntStream.range(0, data.size()).filter(i -> fold[i] == ff).toArray();
            int[] rest = IntStream.range(0, data.size()).filter(i -> fold[i] != ff).toArray();
            Predictions expected = tuner.fit(data.select(rest)).predict(data.select(held));
            for (int j = 0; j < held.length; j++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(oof.probability(held[j], c)).isEqualTo(expected.probability(j, c));
                }
            }
            // The model that trained on the fold gives other probabilities: the fold was held out.
            Predictions seen = tuner.fit(data).predict(data.select(held));
            assertThat(seen.probability(0, 0)).isNotEqualTo(oof.probability(held[0], 0));
        }
    }

    @Test
    void foldCountsOutOfRangeAreRefused() {
        LabeledData data = blobs(4, 2);
        FineTuner tuner = FineTuner.builder(mlp(2, 2)).build();
        assertThatThrownBy(() -> LabelQuality.outOfFold(data, tuner, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("folds must be in [2, 8] for 8 examples, got 1; 5 is usual");
        assertThatThrownBy(() -> LabelQuality.outOfFold(data, tuner, 9, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 9");
    }

    /** {@code perClass} points around each of {@code classes} centres on a circle, with a little seeded noise. */
    static LabeledData blobs(int perClass, int classes) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        float[][] x = new float[perClass * classes][2];
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = i % classes;
            double angle = 2 * Math.PI * y[i] / classes;
            x[i][0] = (float) (Math.cos(angle) + 0.3 * (random.nextDouble() - 0.5));
            x[i][1] = (float) (Math.sin(angle) + 0.3 * (random.nextDouble() - 0.5));
        }
        return LabeledData.of(Nd4j.create(x).castTo(DataType.FLOAT), y, classes);
    }

    static MultiLayerNetwork mlp(int in, int classes) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(in).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(8).nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .build());
        network.init();
        return network;
    }
}
