package dev.attune.spark;

import dev.attune.LabeledData;
import dev.attune.spi.HeldRows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * A run's training rows where Spark keeps them: one {@link RowBlock} per partition, persisted on the
 * executors ({@code MEMORY_AND_DISK}) for the whole run, with global row numbers in partition order
 * (partition {@code i} holds rows {@code starts[i]} to {@code starts[i+1] - 1}, as {@code zipWithIndex}
 * numbers them). A lost executor's blocks are computed again from their lineage.
 *
 * <p>Rows read from a Dataset or an RDD never come to the driver as a whole: each partition's executor
 * sends a summary of its block (labels, shape, the feature checks; {@link PartitionSummary}) and the
 * trainer gets their description ({@link #held()}, a {@link SparkHeldRows}). Data the driver already held
 * ({@link #of}) keeps its copy there ({@link #onDriver()}). The steps never send rows, only row numbers.
 */
final class ResidentRows implements AutoCloseable {
    private final JavaRDD<RowBlock> blocks;
    private final long[] starts;
    private final LabeledData onDriver;
    private final SparkHeldRows held;

    private ResidentRows(JavaRDD<RowBlock> blocks, long[] starts, LabeledData onDriver, SparkHeldRows held) {
        this.blocks = blocks;
        this.starts = starts;
        this.onDriver = onDriver;
        this.held = held;
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
        return new ResidentRows(blocks, starts, data, null);
    }

    /** The shards of each partition, in partition order, one block per partition. */
    static ResidentRows ofShards(JavaRDD<LabeledData> shards) {
        JavaRDD<RowBlock> blocks = shards.mapPartitions(ResidentRows::concat);
        return cache(blocks, 0, "the RDD");
    }

    private static Iterator<RowBlock> concat(Iterator<LabeledData> shards) {
        List<RowBlock> parts = new ArrayList<>();
        shards.forEachRemaining(s -> parts.add(RowBlock.of(s)));
        return List.of(join(parts)).iterator();
    }

    /**
     * Persists the blocks and has each partition's executor summarise its block: the driver gets the rows'
     * labels, shape, class count and feature checks, never their features.
     *
     * @param numClasses the class count, or 0 for the blocks' (the largest label plus one when they know none)
     */
    static ResidentRows cache(JavaRDD<RowBlock> blocks, int numClasses, String what) {
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        List<PartitionSummary> all;
        try {
            all = blocks.mapPartitionsWithIndex((p, it) -> List.of(PartitionSummary.of(p,
                    it.hasNext() ? it.next() : RowBlock.empty())).iterator(), true).collect();
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
        try {
            return new ResidentRows(blocks, starts, null, describe(blocks, starts, all, numClasses, what));
        } catch (RuntimeException e) {
            blocks.unpersist(false);
            throw e;
        }
    }

    /** The rows the summaries tell of; they must agree in example shape and class count. */
    private static SparkHeldRows describe(JavaRDD<RowBlock> blocks, long[] starts, List<PartitionSummary> all,
                                          int numClasses, String what) {
        PartitionSummary first = all.stream().filter(s -> s.rows() > 0).findFirst().orElseThrow();
        int[] labels = new int[Math.toIntExact(starts[all.size()])];
        long nonFinite = 0;
        long firstBad = -1;
        String where = "";
        for (PartitionSummary s : all) {
            if (s.rows() == 0) {
                continue;
            }
            if (!Arrays.equals(s.exampleShape(), first.exampleShape()) || s.numClasses() != first.numClasses()) {
                throw new IllegalArgumentException("a shard holds examples of shape " + Arrays.toString(s.exampleShape())
                        + " and " + s.numClasses() + " classes but another " + Arrays.toString(first.exampleShape())
                        + " and " + first.numClasses() + "; give every shard the same class count and example shape");
            }
            System.arraycopy(s.labels(), 0, labels, (int) starts[s.partition()], s.rows());
            if (s.nonFinite() > 0 && firstBad < 0) {
                firstBad = starts[s.partition()] + s.firstNonFinite();
                where = "row " + s.firstNonFinite() + " of partition " + s.partition();
            }
            nonFinite += s.nonFinite();
        }
        int classes = numClasses > 0 ? numClasses : first.numClasses() > 0 ? first.numClasses()
                : Math.max(2, Arrays.stream(labels).max().orElse(0) + 1);
        return new SparkHeldRows(blocks, starts, first.exampleShape(), classes, labels, first.firstExample(),
                new HeldRows.FeatureCheck(nonFinite, firstBad, where), what);
    }

    /** The blocks of one partition one after the other; they must agree in example shape and class count. */
    private static RowBlock join(List<RowBlock> parts) {
        RowBlock first = parts.stream().filter(b -> b.rows() > 0).findFirst().orElse(null);
        if (first == null) {
            return RowBlock.empty();
        }
        int rows = 0;
        for (RowBlock b : parts) {
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
        return new RowBlock(rows, first.exampleShape(), x, y, first.numClasses());
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

    /** The rows as the driver holds them when it gave them ({@link #of}), else {@code null}. */
    LabeledData onDriver() {
        return onDriver;
    }

    /** The rows the executors read (from a Dataset or an RDD) as the trainer sees them, else {@code null}. */
    SparkHeldRows held() {
        return held;
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }
}
