package dev.attune.internal.math;

import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Row ranges of arrays of any rank, and work done on the rows a chunk at a time (inference, encoding). */
public final class Rows {
    private Rows() {
    }

    /** What to do with rows {@code [from, to)}. */
    @FunctionalInterface
    public interface Chunk {
        /** Handles rows {@code [from, to)}. */
        void accept(long from, long to);
    }

    /** The index of rows {@code [from, to)} of an array of that rank (every other dimension whole). */
    public static INDArrayIndex[] range(int rank, long start, long end) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        idx[0] = NDArrayIndex.interval(start, end);
        for (int i = 1; i < rank; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return idx;
    }

    /** Rows {@code [from, to)} of {@code x}, a view. */
    public static INDArray of(INDArray x, long from, long to) {
        return x.get(range(x.rank(), from, to));
    }

    /**
     * Gathers the given rows of {@code x} into {@code destination}, a c-ordered {@code [rows, ...]}
     * array with the same shape per row, and returns it: no new array in a training step.
     */
    public static INDArray gatherInto(INDArray x, int[] indices, INDArray destination) {
        long[] shape = x.shape();
        INDArray flat = x.reshape('c', shape[0], x.length() / shape[0]);
        Nd4j.pullRows(flat, destination.reshape('c', indices.length, flat.size(1)), 1, indices);
        return destination;
    }

    /** Calls {@code chunk} on consecutive row ranges of at most {@code size} rows covering {@code [0, n)}. */
    public static void forEachChunk(long n, int size, Chunk chunk) {
        for (long from = 0; from < n; from += size) {
            chunk.accept(from, Math.min(n, from + size));
        }
    }

    /**
     * Applies {@code f} to row chunks of {@code x} of at most {@code size} rows and stacks the results
     * (c order, the data type of {@code f}'s first result) into a new array: {@code f} sees bounded
     * batches however many rows {@code x} has. {@code null} when {@code x} has no rows.
     */
    public static INDArray mapChunks(INDArray x, int size, UnaryOperator<INDArray> f) {
        long n = x.size(0);
        INDArray[] out = new INDArray[1];
        forEachChunk(n, size, (from, to) -> {
            INDArray part = f.apply(of(x, from, to));
            if (out[0] == null) {
                long[] shape = part.shape().clone();
                shape[0] = n;
                out[0] = Nd4j.create(part.dataType(), shape, 'c');
            }
            out[0].get(range(part.rank(), from, to)).assign(part);
        });
        return out[0];
    }
}
