package dev.attune.data;

import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** SMOTE's arithmetic for {@link Balancing#smote(int)}: distances and interpolation as whole-array ND4J ops. */
final class Smote {
    private Smote() {
    }

    static LabeledData apply(LabeledData data, int k, long seed) {
        int[][] byClass = Balancing.byClass(data);
        int target = Arrays.stream(byClass).mapToInt(m -> m.length).max().orElseThrow();
        INDArray all = data.features();
        long[] shape = all.shape();
        long width = all.length() / shape[0];
        // Doubles, so that the order of near-equal distances does not hang on float rounding.
        INDArray flat = all.reshape('c', shape[0], width).castTo(DataType.DOUBLE);
        SplittableRandom random = new SplittableRandom(seed);
        INDArray synthetic = null;
        int[] newLabels = new int[0];
        for (int c = 0; c < byClass.length; c++) {
            int[] members = byClass[c];
            int needed = members.length == 0 ? 0 : target - members.length;
            if (needed == 0) {
                continue;
            }
            if (members.length <= k) {
                throw new IllegalArgumentException("class " + c + " has " + members.length
                        + " examples, but SMOTE with k = " + k + " needs at least " + (k + 1)
                        + " to find k neighbours; lower k to at most " + Math.max(1, members.length - 1)
                        + (members.length < 2 ? " after adding examples, or use Balancing.oversample()" : ""));
            }
            INDArray x = Nd4j.pullRows(flat, 1, members);
            int[][] neighbours = nearest(x, k);
            int[] base = new int[needed];
            int[] partner = new int[needed];
            double[] gap = new double[needed];
            for (int j = 0; j < needed; j++) {
                base[j] = random.nextInt(members.length);
                partner[j] = neighbours[base[j]][random.nextInt(k)];
                gap[j] = random.nextDouble();
            }
            INDArray from = Nd4j.pullRows(x, 1, base);
            INDArray to = Nd4j.pullRows(x, 1, partner);
            INDArray made = to.sub(from).muliColumnVector(Nd4j.createFromArray(gap).reshape(needed, 1)).addi(from);
            synthetic = synthetic == null ? made : Nd4j.vstack(synthetic, made);
            int start = newLabels.length;
            newLabels = Arrays.copyOf(newLabels, start + needed);
            Arrays.fill(newLabels, start, newLabels.length, c);
        }
        if (synthetic == null) {
            return data;
        }
        long[] outShape = shape.clone();
        outShape[0] = shape[0] + synthetic.size(0);
        INDArray features = Nd4j.vstack(flat, synthetic).castTo(all.dataType()).reshape('c', outShape);
        int[] labels = Arrays.copyOf(data.labels(), data.size() + newLabels.length);
        System.arraycopy(newLabels, 0, labels, data.size(), newLabels.length);
        return LabeledData.of(features, labels, data.numClasses());
    }

    /**
     * The {@code k} nearest other rows of every row of {@code x}, nearest first, ties by row index.
     * Squared distances come from one matrix product: |a|^2 + |b|^2 - 2 a.b.
     */
    static int[][] nearest(INDArray x, int k) {
        int m = (int) x.size(0);
        INDArray squares = x.mul(x).sum(1).reshape(m, 1);
        INDArray d = x.mmul(x.transpose()).muli(-2).addiColumnVector(squares).addiRowVector(squares.reshape(1, m));
        double[][] dist = d.toDoubleMatrix();
        int[][] out = new int[m][];
        for (int i = 0; i < m; i++) {
            double[] row = dist[i];
            int self = i;
            out[i] = java.util.stream.IntStream.range(0, m).filter(j -> j != self).boxed()
                    .sorted((a, b) -> row[a] != row[b] ? Double.compare(row[a], row[b]) : Integer.compare(a, b))
                    .limit(k).mapToInt(Integer::intValue).toArray();
        }
        return out;
    }
}
