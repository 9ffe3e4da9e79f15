package dev.attune.internal.train;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The arrays an epoch starts from: one-hot labels and the seeded order of the rows. */
public final class Epochs {
    private Epochs() {
    }

    /** The labels as one-hot rows {@code [labels.length, classes]}, float. */
    public static INDArray oneHot(int[] labels, int classes) {
        float[] buf = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            buf[i * classes + labels[i]] = 1f;
        }
        return Nd4j.create(buf, new long[] {labels.length, classes}, DataType.FLOAT);
    }

    /** Shuffles in place (Fisher-Yates), drawing from {@code rng}. */
    public static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
