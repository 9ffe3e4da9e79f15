package dev.attune.monitoring;

import dev.attune.LabeledData;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The most recent labelled live examples, oldest dropped first, for fine-tuning a challenger. Not thread-safe. */
final class RecentExamples {
    private record Example(float[] features, int label) {
    }

    private final int capacity;
    private final int classes;
    private final ArrayDeque<Example> examples = new ArrayDeque<>();
    private long[] exampleShape;

    RecentExamples(int capacity, int classes) {
        this.capacity = capacity;
        this.classes = classes;
    }

    int size() {
        return examples.size();
    }

    /** Adds the examples, dropping the oldest beyond the capacity. */
    void add(LabeledData data) {
        long[] shape = data.exampleShape();
        if (exampleShape != null && !Arrays.equals(exampleShape, shape)) {
            throw new IllegalArgumentException("feedback examples have shape " + Arrays.toString(shape)
                    + " but earlier ones had " + Arrays.toString(exampleShape) + "; give examples of the shape the serving"
                    + " model takes");
        }
        exampleShape = shape;
        INDArray f = data.features();
        int n = data.size();
        float[][] rows = f.reshape('c', n, f.length() / n).toFloatMatrix();
        for (int i = 0; i < n; i++) {
            examples.addLast(new Example(rows[i], data.label(i)));
        }
        while (examples.size() > capacity) {
            examples.removeFirst();
        }
    }

    /** All the examples kept, oldest first. */
    LabeledData all() {
        int[] all = new int[examples.size()];
        Arrays.setAll(all, i -> i);
        return select(all);
    }

    /** The most recent {@code n} examples (all of them when fewer are kept), oldest first. */
    LabeledData latest(int n) {
        int size = examples.size();
        int from = Math.max(0, size - n);
        int[] last = new int[size - from];
        Arrays.setAll(last, i -> from + i);
        return select(last);
    }

    /**
     * The examples split at random (seeded) into a training part and a held-out part of about
     * {@code share} of them: element 0 trains, element 1 is held out.
     */
    LabeledData[] split(double share, long seed) {
        int n = examples.size();
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int held = Math.max(1, (int) Math.round(share * n));
        int[] heldOut = Arrays.copyOfRange(order, 0, held);
        int[] train = Arrays.copyOfRange(order, held, n);
        Arrays.sort(heldOut);
        Arrays.sort(train);
        return new LabeledData[] {select(train), select(heldOut)};
    }

    private LabeledData select(int[] indices) {
        Example[] all = examples.toArray(new Example[0]);
        float[][] rows = new float[indices.length][];
        int[] labels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            rows[i] = all[indices[i]].features();
            labels[i] = all[indices[i]].label();
        }
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = indices.length;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        INDArray features = Nd4j.create(rows).reshape('c', shape);
        return LabeledData.of(features, labels, classes);
    }
}
