package dev.attune.evaluation;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The built-in {@link Perturbation}s, each given the strengths to run.
 *
 * <p>Image perturbations read features as {@code [n, channels, height, width]} ({@link Robustness#flatImages}
 * reshapes flat rows to that): {@link #gaussianNoise}, {@link #brightness}, {@link #contrast},
 * {@link #occlusion} and {@link #shift}. Tabular perturbations read features as {@code [n, columns]}
 * (any other shape is read as its rows flattened): {@link #featureNoise} and {@link #missingValues}.
 * Values are not clipped to any range afterwards. Every random draw comes from ND4J's generator seeded
 * with the seed given, so the same features, strength and seed give the same array; the work is done
 * in whole-array ND4J operations.
 */
public final class Perturbations {
    private Perturbations() {
    }

    /** What a built-in perturbation does at one strength. */
    @FunctionalInterface
    private interface Op {
        INDArray apply(INDArray features, double strength, long seed);
    }

    /** A built-in perturbation: a name, its strengths, the check of a strength and its operation. */
    private record Builtin(String name, List<Double> strengths, DoubleConsumer check, Op op) implements Perturbation {
        @Override
        public INDArray apply(INDArray features, double strength, long seed) {
            requireNonNull(features, "features");
            check.accept(strength);
            return op.apply(features, strength, seed);
        }

        @Override
        public String toString() {
            return name + strengths;
        }
    }

    /**
     * Additive Gaussian noise on every value: {@code x + sigma * z}, {@code z} standard normal.
     *
     * @param sigmas the standard deviations of the noise, each finite and non-negative
     * @throws IllegalArgumentException when none is given or one is negative or not finite
     */
    public static Perturbation gaussianNoise(double... sigmas) {
        return builtin("gaussian_noise", sigmas, range("gaussian_noise", 0, Double.MAX_VALUE, "a standard deviation"),
                (x, sigma, seed) -> x.add(normal(x, seed).muli(sigma)));
    }

    /**
     * Brightness: {@code x + delta} on every value.
     *
     * @param deltas the amounts added, each finite (negative darkens)
     * @throws IllegalArgumentException when none is given or one is not finite
     */
    public static Perturbation brightness(double... deltas) {
        return builtin("brightness", deltas, range("brightness", -Double.MAX_VALUE, Double.MAX_VALUE, "an amount"),
                (x, delta, seed) -> x.add(delta));
    }

    /**
     * Contrast: {@code m + factor * (x - m)}, where {@code m} is the mean of all the values of the
     * example (every channel and pixel); below 1 flattens an image towards its mean, above 1 stretches it.
     *
     * @param factors the factors, each finite and non-negative
     * @throws IllegalArgumentException when none is given or one is negative or not finite
     */
    public static Perturbation contrast(double... factors) {
        return builtin("contrast", factors, range("contrast", 0, Double.MAX_VALUE, "a factor"),
                (x, factor, seed) -> {
                    INDArray rows = flat(x);
                    INDArray mean = rows.mean(true, 1);
                    return rows.subColumnVector(mean).muli(factor).addiColumnVector(mean).reshape(x.shape());
                });
    }

    /**
     * Occlusion: in each image a square patch of {@code size x size} pixels, in every channel, is set
     * to 0. Its top-left corner is drawn per example, uniformly among the positions that keep the
     * patch inside the image. Size 0 leaves the images unchanged.
     *
     * @param sizes the patch sizes in pixels, each a whole number, non-negative and at most the
     *     image's height and width (checked when applied)
     * @throws IllegalArgumentException when none is given or one is negative or not whole
     */
    public static Perturbation occlusion(double... sizes) {
        return builtin("occlusion", sizes, pixels("occlusion", "a patch size"), Perturbations::occlude);
    }

    /**
     * Shift: each image is translated by {@code pixels} pixels, up, down, left or right as drawn per
     * example (each with probability 1/4), and the pixels moved in from outside are 0.
     *
     * @param pixels the distances, each a whole number, non-negative and below the image's height and
     *     width (checked when applied)
     * @throws IllegalArgumentException when none is given or one is negative or not whole
     */
    public static Perturbation shift(double... pixels) {
        return builtin("shift", pixels, pixels("shift", "a distance"), Perturbations::translate);
    }

    /**
     * Gaussian noise on tabular features in units of each column's standard deviation:
     * {@code x + k * sd_j * z}, where {@code sd_j} is the population standard deviation of column
     * {@code j} over the examples given and {@code z} is standard normal. A constant column is left
     * unchanged.
     *
     * @param ks the noise levels in standard deviations, each finite and non-negative
     * @throws IllegalArgumentException when none is given or one is negative or not finite
     */
    public static Perturbation featureNoise(double... ks) {
        return builtin("feature_noise", ks, range("feature_noise", 0, Double.MAX_VALUE, "a level"),
                (x, k, seed) -> {
                    INDArray rows = flat(x);
                    INDArray sd = rows.std(false, true, 0);
                    return rows.add(normal(rows, seed).muliRowVector(sd).muli(k)).reshape(x.shape());
                });
    }

    /**
     * Missing values, imputed: each entry is, independently with probability {@code fraction},
     * replaced by the mean of its column over the examples given, which is what mean imputation of a
     * missing value gives.
     *
     * @param fractions the probabilities, each in {@code [0, 1]}
     * @throws IllegalArgumentException when none is given or one is outside {@code [0, 1]}
     */
    public static Perturbation missingValues(double... fractions) {
        return builtin("missing_values", fractions, range("missing_values", 0, 1, "a fraction"),
                (x, fraction, seed) -> {
                    INDArray rows = flat(x);
                    INDArray mean = rows.mean(true, 0);
                    INDArray missing = uniform(rows, seed).lt(fraction).castTo(rows.dataType());
                    // x + missing * (mean - x): the column mean where missing, x elsewhere.
                    INDArray towardsMean = rows.rsubRowVector(mean).muli(missing);
                    return rows.add(towardsMean).reshape(x.shape());
                });
    }

    private static INDArray occlude(INDArray x, double strength, long seed) {
        requireImages("occlusion", x);
        int size = (int) strength;
        long n = x.size(0);
        long h = x.size(2);
        long w = x.size(3);
        if (size > h || size > w) {
            throw new IllegalArgumentException("occlusion patch size " + size + " does not fit images of " + h + "x" + w
                    + " pixels; give sizes up to " + Math.min(h, w));
        }
        INDArray u = uniform(Nd4j.createUninitialized(DataType.DOUBLE, n, 2), seed);
        INDArray top = u.getColumn(0, true).muli(h - size + 1);
        INDArray left = u.getColumn(1, true).muli(w - size + 1);
        top = Nd4j.math().floor(top);
        left = Nd4j.math().floor(left);
        INDArray inRows = within(top, h, size);  // [n, h]: 1 on the patch's rows
        INDArray inCols = within(left, w, size); // [n, w]
        INDArray patch = Nd4j.matmul(inRows.reshape(n, h, 1), inCols.reshape(n, 1, w)); // [n, h, w]
        INDArray keep = patch.rsubi(1).castTo(x.dataType()).reshape(n, 1, h, w);
        return x.mul(keep);
    }

    /** 1 where {@code start <= i < start + size}, per row: {@code [n, length]}. */
    private static INDArray within(INDArray start, long length, int size) {
        INDArray offset = Nd4j.arange(0, length).castTo(DataType.DOUBLE).reshape(1, length)
                .repeat(0, start.size(0)).subiColumnVector(start);
        return offset.gte(0).castTo(DataType.DOUBLE).muli(offset.lt(size).castTo(DataType.DOUBLE));
    }

    private static INDArray translate(INDArray x, double strength, long seed) {
        requireImages("shift", x);
        int s = (int) strength;
        long n = x.size(0);
        long h = x.size(2);
        long w = x.size(3);
        if (s >= h || s >= w) {
            throw new IllegalArgumentException("a shift of " + s + " pixels moves images of " + h + "x" + w
                    + " pixels out of view; give shifts below " + Math.min(h, w));
        }
        if (s == 0) {
            return x.dup();
        }
        INDArray direction = Nd4j.math().floor(uniform(Nd4j.createUninitialized(DataType.DOUBLE, n, 1), seed).muli(4));
        INDArray out = Nd4j.zeros(x.dataType(), x.shape());
        // down, up, right, left: the destination and source ranges along height or width.
        long[][] moves = {{s, h, 0, h - s, 2}, {0, h - s, s, h, 2}, {s, w, 0, w - s, 3}, {0, w - s, s, w, 3}};
        for (int d = 0; d < moves.length; d++) {
            long[] m = moves[d];
            INDArray moved = Nd4j.zeros(x.dataType(), x.shape());
            moved.get(range((int) m[4], m[0], m[1])).assign(x.get(range((int) m[4], m[2], m[3])));
            INDArray chosen = direction.eq(d).castTo(x.dataType());
            out.addi(flat(moved).muliColumnVector(chosen).reshape(x.shape()));
        }
        return out;
    }

    private static INDArrayIndex[] range(int axis, long from, long to) {
        INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
        idx[axis] = NDArrayIndex.interval(from, to);
        return idx;
    }

    private static void requireImages(String name, INDArray x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(name + " needs images as [n, channels, height, width], got shape "
                    + Arrays.toString(x.shape()) + "; for flat rows of pixels use Robustness.flatImages(height, width)");
        }
    }

    /** The examples as rows: {@code [n, values per example]}. */
    private static INDArray flat(INDArray x) {
        return x.dup('c').reshape('c', x.size(0), x.length() / x.size(0));
    }

    /** Standard normal draws of {@code like}'s shape and data type. */
    private static INDArray normal(INDArray like, long seed) {
        return draw(seed, rng -> Nd4j.randn(0.0, 1.0, Nd4j.createUninitialized(like.dataType(), like.shape()), rng));
    }

    /** Uniform draws in {@code [0, 1)} of {@code like}'s shape and data type. */
    private static INDArray uniform(INDArray like, long seed) {
        return draw(seed, rng -> Nd4j.rand(Nd4j.createUninitialized(like.dataType(), like.shape()), rng));
    }

    /** Draws from a generator of its own, so that ND4J's global generator is neither read nor moved. */
    private static INDArray draw(long seed, java.util.function.Function<Random, INDArray> draws) {
        Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        try {
            return draws.apply(rng);
        } finally {
            try {
                rng.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not release ND4J's random generator", e);
            }
        }
    }

    private static Perturbation builtin(String name, double[] values, DoubleConsumer check, Op op) {
        requireNonNull(values, "strengths");
        if (values.length == 0) {
            throw new IllegalArgumentException(name + " needs at least one strength, for example " + name + "(0.1, 0.2, 0.4)");
        }
        for (double v : values) {
            check.accept(v);
        }
        return new Builtin(name, Arrays.stream(values).boxed().toList(), check, op);
    }

    private static DoubleConsumer range(String name, double min, double max, String what) {
        return v -> {
            if (!Double.isFinite(v) || v < min || v > max) {
                throw new IllegalArgumentException(name + " strength " + v + " is not " + what + (min == 0 && max == 1
                        ? " in [0, 1]" : min == 0 ? " that is finite and non-negative" : " that is finite"));
            }
        };
    }

    private static DoubleConsumer pixels(String name, String what) {
        return range(name, 0, Integer.MAX_VALUE, what).andThen(v -> {
            if (v != Math.rint(v)) {
                throw new IllegalArgumentException(name + " strength " + v + " is not a whole number of pixels; give "
                        + (long) Math.floor(v) + " or " + (long) Math.ceil(v));
            }
        });
    }
}
