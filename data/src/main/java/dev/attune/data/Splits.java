package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded, per-class splits of a labelled data set into a training and a validation part.
 *
 * <p>Every split is a pure function of the data and the seed: the same data and seed give the same
 * parts on every run and platform, and different seeds (almost always) give different parts. The two
 * parts are disjoint, together hold every example, and keep the examples in their original order.
 */
public final class Splits {
    private Splits() {
    }

    /**
     * Splits each class into training and validation examples in the given proportion, so that both
     * parts keep the class shares of {@code data}.
     *
     * <p>A class of {@code n} examples gives {@code Math.round(n * validationFraction)} random examples
     * to validation and the rest to training, adjusted so that a class of two or more examples has at
     * least one on each side. A class of a single example goes to validation when
     * {@code validationFraction >= 0.5} and to training otherwise. Each part is within one example
     * of the exact share for every class.
     *
     * @param data the examples to split; every class of {@code data.numClasses()} must occur
     * @param validationFraction the share of each class held out, strictly between 0 and 1 (for example 0.2)
     * @param seed the seed of the random choice
     * @return the two parts, each in the original order of {@code data}
     * @throws IllegalArgumentException when {@code validationFraction} is not in {@code (0, 1)}, a
     *     class has no examples, or one part would be empty (every class holds a single example)
     */
    public static Split stratified(LabeledData data, double validationFraction, long seed) {
        requireNonNull(data, "data");
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in (0, 1), got " + validationFraction
                    + "; for example 0.2 holds out 20% of each class");
        }
        int[][] byClass = indicesByClass(data);
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length == 0) {
                throw new IllegalArgumentException("class " + c + " has 0 of the " + data.size()
                        + " examples, so it cannot be stratified; the data declares " + data.numClasses()
                        + " classes: add examples of class " + c + " or build the data with the classes it holds");
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] train = new int[data.size()];
        int[] validation = new int[data.size()];
        int nt = 0;
        int nv = 0;
        for (int[] members : byClass) {
            int v = validationCount(members.length, validationFraction);
            int[] shuffled = partialShuffle(members, v, random);
            for (int i = 0; i < shuffled.length; i++) {
                if (i < v) {
                    validation[nv++] = shuffled[i];
                } else {
                    train[nt++] = shuffled[i];
                }
            }
        }
        if (nv == 0 || nt == 0) {
            throw new IllegalArgumentException("every class holds a single example, so validationFraction "
                    + validationFraction + " puts all " + data.size() + " examples into the "
                    + (nv == 0 ? "training" : "validation") + " part and leaves the other empty;"
                    + " give at least two examples of some class");
        }
        return new Split(select(data, train, nt), select(data, validation, nv));
    }

    /**
     * Takes exactly {@code k} random examples of every class for training (a few-shot training set)
     * and leaves all the others in {@link Split#validation()}, from which a caller may take a
     * validation or test set that is disjoint from the training examples.
     *
     * @param data the examples to split; every class of {@code data.numClasses()} needs at least
     *     {@code k} examples, and some class more than {@code k}
     * @param k training examples per class, at least 1
     * @param seed the seed of the random choice
     * @return {@code k * numClasses} training examples and the rest, each in the original order of {@code data}
     * @throws IllegalArgumentException when {@code k < 1}, a class has fewer than {@code k}
     *     examples, or every class has exactly {@code k} (nothing would be left)
     */
    public static Split kPerClass(LabeledData data, int k, long seed) {
        requireNonNull(data, "data");
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k
                    + "; k is the number of training examples taken from each class");
        }
        int[][] byClass = indicesByClass(data);
        int smallest = 0;
        for (int c = 1; c < byClass.length; c++) {
            if (byClass[c].length < byClass[smallest].length) {
                smallest = c;
            }
        }
        int largestK = byClass[smallest].length;
        for (int c = 0; c < byClass.length; c++) {
            if (byClass[c].length < k) {
                String fix = largestK == 0
                        ? "class " + smallest + " has no examples, so no k works: add examples of it or build the data"
                                + " with the classes it holds"
                        : "the largest k every class allows is " + largestK + " (class " + smallest + " has "
                                + largestK + "): use k <= " + largestK;
                throw new IllegalArgumentException("class " + c + " has " + byClass[c].length
                        + " examples, fewer than k = " + k + "; " + fix);
            }
        }
        if ((long) k * byClass.length == data.size()) {
            throw new IllegalArgumentException("every class has exactly k = " + k + " examples, so nothing is left"
                    + " besides the training part; " + (k > 1 ? "use k <= " + (k - 1) : "add examples"));
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] train = new int[data.size()];
        int[] rest = new int[data.size()];
        int nt = 0;
        int nr = 0;
        for (int[] members : byClass) {
            int[] shuffled = partialShuffle(members, k, random);
            System.arraycopy(shuffled, 0, train, nt, k);
            nt += k;
            System.arraycopy(shuffled, k, rest, nr, shuffled.length - k);
            nr += shuffled.length - k;
        }
        return new Split(select(data, train, nt), select(data, rest, nr));
    }

    static int validationCount(int classSize, double fraction) {
        int v = (int) Math.round(classSize * fraction);
        if (classSize >= 2) {
            v = Math.max(1, Math.min(classSize - 1, v));
        }
        return v;
    }

    /** The example indices of every class, each ascending. */
    private static int[][] indicesByClass(LabeledData data) {
        int[] labels = data.labels();
        int[] counts = data.classCounts();
        int[][] byClass = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][fill[labels[i]]++] = i;
        }
        return byClass;
    }

    /**
     * A copy whose first {@code m} entries are a uniformly random {@code m}-subset (Fisher-Yates,
     * stopped after {@code m} steps, which is all the split needs).
     */
    private static int[] partialShuffle(int[] values, int m, SplittableRandom random) {
        int[] a = values.clone();
        for (int i = 0; i < m && i < a.length - 1; i++) {
            int j = i + random.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static LabeledData select(LabeledData data, int[] indices, int length) {
        int[] picked = Arrays.copyOf(indices, length);
        // Ascending order makes each part independent of the order in which classes were visited.
        Arrays.sort(picked);
        return data.select(picked);
    }
}
