package dev.attune.spark;

import static java.util.Objects.requireNonNull;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Synchronous data-parallel fine-tuning on Apache Spark: a {@link FineTuner}'s run (freezing, adapters,
 * balancing, early stopping, metrics, checkpoints, provenance: the same configuration, the same
 * {@link FineTuneResult}) whose every optimizer step is computed by Spark's executors.
 *
 * <pre>{@code
 * FineTuneResult result = SparkFineTuner.on(spark).tasks(8).build()
 *         .fit(tuner, trainDf, validationDf, "label", "f0", "f1", "f2");
 * }</pre>
 *
 * <p>The training rows stay on the executors: they are cached there once per run (one block per
 * partition, {@code MEMORY_AND_DISK}) with global row numbers in partition order. Each step runs one Spark
 * job: every partition gets the current values of the <em>trained</em> tensors (for LoRA, kilobytes) and
 * the step's row numbers and labels, computes the gradient sums of the rows of the mini-batch it holds
 * with Attune's own training step on a model prepared once per executor from the base model's file
 * (broadcast once), and sends them back; the driver adds them in partition order and takes one optimizer
 * step (the controlled update). The result equals the single-machine run's at the same global batch up
 * to float summation order.
 *
 * <p>The driver never holds the features of a Dataset's or an RDD's rows: each partition's executor sends
 * a summary (labels, shape, the first row, NaN counts) and the run is {@link FineTuner#fit(dev.attune.spi.HeldRows,
 * LabeledData, dev.attune.spi.GradientExchange)} on that description; the provenance's fingerprint streams
 * the cached blocks through the driver one partition at a time, and exact copies of validation rows are
 * looked for on the executors. Validation runs on the driver. A lost executor
 * loses no run: its cached blocks are computed again from their lineage and a task is a pure function
 * of its block and what it is sent, so Spark runs it again elsewhere and the step's sum is the same.
 * Spark on Java 17 needs its {@code --add-opens} flags on the driver and executors (see the module's
 * README section).
 */
public final class SparkFineTuner {
    private final JavaSparkContext spark;
    private final int tasks;
    private volatile SparkRunStats lastRun;

    private SparkFineTuner(Builder b) {
        this.spark = b.spark;
        this.tasks = b.tasks > 0 ? b.tasks : Math.max(1, spark.defaultParallelism());
    }

    /** Starts a set-up on a Spark context. */
    public static Builder on(JavaSparkContext spark) {
        return new Builder(requireNonNull(spark, "spark"));
    }

    /** Starts a set-up on a Spark session. */
    public static Builder on(SparkSession spark) {
        return on(JavaSparkContext.fromSparkContext(requireNonNull(spark, "spark").sparkContext()));
    }

    /** The partitions data the driver holds is split into, and so the tasks of each of its steps. */
    public int tasks() {
        return tasks;
    }

    /**
     * Fine-tunes on a Dataset's rows, which stay where Spark has them: each partition's rows are read
     * once, cached on its executor ({@code MEMORY_AND_DISK}) and numbered in partition order; each step
     * sends the partitions the mini-batch's row numbers, and each partition computes the gradients of the
     * rows it holds. One task per partition (the {@link Builder#tasks} setting does not repartition). The
     * driver holds the rows' labels, never their features; a balancer may weigh the rows, not resample them.
     *
     * @param validation the validation rows (same columns), or {@code null}; collected to the driver
     * @param labelColumn the column of class indices
     * @param featureColumns numeric feature columns, or one column of numeric arrays or ML vectors
     * @throws IllegalArgumentException when a column is missing or of the wrong type (see {@link SparkData}),
     *     a feature is NaN or infinite (naming its partition and row), or the data does not fit the fine-tuner
     * @throws IllegalStateException when the fine-tuner's balancer or audit reads the training features
     */
    public FineTuneResult fit(FineTuner tuner, Dataset<Row> train, Dataset<Row> validation, String labelColumn,
                              String... featureColumns) {
        requireNonNull(tuner, "tuner");
        requireNonNull(train, "train");
        JavaRDD<RowBlock> blocks = SparkData.blocks(train, labelColumn, Arrays.asList(featureColumns));
        ClassPathCheck.run(spark, tasks);
        try (ResidentRows rows = ResidentRows.cache(blocks, 0, "the Dataset")) {
            LabeledData v = validation == null ? null : SparkData.fromDataset(validation, labelColumn,
                    Arrays.asList(featureColumns), rows.held().numClasses());
            return fit(tuner, rows, v);
        }
    }

    /**
     * Fine-tunes on an RDD of {@link LabeledData} shards, which stay where Spark has them, one task per
     * partition, as {@link #fit(FineTuner, Dataset, Dataset, String, String...)}.
     *
     * @throws IllegalArgumentException when every partition is empty, or shards differ in class count or
     *     example shape
     */
    public FineTuneResult fit(FineTuner tuner, JavaRDD<LabeledData> train, LabeledData validation) {
        requireNonNull(tuner, "tuner");
        requireNonNull(train, "train");
        ClassPathCheck.run(spark, tasks);
        try (ResidentRows rows = ResidentRows.ofShards(train)) {
            return fit(tuner, rows, validation);
        }
    }

    /**
     * Fine-tunes on data the driver holds: it is split into {@code tasks} contiguous partitions, cached on
     * the executors once, and each step sends the row numbers of the mini-batch.
     *
     * @throws IllegalStateException when the executors cannot load Attune or ND4J's backend, naming the fix
     * @throws IllegalArgumentException as {@link FineTuner#fit(LabeledData, LabeledData)}, or when a trained
     *     layer keeps running statistics (batch normalisation), which data-parallel steps cannot sum, or when
     *     the fine-tuner's balancer resamples rows (balance with weights instead)
     */
    public FineTuneResult fit(FineTuner tuner, LabeledData train, LabeledData validation) {
        requireNonNull(tuner, "tuner");
        requireNonNull(train, "train");
        ClassPathCheck.run(spark, tasks);
        try (ResidentRows rows = ResidentRows.of(spark, train, tasks)) {
            return fit(tuner, rows, validation);
        }
    }

    private FineTuneResult fit(FineTuner tuner, ResidentRows rows, LabeledData validation) {
        try (SparkExchange exchange = new SparkExchange(spark, rows)) {
            FineTuneResult result = rows.onDriver() != null ? tuner.fit(rows.onDriver(), validation, exchange)
                    : tuner.fit(rows.held(), validation, exchange);
            lastRun = exchange.stats();
            return result;
        }
    }

    /**
     * Trains with local SGD (model averaging) instead of synchronous steps: each task takes
     * {@code everySteps} optimizer steps of its own on its shard, then the driver averages the trained
     * tensors. Fewer exchanges, another result: see {@link LocalSgdResult}.
     *
     * @param everySteps the local steps between two averages, at least 1
     * @throws IllegalArgumentException when {@code everySteps} is below 1
     */
    public LocalSgdResult fitLocalSgd(FineTuner tuner, LabeledData train, LabeledData validation, int everySteps) {
        requireNonNull(tuner, "tuner");
        LocalSgd sgd = new LocalSgd(spark, tasks, everySteps);
        ClassPathCheck.run(spark, tasks);
        LocalSgd.Result r = sgd.fit(tuner, train, validation);
        return new LocalSgdResult(r.model(), r.validationLoss(), r.validationAccuracy(), r.rounds(),
                r.valueBytesPerRound(), r.stepMillis());
    }

    /** What the last {@code fit} on this fine-tuner moved and took per step; {@code null} before any. */
    public SparkRunStats lastRunStats() {
        return lastRun;
    }

    /** Builds a {@link SparkFineTuner}. */
    public static final class Builder {
        private final JavaSparkContext spark;
        private int tasks;

        private Builder(JavaSparkContext spark) {
            this.spark = spark;
        }

        /**
         * The partitions (and so the tasks of each step) that data the driver holds is split into (default:
         * Spark's default parallelism); a partition that holds none of a mini-batch's rows contributes zero
         * examples. A Dataset or an RDD keeps its own partitions.
         */
        public Builder tasks(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("tasks must be at least 1, got " + value
                        + "; give the number of executor cores to use, e.g. tasks(spark.defaultParallelism())");
            }
            this.tasks = value;
            return this;
        }

        /** The immutable set-up. */
        public SparkFineTuner build() {
            return new SparkFineTuner(this);
        }
    }
}
