package dev.attune.data;

import dev.attune.LabeledData;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Data whose single feature is the example's index, so that a split part tells which examples it took. */
final class SplitFixtures {
    private SplitFixtures() {
    }

    static LabeledData indexed(int numClasses, int... labels) {
        float[] index = new float[labels.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        return LabeledData.of(Nd4j.create(index, new long[] {labels.length, 1}, DataType.FLOAT), labels, numClasses);
    }

    /** {@code sizes.get(c)} examples of class c, classes mixed in an order fixed by {@code mix}. */
    static LabeledData withClassSizes(List<Integer> sizes, long mix) {
        int[] labels = new int[sizes.stream().mapToInt(Integer::intValue).sum()];
        int at = 0;
        for (int c = 0; c < sizes.size(); c++) {
            for (int j = 0; j < sizes.get(c); j++) {
                labels[at++] = c;
            }
        }
        Random random = new Random(mix);
        for (int i = labels.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        return indexed(Math.max(2, sizes.size()), labels);
    }

    /** The original indices of the examples of a split part. */
    static int[] indices(LabeledData part) {
        float[] f = part.features().data().asFloat();
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (int) f[i];
        }
        return out;
    }

    static int[] sortedUnion(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        return all;
    }
}
