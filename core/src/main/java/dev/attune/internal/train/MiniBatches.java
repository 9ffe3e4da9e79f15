package dev.attune.internal.train;

import dev.attune.internal.math.Rows;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The mini-batches of an epoch, in the epoch's shuffled order. They are gathered a few at a time into
 * the same arrays: fresh memory is slow to touch, a gather has a fixed cost that small batches would
 * pay on every step, and a copy of the whole shuffled epoch would need as much again as the training set.
 */
public final class MiniBatches {
    private final INDArray x;
    private final INDArray y;
    private final INDArray w;
    private final int[] classOf;
    private final int n;
    private final int batch;
    private final int perGather;
    private final INDArray gatherX;
    private final INDArray gatherY;
    private final INDArray gatherW;
    /** The full mini-batches of a gather (row ranges of it), made once. */
    private final INDArray[][] fullBatches;
    /** The mini-batch of the last call, -1 before the first. */
    private int last = -1;

    /**
     * @param x the features (encoded or raw), one example per row, or {@code null} when the rows are held
     *     elsewhere: the mini-batches then carry labels, weights and row numbers ({@link #rowsOf}) only
     * @param y the one-hot labels
     * @param w a loss weight per example ({@code [n, 1]}), or {@code null}
     * @param batch the mini-batch size (at most the number of rows)
     */
    public MiniBatches(INDArray x, INDArray y, INDArray w, int batch) {
        this(x, y, w, batch, null);
    }

    /**
     * Mini-batches whose labels are picked by class: {@code y} holds one row per class, and example
     * {@code i}'s labels are row {@code classOf[i]} (for rows held elsewhere, so that the labels held here
     * take a class index a row, not a row of one-hot labels).
     *
     * @param x the features, or {@code null} when the rows are held elsewhere
     * @param classOf each example's class, or {@code null} when {@code y} holds one row per example
     */
    public MiniBatches(INDArray x, INDArray y, INDArray w, int batch, int[] classOf) {
        this.x = x;
        this.y = y;
        this.w = w;
        this.classOf = classOf;
        this.n = classOf != null ? classOf.length : (int) y.size(0);
        this.batch = batch;
        this.perGather = batchesPerGather(x == null ? y : x, batch);
        this.gatherX = x == null ? null : Nd4j.createUninitialized(x.dataType(), batchShape(x, batch * perGather), 'c');
        this.gatherY = Nd4j.createUninitialized(y.dataType(), new long[] {batch * perGather, y.size(1)}, 'c');
        this.gatherW = w == null ? null : Nd4j.createUninitialized(w.dataType(), new long[] {batch * perGather, 1}, 'c');
        this.fullBatches = new INDArray[3][perGather];
    }

    /** The number of mini-batches in an epoch. */
    public int steps() {
        return (n + batch - 1) / batch;
    }

    /**
     * One mini-batch: features ({@code null} when the rows are held elsewhere), one-hot labels, loss weights
     * ({@code null} for none) and its row count.
     */
    public record Batch(INDArray features, INDArray labels, INDArray weights, int rows) {
    }

    /** The row indices (into the training data) of mini-batch {@code s} of an epoch whose rows come in {@code order}. */
    public int[] rowsOf(int s, int[] order) {
        int from = s * batch;
        return Arrays.copyOfRange(order, from, Math.min(n, from + batch));
    }

    /**
     * Mini-batch {@code s} (from 0) of an epoch whose rows come in {@code order}. Views of the gather
     * arrays: valid until the next gather, that is, until the next call.
     */
    public Batch get(int s, int[] order) {
        int from = s * batch;
        int to = Math.min(n, from + batch);
        int slot = s % perGather;
        // A gather's first mini-batch gathers it, and so does one that does not follow the last (a resumed epoch).
        if (slot == 0 || s != last + 1) {
            int start = from - slot * batch;
            int[] idx = Arrays.copyOfRange(order, start, Math.min(n, start + batch * perGather));
            if (x != null) {
                Rows.gatherInto(x, idx, rowsOf(gatherX, 0, idx.length));
            }
            Rows.gatherInto(y, classOf == null ? idx : classesOf(idx), rowsOf(gatherY, 0, idx.length));
            if (w != null) {
                Rows.gatherInto(w, idx, rowsOf(gatherW, 0, idx.length));
            }
        }
        last = s;
        INDArray bx = x == null ? null : batchOf(gatherX, fullBatches[0], slot, batch, to - from);
        INDArray by = batchOf(gatherY, fullBatches[1], slot, batch, to - from);
        INDArray bw = w == null ? null : batchOf(gatherW, fullBatches[2], slot, batch, to - from);
        return new Batch(bx, by, bw, to - from);
    }

    private int[] classesOf(int[] idx) {
        int[] c = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            c[i] = classOf[idx[i]];
        }
        return c;
    }

    private static long[] batchShape(INDArray x, int batch) {
        long[] shape = x.shape().clone();
        shape[0] = batch;
        return shape;
    }

    /** Rows {@code [from, to)} of a c-ordered array, a contiguous view (the array itself when that is all of it). */
    private static INDArray rowsOf(INDArray buffer, long from, long to) {
        return from == 0 && to == buffer.size(0) ? buffer : buffer.get(Rows.range(buffer.rank(), from, to));
    }

    /** Mini-batch {@code slot} of a gather: a row range of it, kept for full batches. */
    private static INDArray batchOf(INDArray gather, INDArray[] full, int slot, int batch, int rows) {
        if (rows < batch) {
            return rowsOf(gather, (long) slot * batch, (long) slot * batch + rows);
        }
        if (full[slot] == null) {
            full[slot] = rowsOf(gather, (long) slot * batch, (long) (slot + 1) * batch);
        }
        return full[slot];
    }

    /** How many mini-batches one gather takes: up to 16, within 8 MiB of features (at least one). */
    private static int batchesPerGather(INDArray x, int batch) {
        long batchBytes = Math.max(1, x.length() / Math.max(1, x.size(0)) * x.dataType().width() * (long) batch);
        return (int) Math.max(1, Math.min(16, (8L << 20) / batchBytes));
    }
}
