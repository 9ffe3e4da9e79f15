package dev.attune.data;

import static java.util.Objects.requireNonNull;

import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Finds examples of one data set that also occur in another (for example test examples that are in
 * the training set): exactly, after rounding every feature to a grid, or by cosine similarity.
 * Features are compared flattened; labels are not part of the match, and a match whose labels differ
 * is counted as a label conflict.
 */
public final class Leakage {
    /** How many matches a report lists as examples. */
    static final int EXAMPLES = 10;
    private static final int CHUNK = 512;

    private Leakage() {
    }

    /** Rows of {@code other} whose features are bit for bit those of a row of {@code reference}. */
    public static Report exact(LabeledData reference, LabeledData other) {
        check(reference, other);
        return byKey("exact", reference, other, row -> new Key(row));
    }

    /**
     * Rows of {@code other} that fall on the same grid cell as a row of {@code reference} when every
     * feature is rounded to the nearest multiple of {@code step} (for pixels in [0, 1], 1/255 finds
     * copies re-encoded with small rounding differences). Values close to a cell border may round apart.
     *
     * @throws IllegalArgumentException when {@code step} is not a finite number above 0
     */
    public static Report quantised(LabeledData reference, LabeledData other, double step) {
        check(reference, other);
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("the grid step must be a finite number above 0, got " + step
                    + "; for example 1e-3");
        }
        return byKey("quantised(step=" + step + ")", reference, other, row -> {
            float[] cell = new float[row.length];
            for (int j = 0; j < row.length; j++) {
                cell[j] = (float) Math.rint(row[j] / step);
            }
            return new Key(cell);
        });
    }

    /**
     * Rows of {@code other} whose cosine similarity with some row of {@code reference} is at least
     * {@code minSimilarity}; each is matched to its most similar reference row. All-zero rows have
     * similarity 0 with everything (use {@link #exact} for them).
     *
     * @throws IllegalArgumentException when {@code minSimilarity} is not in (0, 1]
     */
    public static Report cosine(LabeledData reference, LabeledData other, double minSimilarity) {
        check(reference, other);
        if (!(minSimilarity > 0 && minSimilarity <= 1)) {
            throw new IllegalArgumentException("the cosine similarity threshold must be in (0, 1], got " + minSimilarity
                    + "; for example 0.99");
        }
        INDArray a = unitRows(reference);
        INDArray b = unitRows(other);
        List<Match> matches = new ArrayList<>();
        for (long from = 0; from < b.size(0); from += CHUNK) {
            long to = Math.min(b.size(0), from + CHUNK);
            INDArray sim = b.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).mmul(a.transpose());
            int[] best = sim.argMax(1).toIntVector();
            double[] top = sim.max(1).toDoubleVector();
            for (int i = 0; i < best.length; i++) {
                // Rounding can put an identical pair a hair below 1: compare with a little slack.
                if (top[i] >= minSimilarity - 1e-6) {
                    matches.add(new Match(best[i], (int) from + i));
                }
            }
        }
        return report("cosine(min=" + minSimilarity + ")", reference, other, matches);
    }

    private static INDArray unitRows(LabeledData data) {
        INDArray f = data.features();
        INDArray x = f.reshape('c', f.size(0), f.length() / f.size(0)).castTo(DataType.DOUBLE);
        INDArray norms = x.norm2(1).reshape(x.size(0), 1);
        // An all-zero row keeps its zeros (similarity 0) instead of dividing by zero.
        norms = norms.add(norms.eq(0).castTo(DataType.DOUBLE));
        return x.diviColumnVector(norms);
    }

    private static Report byKey(String method, LabeledData reference, LabeledData other,
                                java.util.function.Function<float[], Key> key) {
        float[][] a = rows(reference);
        float[][] b = rows(other);
        Map<Key, Integer> first = new HashMap<>();
        for (int i = 0; i < a.length; i++) {
            first.putIfAbsent(key.apply(a[i]), i);
        }
        List<Match> matches = new ArrayList<>();
        for (int j = 0; j < b.length; j++) {
            Integer i = first.get(key.apply(b[j]));
            if (i != null) {
                matches.add(new Match(i, j));
            }
        }
        return report(method, reference, other, matches);
    }

    private static Report report(String method, LabeledData reference, LabeledData other, List<Match> matches) {
        boolean[] usedA = new boolean[reference.size()];
        int conflicts = 0;
        for (Match m : matches) {
            usedA[m.reference()] = true;
            conflicts += reference.label(m.reference()) != other.label(m.other()) ? 1 : 0;
        }
        int matchedA = 0;
        for (boolean u : usedA) {
            matchedA += u ? 1 : 0;
        }
        return new Report(method, reference.size(), other.size(), matches.size(), matchedA, conflicts,
                matches.subList(0, Math.min(EXAMPLES, matches.size())));
    }

    private static float[][] rows(LabeledData data) {
        INDArray f = data.features();
        return f.reshape('c', f.size(0), f.length() / f.size(0)).castTo(DataType.FLOAT).toFloatMatrix();
    }

    private static void check(LabeledData reference, LabeledData other) {
        requireNonNull(reference, "reference");
        requireNonNull(other, "other");
        if (!Arrays.equals(reference.exampleShape(), other.exampleShape())) {
            throw new IllegalArgumentException("examples of shape " + Arrays.toString(other.exampleShape())
                    + " cannot be compared with examples of shape " + Arrays.toString(reference.exampleShape())
                    + "; compare data sets with the same features");
        }
    }

    /** A row's features as a hash key, compared bit for bit (so -0.0 and 0.0 differ, NaN cannot occur). */
    private record Key(float[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(values, k.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    /**
     * A row of the other data set that matches a row of the reference.
     *
     * @param reference the row's index in the reference data set
     * @param other the row's index in the other data set
     */
    public record Match(int reference, int other) {
    }

    /**
     * What a check found. Immutable.
     *
     * @param method how rows were compared, for example {@code "exact"}
     * @param referenceSize examples in the reference data set
     * @param otherSize examples in the other data set
     * @param matchedOther rows of the other data set with a match in the reference
     * @param matchedReference distinct reference rows matched
     * @param labelConflicts matches whose two labels differ
     * @param examples the first matches (at most 10), in the other data set's order
     */
    public record Report(String method, int referenceSize, int otherSize, int matchedOther, int matchedReference,
                         int labelConflicts, List<Match> examples) {
        /** Validates and copies. */
        public Report {
            requireNonNull(method, "method");
            examples = List.copyOf(examples);
        }

        /** The share of the other data set that also occurs in the reference. */
        public double leakedShare() {
            return (double) matchedOther / otherSize;
        }

        /** Whether no row matched. */
        public boolean clean() {
            return matchedOther == 0;
        }
    }
}
