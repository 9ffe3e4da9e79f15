package dev.attune.spark;

import dev.attune.LabeledData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's training rows where Spark keeps them: one {@link RowBlock} per partition, persisted on the
 * executors ({@code MEMORY_AND_DISK}) for the whole run, with global row numbers in partition order
 * (partition {@code i} holds rows {@code starts[i]} to {@code starts[i+1] - 1}, as {@code zipWithIndex}
 * numbers them). A lost executor's blocks are computed again from their lineage.
 *
 * <p>The driver keeps a copy too ({@link #onDriver()}): {@code FineTuner.fit}'s checks, balancing and
 * provenance read the training data; the steps never send rows, only row numbers.
 */
final class ResidentRows implements AutoCloseable {
    private final JavaRDD<RowBlock> blocks;
    private final long[] starts;
    private final LabeledData onDriver;

    private ResidentRows(JavaRDD<RowBlock> blocks, long[] starts, LabeledData onDriver) {
        this.blocks = blocks;
        this.starts = starts;
        this.onDriver = onDriver;
    }

    /** {@code data} split into {@code partitions} contiguous blocks of rows. */
    static ResidentRows of(JavaSparkContext spark, LabeledData data, int partitions) {
        List<RowBlock> parts = new ArrayList<>(partitions);
        int n = data.size();
        for (int i = 0; i < partitions; i++) {
            int from = (int) ((long) i * n / partitions);
            int to = (int) ((long) (i + 1) * n / partitions);
            int[] idx = new int[to - from];
            Arrays.setAll(idx, k -> from + k);
            parts.add(idx.length == 0 ? RowBlock.empty() : RowBlock.of(data.select(idx)));
        }
        JavaRDD<RowBlock> blocks = spark.parallelize(parts, partitions);
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        blocks.count(); // puts the blocks in the executors' caches
        long[] starts = new long[partitions + 1];
        for (int i = 0; i < partitions; i++) {
            starts[i + 1] = starts[i] + parts.get(i).rows();
        }
        return new ResidentRows(blocks, starts, data);
    }

    /** The shards of each partition, in partition order, one block per partition. */
    static ResidentRows ofShards(JavaRDD<LabeledData> shards) {
        JavaRDD<RowBlock> blocks = shards.mapPartitions(ResidentRows::concat);
        return cache(blocks, 0, "the RDD");
    }

    private static Iterator<RowBlock> concat(Iterator<LabeledData> shards) {
        List<RowBlock> parts = new ArrayList<>();
        shards.forEachRemaining(s -> parts.add(RowBlock.of(s)));
        return List.of(join(parts, 0)).iterator();
    }

    /**
     * Persists the blocks and reads them once: the driver's copy in global row order.
     *
     * @param numClasses the class count, or 0 for the blocks' (the largest label plus one when they know none)
     */
    static ResidentRows cache(JavaRDD<RowBlock> blocks, int numClasses, String what) {
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        List<RowBlock> all;
        try {
            all = blocks.collect();
        } catch (RuntimeException e) {
            blocks.unpersist(false);
            throw refusal(e);
        }
        long[] starts = new long[all.size() + 1];
        for (int i = 0; i < all.size(); i++) {
            starts[i + 1] = starts[i] + all.get(i).rows();
        }
        if (starts[all.size()] == 0) {
            blocks.unpersist(false);
            throw new IllegalArgumentException(what + " holds no rows (every partition is empty); give at least one"
                    + " example per class");
        }
        RowBlock joined = join(all, numClasses);
        int classes = numClasses > 0 ? numClasses : joined.numClasses() > 0 ? joined.numClasses()
                : Math.max(2, Arrays.stream(joined.labels()).max().orElse(0) + 1);
        long[] shape = new long[joined.exampleShape().length + 1];
        shape[0] = joined.rows();
        System.arraycopy(joined.exampleShape(), 0, shape, 1, joined.exampleShape().length);
        LabeledData onDriver = LabeledData.of(Nd4j.createFromArray(joined.features()).reshape('c', shape),
                joined.labels(), classes);
        return new ResidentRows(blocks, starts, onDriver);
    }

    /** The blocks one after the other; they must agree in example shape and class count. */
    private static RowBlock join(List<RowBlock> parts, int numClasses) {
        RowBlock first = parts.stream().filter(b -> b.rows() > 0).findFirst().orElse(null);
        if (first == null) {
            return RowBlock.empty();
        }
        int rows = 0;
        for (int i = 0; i < parts.size(); i++) {
            RowBlock b = parts.get(i);
            if (!b.fits(first) || b.rows() > 0 && b.numClasses() != first.numClasses()) {
                throw new IllegalArgumentException("a shard holds examples of shape " + Arrays.toString(b.exampleShape())
                        + " and " + b.numClasses() + " classes but another " + Arrays.toString(first.exampleShape())
                        + " and " + first.numClasses() + "; give every shard the same class count and example shape");
            }
            rows += b.rows();
        }
        float[] x = new float[rows * first.width()];
        int[] y = new int[rows];
        int at = 0;
        for (RowBlock b : parts) {
            System.arraycopy(b.features(), 0, x, at * first.width(), b.features().length);
            System.arraycopy(b.labels(), 0, y, at, b.rows());
            at += b.rows();
        }
        return new RowBlock(rows, first.exampleShape(), x, y, numClasses > 0 ? numClasses : first.numClasses());
    }

    /** A refusal raised on an executor (a bad value in a partition) as the driver's exception. */
    private static RuntimeException refusal(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException iae) {
                return new IllegalArgumentException(iae.getMessage(), e);
            }
        }
        return e;
    }

    JavaRDD<RowBlock> blocks() {
        return blocks;
    }

    /** Where each partition's rows start in the global row order; one more entry than partitions (the row count). */
    long[] starts() {
        return starts;
    }

    int partitions() {
        return starts.length - 1;
    }

    LabeledData onDriver() {
        return onDriver;
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }
}
