package dev.attune.spark;

import dev.attune.spi.HeldRows;
import dev.attune.spi.RowsFingerprint;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training rows Spark's executors hold ({@link ResidentRows}), described for the trainer from the
 * partitions' summaries ({@link PartitionSummary}) and small jobs over the cached blocks: the driver holds
 * the labels and one row's features; the fingerprint streams the features through the driver one partition
 * at a time; exact copies of validation rows are found on the executors.
 */
final class SparkHeldRows implements HeldRows {
    private final JavaRDD<RowBlock> blocks;
    private final long[] starts;
    private final long[] exampleShape;
    private final int numClasses;
    private final int[] labels;
    private final float[] firstExample;
    private final FeatureCheck check;
    private final String what;
    private String fingerprint;

    SparkHeldRows(JavaRDD<RowBlock> blocks, long[] starts, long[] exampleShape, int numClasses, int[] labels,
                  float[] firstExample, FeatureCheck check, String what) {
        this.blocks = blocks;
        this.starts = starts;
        this.exampleShape = exampleShape;
        this.numClasses = numClasses;
        this.labels = labels;
        this.firstExample = firstExample;
        this.check = check;
        this.what = what;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public long[] exampleShape() {
        return exampleShape.clone();
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT;
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /** Streams the cached blocks through the driver in partition order, one partition at a time. */
    @Override
    public String fingerprint() {
        if (fingerprint == null) {
            RowsFingerprint f = new RowsFingerprint(numClasses, labels.length, exampleShape, DataType.FLOAT);
            Iterator<RowBlock> it = blocks.toLocalIterator();
            while (it.hasNext()) {
                f.features(it.next().features());
            }
            fingerprint = f.labels(labels);
        }
        return fingerprint;
    }

    @Override
    public INDArray firstExample() {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = 1;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return Nd4j.createFromArray(firstExample.clone()).reshape('c', shape);
    }

    @Override
    public FeatureCheck featureCheck() {
        return check;
    }

    /**
     * One job: each partition looks its rows up among the validation rows (broadcast, keyed by their bytes,
     * so a hash match is confirmed on the bytes) and names, for each validation row, its lowest copy; the
     * driver keeps the lowest over the partitions.
     */
    @Override
    public int[] copiesOf(INDArray validation) {
        boolean wide = validation.dataType() != DataType.FLOAT;
        int n = (int) validation.size(0);
        INDArray v = validation.reshape('c', n, validation.length() / Math.max(1, n));
        List<byte[]> rows = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            INDArray row = v.getRow(j);
            rows.add(wide ? bytes(row.castTo(DataType.DOUBLE).dup().data().asDouble())
                    : bytes(row.dup().data().asFloat()));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(blocks.context());
        Broadcast<List<byte[]>> sent = jsc.broadcast(rows);
        long[] from = starts;
        try {
            List<int[]> found = blocks.mapPartitionsWithIndex((p, it) -> {
                RowBlock b = it.hasNext() ? it.next() : RowBlock.empty();
                return List.of(copies(sent.value(), b, wide, from[p])).iterator();
            }, true).collect();
            int[] out = new int[n];
            java.util.Arrays.fill(out, -1);
            for (int[] part : found) {
                for (int j = 0; j < n; j++) {
                    if (out[j] < 0 && part[j] >= 0) {
                        out[j] = part[j]; // partitions in order: the first to hold a copy holds the lowest
                    }
                }
            }
            return out;
        } finally {
            sent.destroy();
        }
    }

    /** For each validation row, the lowest global row of {@code block} (rows from {@code start}) equal to it, or -1. */
    private static int[] copies(List<byte[]> validation, RowBlock block, boolean wide, long start) {
        Map<ByteBuffer, List<Integer>> byBytes = new HashMap<>();
        for (int j = 0; j < validation.size(); j++) {
            byBytes.computeIfAbsent(ByteBuffer.wrap(validation.get(j)), k -> new ArrayList<>(1)).add(j);
        }
        int[] out = new int[validation.size()];
        java.util.Arrays.fill(out, -1);
        int w = block.width();
        float[] x = block.features();
        for (int r = 0; r < block.rows(); r++) {
            float[] row = java.util.Arrays.copyOfRange(x, r * w, (r + 1) * w);
            List<Integer> same = byBytes.get(ByteBuffer.wrap(wide ? bytes(widen(row)) : bytes(row)));
            if (same != null) {
                for (int j : same) {
                    if (out[j] < 0) {
                        out[j] = Math.toIntExact(start + r);
                    }
                }
            }
        }
        return out;
    }

    private static double[] widen(float[] row) {
        double[] d = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            d[i] = row[i];
        }
        return d;
    }

    private static byte[] bytes(float[] row) {
        ByteBuffer b = ByteBuffer.allocate(row.length * 4);
        b.asFloatBuffer().put(row);
        return b.array();
    }

    private static byte[] bytes(double[] row) {
        ByteBuffer b = ByteBuffer.allocate(row.length * 8);
        b.asDoubleBuffer().put(row);
        return b.array();
    }

    @Override
    public String describe() {
        return what + "'s rows on Spark's executors";
    }
}
