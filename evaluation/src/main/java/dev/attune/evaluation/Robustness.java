package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import dev.attune.Metric;
import dev.attune.Network;
import dev.attune.Predictions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A robustness suite: a model's metrics on its test set, then on the same set under each
 * {@link Perturbation} at each of its strengths, and on shifted test sets given by the caller, with
 * each metric's drop against the clean set.
 *
 * <pre>{@code
 * RobustnessReport r = Robustness.of(network)                 // or of(model::output)
 *         .metrics(Metrics.accuracy(), Metrics.f1Macro())
 *         .perturb(Perturbations.gaussianNoise(0.1, 0.2, 0.4))
 *         .perturb(Perturbations.occlusion(4, 8))
 *         .flatImages(28, 28)                                   // rows of 784 pixels are 28x28 images
 *         .shifted("rotated", rotatedTest)
 *         .run(test);
 * r.drop("gaussian_noise", 0.4, "accuracy");
 * }</pre>
 *
 * <p>Every strength of a perturbation draws from the same seed, so that strengths differ only in
 * strength (common random numbers): noise at 0.4 is the noise at 0.2 twice over. The same model,
 * test set, options and seed give the same report.
 *
 * <p>Defaults: the metric {@link Metrics#accuracy()}, seed 42, features perturbed in their own shape.
 * Immutable; each option returns a new value, validated at once.
 */
public final class Robustness {
    private final UnaryOperator<INDArray> model;
    private final List<Metric> metrics;
    private final List<Perturbation> perturbations;
    private final Map<String, LabeledData> shifted;
    private final long seed;
    private final long[] imageSize; // null: perturb features in their own shape

    private Robustness(UnaryOperator<INDArray> model, List<Metric> metrics, List<Perturbation> perturbations,
                       Map<String, LabeledData> shifted, long seed, long[] imageSize) {
        this.model = model;
        this.metrics = metrics;
        this.perturbations = perturbations;
        this.shifted = shifted;
        this.seed = seed;
        this.imageSize = imageSize;
    }

    /**
     * A suite of the given model with the defaults.
     *
     * @param model features in, class probabilities {@code [n, classes]} out, such as {@code network::output}
     */
    public static Robustness of(UnaryOperator<INDArray> model) {
        return new Robustness(requireNonNull(model, "model"), List.of(Metrics.accuracy()), List.of(), Map.of(), 42, null);
    }

    /** A suite of the given network (its {@link Network#output}) with the defaults. */
    public static Robustness of(Network network) {
        return of(requireNonNull(network, "network")::output);
    }

    /**
     * The metrics to compute, replacing those given before.
     *
     * @throws IllegalArgumentException when none is given or two share a name
     */
    public Robustness metrics(Metric... values) {
        requireNonNull(values, "metrics");
        if (values.length == 0) {
            throw new IllegalArgumentException("give at least one metric, for example metrics(Metrics.accuracy())");
        }
        List<Metric> list = List.of(values);
        List<String> names = list.stream().map(Metric::name).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("metric names must differ, got " + names + "; give each metric once");
        }
        return new Robustness(model, list, perturbations, shifted, seed, imageSize);
    }

    /**
     * Adds a perturbation, run after those added before.
     *
     * @throws IllegalArgumentException when a perturbation or shifted set of the same name was added
     */
    public Robustness perturb(Perturbation perturbation) {
        requireNonNull(perturbation, "perturbation");
        requireNewName(requireNonNull(perturbation.name(), "perturbation name"));
        List<Double> strengths = requireNonNull(perturbation.strengths(), "strengths");
        if (strengths.isEmpty()) {
            throw new IllegalArgumentException("perturbation " + perturbation.name() + " has no strengths; give at least one");
        }
        List<Perturbation> list = new ArrayList<>(perturbations);
        list.add(perturbation);
        return new Robustness(model, metrics, List.copyOf(list), shifted, seed, imageSize);
    }

    /**
     * Adds a shifted test set (another domain, a later period, corrupted images), compared with the
     * clean test set as given, without perturbation.
     *
     * @param name its name in the report
     * @param data a test set with the clean set's class count and example shape (checked by {@link #run})
     * @throws IllegalArgumentException when a perturbation or shifted set of the same name was added,
     *     or the name is {@value RobustnessReport#CLEAN}
     */
    public Robustness shifted(String name, LabeledData data) {
        requireNewName(requireNonNull(name, "name"));
        requireNonNull(data, "data");
        Map<String, LabeledData> map = new LinkedHashMap<>(shifted);
        map.put(name, data);
        return new Robustness(model, metrics, perturbations, java.util.Collections.unmodifiableMap(map), seed, imageSize);
    }

    /** The seed every perturbation draws from. */
    public Robustness seed(long value) {
        return new Robustness(model, metrics, perturbations, shifted, value, imageSize);
    }

    /**
     * Reads flat feature rows as images of this height and width ({@code [n, channels * height * width]}
     * as {@code [n, channels, height, width]}, channels first) while perturbing them; the model still
     * gets rows.
     *
     * @throws IllegalArgumentException when either is below 1
     */
    public Robustness flatImages(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image height and width must be at least 1, got " + height + "x" + width);
        }
        return new Robustness(model, metrics, perturbations, shifted, seed, new long[] {height, width});
    }

    /**
     * Runs the suite on a test set.
     *
     * @throws IllegalStateException when no perturbation and no shifted set was given
     * @throws IllegalArgumentException when the flat image size does not divide the feature rows, a
     *     shifted set differs from the test set in class count or example shape, or the model's output
     *     is not one row of class probabilities per example
     */
    public RobustnessReport run(LabeledData test) {
        requireNonNull(test, "test");
        if (perturbations.isEmpty() && shifted.isEmpty()) {
            throw new IllegalStateException("nothing to run; add a perturbation (perturb(Perturbations.gaussianNoise(0.1)))"
                    + " or a shifted test set (shifted(name, data))");
        }
        for (Map.Entry<String, LabeledData> e : shifted.entrySet()) {
            LabeledData s = e.getValue();
            if (s.numClasses() != test.numClasses() || !Arrays.equals(s.exampleShape(), test.exampleShape())) {
                throw new IllegalArgumentException("shifted set '" + e.getKey() + "' has " + s.numClasses()
                        + " classes and examples of shape " + Arrays.toString(s.exampleShape()) + ", the test set "
                        + test.numClasses() + " and " + Arrays.toString(test.exampleShape()) + "; give a set of the same task");
            }
        }
        INDArray features = test.features();
        long[] shape = features.shape();
        INDArray perturbable = imageSize == null ? features : asImages(features);
        int[] labels = test.labels();
        double[] clean = scores(labels, features);
        List<RobustnessReport.Row> rows = new ArrayList<>();
        add(rows, RobustnessReport.CLEAN, Double.NaN, clean, clean);
        for (Perturbation p : perturbations) {
            for (double strength : p.strengths()) {
                INDArray changed = p.apply(perturbable, strength, seed);
                if (!Arrays.equals(changed.shape(), perturbable.shape())) {
                    throw new IllegalArgumentException("perturbation " + p.name() + " at " + strength + " gave shape "
                            + Arrays.toString(changed.shape()) + " for " + Arrays.toString(perturbable.shape())
                            + "; a perturbation must keep the shape");
                }
                add(rows, p.name(), strength, scores(labels, changed.reshape('c', shape)), clean);
            }
        }
        for (Map.Entry<String, LabeledData> e : shifted.entrySet()) {
            add(rows, e.getKey(), Double.NaN, scores(e.getValue().labels(), e.getValue().features()), clean);
        }
        return new RobustnessReport(rows, seed);
    }

    private INDArray asImages(INDArray features) {
        long n = features.size(0);
        long perExample = features.length() / n;
        long pixels = imageSize[0] * imageSize[1];
        if (features.rank() != 2 || perExample % pixels != 0) {
            throw new IllegalArgumentException("flatImages(" + imageSize[0] + ", " + imageSize[1] + ") needs rows of "
                    + "channels x " + pixels + " values, got shape " + Arrays.toString(features.shape())
                    + "; give the images' height and width, or leave flatImages out for [n, c, h, w] features");
        }
        return features.reshape('c', n, perExample / pixels, imageSize[0], imageSize[1]);
    }

    private double[] scores(int[] labels, INDArray features) {
        INDArray out = model.apply(features);
        if (out == null || out.rank() != 2 || out.size(0) != labels.length) {
            throw new IllegalArgumentException("the model must give [examples, classes] probabilities, one row per "
                    + "example (" + labels.length + "), got " + (out == null ? "null" : Arrays.toString(out.shape())));
        }
        Predictions p = Predictions.of(labels, out);
        return metrics.stream().mapToDouble(p::score).toArray();
    }

    private void add(List<RobustnessReport.Row> rows, String name, double strength, double[] values, double[] clean) {
        for (int m = 0; m < metrics.size(); m++) {
            Metric metric = metrics.get(m);
            double drop = metric.higherIsBetter() ? clean[m] - values[m] : values[m] - clean[m];
            rows.add(new RobustnessReport.Row(name, strength, metric.name(), values[m], drop));
        }
    }

    private void requireNewName(String name) {
        if (name.equals(RobustnessReport.CLEAN) || shifted.containsKey(name)
                || perturbations.stream().anyMatch(p -> p.name().equals(name))) {
            throw new IllegalArgumentException("a perturbation or shifted set named '" + name + "' is already in the suite"
                    + (name.equals(RobustnessReport.CLEAN) ? " (the clean test set)" : "")
                    + "; give every one a name of its own, and all strengths of a perturbation in one call");
        }
    }
}
