package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.attune.LabeledData;
import dev.attune.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class RobustnessTest {
    /**
     * A model that says class 1 with probability 0.9 when an example's mean value is above 0.5, class 0
     * otherwise.
     */
    private static final UnaryOperator<INDArray> THRESHOLD = x -> {
        INDArray one = x.reshape(x.size(0), x.length() / x.size(0)).mean(true, 1).gt(0.5).castTo(DataType.DOUBLE);
        INDArray p1 = one.mul(0.8).addi(0.1);
        return Nd4j.hstack(p1.rsub(1), p1);
    };

    /** Four 2x2 images: two dark (class 0, mean 0.2), two bright (class 1, mean 0.8). */
    private static LabeledData fourImages() {
        INDArray x = Nd4j.create(new float[] {
                0.2f, 0.2f, 0.2f, 0.2f, 0.1f, 0.3f, 0.1f, 0.3f, 0.8f, 0.8f, 0.8f, 0.8f, 0.7f, 0.9f, 0.7f, 0.9f},
                new long[] {4, 1, 2, 2});
        return LabeledData.of(x, new int[] {0, 0, 1, 1}, 2);
    }

    @Test
    void eachStrengthIsScoredAndItsDropTakenAgainstTheCleanSet() {
        RobustnessReport r = Robustness.of(THRESHOLD)
                .metrics(Metrics.accuracy(), Metrics.logLoss())
                .perturb(Perturbations.brightness(0.2, 0.4))
                .perturb(Perturbations.contrast(0.0))
                .run(fourImages());

        // +0.2 keeps the dark images at most 0.4 (class 0); +0.4 makes them 0.6, called class 1.
        assertThat(r.clean("accuracy")).isEqualTo(1.0);
        assertThat(r.value("brightness", 0.2, "accuracy")).isEqualTo(1.0);
        assertThat(r.value("brightness", 0.4, "accuracy")).isEqualTo(0.5);
        assertThat(r.drop("brightness", 0.4, "accuracy")).isEqualTo(0.5);
        // Log loss: lower is better, so its drop is value - clean, positive when worse.
        assertThat(r.clean("log_loss")).isCloseTo(-Math.log(0.9), within(1e-6));
        assertThat(r.value("brightness", 0.4, "log_loss")).isCloseTo(-(Math.log(0.9) + Math.log(0.1)) / 2, within(1e-6));
        assertThat(r.drop("brightness", 0.4, "log_loss"))
                .isCloseTo(r.value("brightness", 0.4, "log_loss") - r.clean("log_loss"), within(1e-12)).isPositive();
        // Contrast 0 turns each image into its mean: nothing changes for this model.
        assertThat(r.value("contrast", 0.0, "accuracy")).isEqualTo(1.0);
        assertThat(r.rows()).extracting(RobustnessReport.Row::perturbation)
                .containsExactly("clean", "clean", "brightness", "brightness", "brightness", "brightness", "contrast", "contrast");
        assertThat(r.seed()).isEqualTo(42);

        String table = r.toMarkdown();
        assertThat(table).startsWith("| perturbation | strength | metric | value | drop |")
                .contains("| clean | - | accuracy | 1.0000 | +0.0000 |")
                .contains("| brightness | 0.4 | accuracy | 0.5000 | +0.5000 |");
        assertThatThrownBy(() -> r.value("brightness", 0.3, "accuracy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("brightness@0.4/accuracy");
    }

    @Test
    void tabularPerturbationsRunThroughTheSuite() {
        // Every entry missing: every example becomes the column means, so all get the same class, right
        // for two of the four.
        RobustnessReport r = Robustness.of(THRESHOLD)
                .perturb(Perturbations.missingValues(0.0, 1.0))
                .perturb(Perturbations.featureNoise(0.0))
                .run(fourImages());

        assertThat(r.value("missing_values", 0.0, "accuracy")).isEqualTo(1.0);
        assertThat(r.value("missing_values", 1.0, "accuracy")).isEqualTo(0.5);
        assertThat(r.value("feature_noise", 0.0, "accuracy")).isEqualTo(1.0);
    }

    @Test
    void flatRowsArePerturbedAsImagesAndTheModelGetsRows() {
        List<long[]> shapes = new ArrayList<>();
        List<INDArray> seen = new ArrayList<>();
        UnaryOperator<INDArray> recording = x -> {
            shapes.add(x.shape());
            seen.add(x.dup());
            return THRESHOLD.apply(x);
        };
        LabeledData flat = LabeledData.of(Nd4j.ones(DataType.FLOAT, 3, 2 * 4 * 4), new int[] {1, 1, 1}, 2);
        RobustnessReport r = Robustness.of(recording).flatImages(4, 4).perturb(Perturbations.occlusion(2)).seed(9)
                .run(flat);

        assertThat(shapes).hasSize(2).allSatisfy(s -> assertThat(s).containsExactly(3, 32));
        INDArray occluded = seen.get(1).reshape(3, 2, 4, 4);
        assertThat(occluded).isEqualTo(Perturbations.occlusion(2).apply(Nd4j.ones(DataType.FLOAT, 3, 2, 4, 4), 2, 9));
        assertThat(occluded.sumNumber().doubleValue()).isEqualTo(3 * 2 * (16 - 4));
        assertThat(r.value("occlusion", 2, "accuracy")).isEqualTo(1.0);

        assertThatThrownBy(() -> Robustness.of(THRESHOLD).flatImages(5, 5).perturb(Perturbations.occlusion(2)).run(flat))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 32]")
                .hasMessageContaining("flatImages(5, 5)");
    }

    @Test
    void aShiftedTestSetIsComparedWithTheCleanOne() {
        LabeledData clean = fourImages();
        INDArray darker = clean.features().subi(0.35);
        RobustnessReport r = Robustness.of(THRESHOLD).shifted("darker", LabeledData.of(darker, clean.labels(), 2))
                .run(clean);

        // The bright images' means fall from 0.8 to 0.45: both are called class 0.
        assertThat(r.shifted("darker", "accuracy")).isEqualTo(0.5);
        assertThat(r.drop("darker", Double.NaN, "accuracy")).isEqualTo(0.5);
        assertThat(r.toMarkdown()).contains("| darker | - | accuracy | 0.5000 | +0.5000 |");

        LabeledData threeClasses = LabeledData.of(clean.features(), clean.labels(), 3);
        assertThatThrownBy(() -> Robustness.of(THRESHOLD).shifted("other", threeClasses).run(clean))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'other' has 3 classes");
    }

    @Test
    void optionsAreValidatedAtOnce() {
        Robustness suite = Robustness.of(THRESHOLD).perturb(Perturbations.gaussianNoise(0.1));
        assertThatThrownBy(() -> suite.perturb(Perturbations.gaussianNoise(0.2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gaussian_noise' is already");
        assertThatThrownBy(() -> suite.shifted("clean", fourImages()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the clean test set");
        assertThatThrownBy(() -> suite.metrics()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> suite.metrics(Metrics.accuracy(), Metrics.accuracy()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[accuracy, accuracy]");
        assertThatThrownBy(() -> suite.flatImages(0, 28)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Robustness.of(THRESHOLD).run(fourImages())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("perturb(");
        assertThatThrownBy(() -> Robustness.of(x -> Nd4j.ones(1, 2)).perturb(Perturbations.brightness(1)).run(fourImages()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one row per example (4)");
    }

    /**
     * Two classes of 4x4 images: class 0 brighter on the left half (0.6 against 0.4), class 1 on the
     * right, plus pixel noise of standard deviation 0.05.
     */
    private static LabeledData halves(int n, long seed) {
        Random random = new Random(seed);
        int[] labels = new int[n];
        float[] x = new float[n * 16];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(2);
            for (int p = 0; p < 16; p++) {
                boolean left = p % 4 < 2;
                x[i * 16 + p] = (float) ((left == (labels[i] == 0) ? 0.6 : 0.4) + 0.05 * random.nextGaussian());
            }
        }
        return LabeledData.of(Nd4j.create(x, new long[] {n, 16}), labels, 2);
    }

    @Test
    void aTrainedModelLosesAccuracyUnderStrongNoiseAndTheReportIsReproducible() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(3)
                .updater(new Adam(1e-2))
                .list()
                .layer(new DenseLayer.Builder().nIn(16).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        LabeledData train = halves(400, 1);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 400, 2);
        for (int i = 0; i < 400; i++) {
            oneHot.putScalar(i, train.label(i), 1);
        }
        for (int epoch = 0; epoch < 150; epoch++) {
            net.fit(train.features(), oneHot);
        }
        LabeledData test = halves(400, 2);
        Robustness suite = Robustness.of(Network.of(net))
                .metrics(Metrics.accuracy(), Metrics.f1Macro())
                .perturb(Perturbations.gaussianNoise(0.1, 0.5, 2.0))
                .perturb(Perturbations.shift(2))
                .flatImages(4, 4);
        RobustnessReport r = suite.run(test);

        assertThat(r.clean("accuracy")).isGreaterThan(0.95);
        // Per-pixel noise of 2 swamps a signal of 0.2 per pixel: a linear model is near chance (about 0.58).
        // Only the strongest noise is asserted: between nearby strengths the order can go either way.
        assertThat(r.value("gaussian_noise", 2.0, "accuracy")).isLessThan(r.clean("accuracy") - 0.2);
        assertThat(r.drop("gaussian_noise", 2.0, "f1_macro")).isGreaterThan(0.2);
        // A shift of two pixels sideways moves one half onto the other and blanks it: the images of one
        // class then look like the other's, so about a quarter of all images (half of the sideways
        // shifts) are misread.
        assertThat(r.value("shift", 2, "accuracy")).isLessThan(r.clean("accuracy") - 0.15);
        assertThat(suite.run(test)).isEqualTo(r);
        assertThat(suite.seed(43).run(test).value("gaussian_noise", 2.0, "accuracy"))
                .isNotEqualTo(r.value("gaussian_noise", 2.0, "accuracy"));
    }
}
