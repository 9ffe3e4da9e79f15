package dev.attune.monitoring;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.data.BundledData;
import dev.attune.data.Splits;
import dev.attune.deploy.ModelPackage;
import dev.attune.deploy.PackageBuilder;
import dev.attune.evaluation.DriftBatch;
import dev.attune.evaluation.DriftMonitor;
import dev.attune.evaluation.DriftReference;
import dev.attune.registry.Change;
import dev.attune.registry.ModelRegistry;
import dev.attune.registry.ModelVersion;
import dev.attune.registry.Stage;
import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The retraining tests' world: the bundled MNIST digits, a small network trained on them and served
 * from a SQLite registry, and the same digits on a brighter, washed-out background (the drift).
 */
final class DigitsWorld {
    static final String MODEL = "digits";
    static final List<String> DRIFT_FEATURES = List.of("brightness", "ink");
    private static FineTuneResult base;
    private static LabeledData train;
    private static LabeledData test;
    private static int[] order;

    private DigitsWorld() {
    }

    /** The network serving at first: 784-32-10, trained for 4 epochs on 200 digits per class. */
    static synchronized FineTuneResult base() {
        if (base == null) {
            LabeledData all = BundledData.MNIST.train();
            train = Splits.kPerClass(all, 200, 1).train();
            test = BundledData.MNIST.test();
            // the test file is grouped by digit: a fixed shuffle makes every slice a mix of classes
            java.util.List<Integer> shuffled = new java.util.ArrayList<>();
            for (int i = 0; i < test.size(); i++) {
                shuffled.add(i);
            }
            java.util.Collections.shuffle(shuffled, new java.util.Random(5));
            order = shuffled.stream().mapToInt(Integer::intValue).toArray();
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                    .layer(new DenseLayer.Builder().name("dense0").nIn(784).nOut(32).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(32).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .build());
            net.init();
            base = FineTuner.builder(net).optimizer(Optimizer.adam(3e-3)).epochs(4).batchSize(32).seed(1).build()
                    .fit(train);
        }
        return base;
    }

    /** Unseen digits: examples {@code from} to {@code from + n} of the bundled test set in a fixed random order. */
    static LabeledData digits(int from, int n) {
        base();
        return test.select(java.util.Arrays.copyOfRange(order, from, from + n));
    }

    /**
     * A monitor of {@link #reference()} over the last 300 rows, which judges by PSI (0.1 / 0.25) and
     * alerts on a Kolmogorov-Smirnov p-value only below 1e-4 (with 2,000 reference rows the test's default
     * thresholds flag differences between two samples of the same digits).
     */
    static DriftMonitor monitor() {
        return DriftMonitor.builder(reference()).window(300).ksPValue(1e-3, 1e-4).build();
    }

    /** The digits on a brighter background with less contrast: {@code 0.5 + 0.5 x}. */
    static LabeledData shifted(LabeledData data) {
        INDArray x = data.features().muli(0.5).addi(0.5);
        return LabeledData.of(x, data.labels(), data.numClasses());
    }

    /** The same images with every label moved to the next class: a world whose classes changed meaning. */
    static LabeledData relabelled(LabeledData data) {
        int[] y = data.labels();
        for (int i = 0; i < y.length; i++) {
            y[i] = (y[i] + 1) % data.numClasses();
        }
        return LabeledData.of(data.features(), y, data.numClasses());
    }

    /** Per image: its mean pixel ({@code brightness}) and its share of pixels above 0.5 ({@code ink}). */
    static double[][] driftRows(LabeledData data) {
        float[][] px = data.features().toFloatMatrix();
        double[][] rows = new double[px.length][2];
        for (int i = 0; i < px.length; i++) {
            double sum = 0;
            int ink = 0;
            for (float p : px[i]) {
                sum += p;
                ink += p > 0.5f ? 1 : 0;
            }
            rows[i][0] = sum / px[i].length;
            rows[i][1] = ink / (double) px[i].length;
        }
        return rows;
    }

    /** The drift reference of the serving model's world: the training digits' brightness and ink. */
    static DriftReference reference() {
        base();
        return DriftReference.builder().features(DRIFT_FEATURES, driftRows(train)).build();
    }

    /** A drift batch of the images. */
    static DriftBatch batch(LabeledData data) {
        return DriftBatch.features(DRIFT_FEATURES, driftRows(data));
    }

    /** A registry in {@code dir} with the base network's package as version 1, in production. */
    static ModelRegistry registryServingBase(Path dir) {
        return registryServingBase(dir, null);
    }

    /**
     * A registry in {@code dir} with the base network's package as version 1, in production, carrying
     * {@code reference} as its drift reference (none when null).
     */
    static ModelRegistry registryServingBase(Path dir, DriftReference reference) {
        PackageBuilder b = ModelPackage.builder(MODEL).from(base()).classNames(BundledData.MNIST.classNames())
                .image(255f, 784);
        ModelPackage pkg = (reference == null ? b : b.driftReference(reference)).write(dir.resolve("digits-v1.attune"));
        ModelRegistry registry = ModelRegistry.sqlite(dir.resolve("registry"));
        ModelVersion v1 = registry.register(pkg, Change.by("test", "first model"));
        registry.promote(MODEL, v1.version(), Stage.PRODUCTION, Change.by("test", "first release"));
        return registry;
    }
}
