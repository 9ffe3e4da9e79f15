package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded splits of a labelled data set into a training and a validation part: per class
 * ({@link #stratified}, {@link #kPerClass}), per group ({@link #grouped}) and into stratified folds
 * for cross-validation ({@link #kFold}).
 *
 * <p>Every split is a pure function of the data, its arguments and the seed: the same data and seed
 * give the same parts on every run and platform, and different seeds (almost always) give different
 * parts. The two parts are disjoint, together hold every example, and keep the examples in their
 * original order.
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
        checkFraction(validationFraction, "of each class");
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

    /**
     * Splits whole groups into training and validation examples, so that no group (a patient, a
     * customer, a session, a source image) has examples on both sides and the validation score is not
     * inflated by near-copies of training examples from the same group.
     *
     * <p>The validation part aims at {@code t = Math.round(data.size() * validationFraction)} examples
     * (rows, not groups). The groups are visited in a random order drawn from the seed; a group joins
     * validation when that brings the validation count strictly closer to {@code t}, and training
     * otherwise. This greedy choice ends within half the largest group's size of {@code t}. When it
     * would leave a part without any group, the smallest group (the first visited among equals) is
     * moved there, so both parts always hold at least one group. Classes are not stratified.
     *
     * @param data the examples to split
     * @param groups the group of every example, in example order; at least two distinct groups
     * @param validationFraction the share of the examples held out, strictly between 0 and 1 (for example 0.2)
     * @param seed the seed of the random order of the groups
     * @return the two parts, each in the original order of {@code data}
     * @throws IllegalArgumentException when {@code validationFraction} is not in {@code (0, 1)},
     *     {@code groups} does not hold one group per example, or it holds a single group
     */
    public static Split grouped(LabeledData data, int[] groups, double validationFraction, long seed) {
        requireNonNull(data, "data");
        requireNonNull(groups, "groups");
        checkFraction(validationFraction, "of the examples");
        checkGroupCount(data, groups.length);
        Map<Integer, Integer> ids = new HashMap<>();
        int[] dense = new int[groups.length];
        for (int i = 0; i < groups.length; i++) {
            dense[i] = ids.computeIfAbsent(groups[i], g -> ids.size());
        }
        return grouped(data, dense, ids.size(), validationFraction, seed);
    }

    /**
     * Splits whole groups into training and validation examples, with the groups given by name (for
     * example {@link TabularData#groups(String)}); otherwise as {@link #grouped(LabeledData, int[],
     * double, long)}. Names are compared exactly ({@code "A"} and {@code "a"} are two groups).
     *
     * @throws IllegalArgumentException when {@code validationFraction} is not in {@code (0, 1)},
     *     {@code groups} does not hold one group per example, a group is {@code null} or blank, or it
     *     holds a single group
     */
    public static Split grouped(LabeledData data, List<String> groups, double validationFraction, long seed) {
        requireNonNull(data, "data");
        requireNonNull(groups, "groups");
        checkFraction(validationFraction, "of the examples");
        checkGroupCount(data, groups.size());
        Map<String, Integer> ids = new HashMap<>();
        int[] dense = new int[groups.size()];
        int i = 0;
        for (String g : groups) {
            if (g == null || g.isBlank()) {
                throw new IllegalArgumentException("example " + i + " has " + (g == null ? "no group (null)"
                        : "an empty group \"" + g + "\"") + "; give every example a group, for example \"unknown\"");
            }
            dense[i++] = ids.computeIfAbsent(g, x -> ids.size());
        }
        return grouped(data, dense, ids.size(), validationFraction, seed);
    }

    private static void checkGroupCount(LabeledData data, int given) {
        if (given != data.size()) {
            throw new IllegalArgumentException("groups hold " + given + " entries but the data holds " + data.size()
                    + " examples; give one group per example, in example order");
        }
    }

    private static Split grouped(LabeledData data, int[] group, int numGroups, double validationFraction, long seed) {
        if (numGroups < 2) {
            throw new IllegalArgumentException("all " + data.size() + " examples are in one group, so a group split"
                    + " leaves one part empty; give at least two groups or use stratified(...)");
        }
        int[] size = new int[numGroups];
        for (int g : group) {
            size[g]++;
        }
        int[] order = new int[numGroups];
        for (int g = 0; g < numGroups; g++) {
            order[g] = g;
        }
        order = partialShuffle(order, numGroups, new SplittableRandom(seed));
        long target = Math.round(data.size() * validationFraction);
        boolean[] toValidation = new boolean[numGroups];
        long v = 0;
        int groupsInValidation = 0;
        for (int g : order) {
            if (Math.abs(v + size[g] - target) < Math.abs(v - target)) {
                toValidation[g] = true;
                v += size[g];
                groupsInValidation++;
            }
        }
        if (groupsInValidation == 0 || groupsInValidation == numGroups) {
            int smallest = order[0];
            for (int g : order) {
                if (size[g] < size[smallest]) {
                    smallest = g;
                }
            }
            toValidation[smallest] = groupsInValidation == 0;
        }
        int[] train = new int[data.size()];
        int[] validation = new int[data.size()];
        int nt = 0;
        int nv = 0;
        for (int i = 0; i < group.length; i++) {
            if (toValidation[group[i]]) {
                validation[nv++] = i;
            } else {
                train[nt++] = i;
            }
        }
        return new Split(select(data, train, nt), select(data, validation, nv));
    }

    /**
     * Splits the examples into {@code k} stratified folds for cross-validation: fold {@code i}'s
     * validation part is the {@code i}-th fold and its training part all the other examples, so every
     * example is in exactly one validation part.
     *
     * <p>Each class is shuffled from the seed and dealt to the folds in turn, each class starting
     * where the previous one stopped. So every validation part holds {@code floor(n_c / k)} or
     * {@code ceil(n_c / k)} examples of a class of {@code n_c} examples (within one example of its
     * share), and the fold sizes differ by at most one.
     *
     * @param data the examples to split; every class of {@code data.numClasses()} needs at least
     *     {@code k} examples
     * @param k the number of folds, at least 2 (5 or 10 are usual)
     * @param seed the seed of the random choice
     * @return {@code k} splits, fold by fold, each part in the original order of {@code data}
     * @throws IllegalArgumentException when {@code k < 2} or a class has fewer than {@code k} examples
     */
    public static List<Split> kFold(LabeledData data, int k, long seed) {
        requireNonNull(data, "data");
        if (k < 2) {
            throw new IllegalArgumentException("k must be at least 2, got " + k
                    + "; k is the number of folds, for example 5");
        }
        int[][] byClass = indicesByClass(data);
        int smallest = 0;
        for (int c = 1; c < byClass.length; c++) {
            if (byClass[c].length < byClass[smallest].length) {
                smallest = c;
            }
        }
        if (byClass[smallest].length < k) {
            int n = byClass[smallest].length;
            String fix = n < 2
                    ? "no k works: " + (n == 0 ? "add examples of class " + smallest
                            + " or build the data with the classes it holds" : "add examples of class " + smallest)
                    : "use k <= " + n + " or add examples of class " + smallest;
            throw new IllegalArgumentException("class " + smallest + " has " + n + " examples, fewer than k = " + k
                    + ", so some fold would hold none of it; " + fix);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] fold = new int[data.size()];
        int next = 0;
        for (int[] members : byClass) {
            int[] shuffled = partialShuffle(members, members.length, random);
            for (int i : shuffled) {
                fold[i] = next;
                next = (next + 1) % k;
            }
        }
        List<Split> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int[] train = new int[data.size()];
            int[] validation = new int[data.size()];
            int nt = 0;
            int nv = 0;
            for (int i = 0; i < fold.length; i++) {
                if (fold[i] == f) {
                    validation[nv++] = i;
                } else {
                    train[nt++] = i;
                }
            }
            folds.add(new Split(select(data, train, nt), select(data, validation, nv)));
        }
        return List.copyOf(folds);
    }

    private static void checkFraction(double validationFraction, String of) {
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction must be in (0, 1), got " + validationFraction
                    + "; for example 0.2 holds out 20% " + of);
        }
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
