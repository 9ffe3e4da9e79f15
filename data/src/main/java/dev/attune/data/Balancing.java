package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.Balanced;
import dev.attune.Balancer;
import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The built-in {@link Balancer}s, for {@code FineTuner.builder(...).balance(...)}: random
 * over- and undersampling, SMOTE, class weights, and reweighing of groups against labels.
 *
 * <p>Each is a pure function of the training data and the seed: the same data and seed give the same
 * result on every run. Classes with no example are left out of every target count. Resamplers keep
 * the class count and the example shape, and keep the original examples in their order (oversampling
 * and SMOTE append new ones, class by class; undersampling keeps a subset in the original order).
 */
public final class Balancing {
    private Balancing() {
    }

    /**
     * Random oversampling: every class is brought to the size of the largest by drawing its own
     * examples again, uniformly with replacement. The original examples are all kept.
     */
    public static Balancer oversample() {
        return new Named("oversample", (data, seed) -> {
            int[][] byClass = byClass(data);
            int target = Arrays.stream(byClass).mapToInt(m -> m.length).max().orElseThrow();
            SplittableRandom random = new SplittableRandom(seed);
            int[] picked = new int[target * (int) Arrays.stream(byClass).filter(m -> m.length > 0).count()];
            int at = 0;
            for (int i = 0; i < data.size(); i++) {
                picked[at++] = i;
            }
            for (int[] members : byClass) {
                for (int j = members.length; members.length > 0 && j < target; j++) {
                    picked[at++] = members[random.nextInt(members.length)];
                }
            }
            return Balanced.of(at == data.size() ? data : data.select(picked));
        });
    }

    /**
     * Random undersampling: every class is brought to the size of the smallest (that has examples)
     * by keeping a random subset of its examples, drawn without replacement.
     */
    public static Balancer undersample() {
        return new Named("undersample", (data, seed) -> {
            int[][] byClass = byClass(data);
            int target = Arrays.stream(byClass).mapToInt(m -> m.length).filter(c -> c > 0).min().orElseThrow();
            SplittableRandom random = new SplittableRandom(seed);
            boolean[] keep = new boolean[data.size()];
            for (int[] members : byClass) {
                int[] m = members.clone();
                for (int i = 0; i < Math.min(target, m.length); i++) {
                    int j = i + random.nextInt(m.length - i);
                    int t = m[i];
                    m[i] = m[j];
                    m[j] = t;
                    keep[m[i]] = true;
                }
            }
            int[] picked = java.util.stream.IntStream.range(0, data.size()).filter(i -> keep[i]).toArray();
            return Balanced.of(picked.length == data.size() ? data : data.select(picked));
        });
    }

    /**
     * SMOTE (Chawla et al., 2002): every class is brought to the size of the largest with synthetic
     * examples, each on the segment between a random example of the class and one of its {@code k}
     * nearest neighbours within the class (Euclidean distance over the flattened features), at a
     * uniformly random point. For numeric feature vectors; one-hot columns become fractions.
     *
     * @param k the number of nearest neighbours, at least 1 (imbalanced-learn's default is 5)
     * @throws IllegalArgumentException when {@code k} is below 1; {@code balance} refuses a class to
     *     be grown that has {@code k} or fewer examples
     */
    public static Balancer smote(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("SMOTE needs at least 1 nearest neighbour, got k = " + k
                    + "; for example smote(5)");
        }
        return new Named("smote(k=" + k + ")", (data, seed) -> Balanced.of(Smote.apply(data, k, seed)));
    }

    /**
     * Class weights: the data as given, with the loss of each example weighted by
     * {@code n / (classes * n_y)}, where {@code n_y} is the size of its class and {@code classes}
     * the number of classes with examples (scikit-learn's {@code class_weight="balanced"}). Every
     * class then carries the same total weight.
     */
    public static Balancer classWeights() {
        return new Named("classWeights", (data, seed) -> {
            int[] counts = data.classCounts();
            long present = Arrays.stream(counts).filter(c -> c > 0).count();
            double[] w = new double[data.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (double) data.size() / (double) (present * counts[data.label(i)]);
            }
            return Balanced.weighted(data, w);
        });
    }

    /**
     * Reweighing (Kamiran and Calders, 2012; AIF360's {@code Reweighing}): the data as given, with the
     * loss of each example weighted by {@code P(group) P(label) / P(group, label)}, that is
     * {@code n_g n_y / (n n_gy)} in counts. In the weighted data, group and label are independent:
     * every cell (g, y) carries the weight {@code n_g n_y / n}.
     *
     * @param groups the group of every training example, in the order of the training data (for
     *     example the codes of a sensitive attribute); any integers
     * @throws NullPointerException when {@code groups} is null; {@code balance} refuses training data
     *     of another size
     */
    public static Balancer reweigh(int[] groups) {
        requireNonNull(groups, "groups");
        int[] g = groups.clone();
        long distinct = Arrays.stream(g).distinct().count();
        return new Named("reweigh(" + distinct + " groups over " + g.length + " examples)",
                (data, seed) -> Balanced.weighted(data, reweighing(g, data)));
    }

    /**
     * {@link #reweigh(int[])} with the groups given by name, as {@link TabularData#groups(String)} gives them.
     *
     * @throws NullPointerException when {@code groups} or one of its values is null
     */
    public static Balancer reweigh(List<String> groups) {
        requireNonNull(groups, "groups");
        Map<String, Integer> codes = new HashMap<>();
        int[] g = new int[groups.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = codes.computeIfAbsent(requireNonNull(groups.get(i), "group"), x -> codes.size());
        }
        return reweigh(g);
    }

    private static double[] reweighing(int[] groups, LabeledData data) {
        if (groups.length != data.size()) {
            throw new IllegalArgumentException("reweigh was given groups for " + groups.length
                    + " examples but the training data holds " + data.size()
                    + "; give one group per training example, in the order of the training data");
        }
        Map<Integer, Long> perGroup = new HashMap<>();
        Map<Long, Long> perCell = new HashMap<>();
        int[] perLabel = data.classCounts();
        for (int i = 0; i < groups.length; i++) {
            perGroup.merge(groups[i], 1L, Long::sum);
            perCell.merge(cell(groups[i], data.label(i)), 1L, Long::sum);
        }
        long n = data.size();
        double[] w = new double[groups.length];
        for (int i = 0; i < w.length; i++) {
            // One division of exact integers: the weight is the fraction correctly rounded.
            w[i] = (double) (perGroup.get(groups[i]) * perLabel[data.label(i)])
                    / (double) (n * perCell.get(cell(groups[i], data.label(i))));
        }
        return w;
    }

    private static long cell(int group, int label) {
        return ((long) group << 32) | (label & 0xffffffffL);
    }

    /** The example indices of every class, each in the original order. */
    static int[][] byClass(LabeledData data) {
        int[] counts = data.classCounts();
        int[][] out = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            out[c] = new int[counts[c]];
        }
        int[] at = new int[counts.length];
        for (int i = 0; i < data.size(); i++) {
            int y = data.label(i);
            out[y][at[y]++] = i;
        }
        return out;
    }

    /** A balancer with the name its provenance shows. */
    private record Named(String name, Balancer rule) implements Balancer {
        @Override
        public Balanced balance(LabeledData train, long seed) {
            return rule.balance(requireNonNull(train, "train"), seed);
        }

        @Override
        public String describe() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
