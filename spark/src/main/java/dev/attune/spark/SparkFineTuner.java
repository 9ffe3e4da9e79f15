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
 * <p>Each step the driver splits the global mini-batch into {@code tasks} contiguous shares and runs one
 * Spark job: each task gets the current values of the <em>trained</em> tensors (for LoRA, kilobytes) and
 * its share of the rows, computes the gradient sums of its rows with Attune's own training step on a model
 * prepared once per executor from the base model's file (broadcast once), and sends the gradient sums
 * back; the driver adds them in task order and takes one optimizer step (the controlled update). The
 * result equals the single-machine run's at the same global batch up to float summation order.
 *
 * <p>The driver holds the training data (as {@link FineTuner#fit} does: balancing, the leakage check,
 * provenance's fingerprints and validation need it) and ships each task its rows per step. A lost
 * executor loses no run: a task is a pure function of what it is sent, so Spark runs it again elsewhere
 * and the step's sum is the same. Spark on Java 17 needs its {@code --add-opens} flags on the driver and
 * executors (see the module's README section).
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

    /** The tasks each step is split into. */
    public int tasks() {
        return tasks;
    }

    /**
     * Fine-tunes on a Dataset's rows.
     *
     * @param validation the validation rows (same columns), or {@code null}
     * @param labelColumn the column of class indices
     * @param featureColumns numeric feature columns, or one column of numeric arrays or ML vectors
     * @throws IllegalArgumentException when a column is missing or of the wrong type (see {@link SparkData})
     *     or the data does not fit the fine-tuner
     */
    public FineTuneResult fit(FineTuner tuner, Dataset<Row> train, Dataset<Row> validation, String labelColumn,
                              String... featureColumns) {
        LabeledData t = SparkData.fromDataset(requireNonNull(train, "train"), labelColumn, featureColumns);
        LabeledData v = validation == null ? null
                : SparkData.fromDataset(validation, labelColumn, Arrays.asList(featureColumns), t.numClasses());
        return fit(tuner, t, v);
    }

    /** Fine-tunes on an RDD of {@link LabeledData} shards (see {@link SparkData#fromShards}). */
    public FineTuneResult fit(FineTuner tuner, JavaRDD<LabeledData> train, LabeledData validation) {
        return fit(tuner, SparkData.fromShards(requireNonNull(train, "train")), validation);
    }

    /**
     * Fine-tunes on data the driver holds, each step's gradients computed by the executors.
     *
     * @throws IllegalStateException when the executors cannot load Attune or ND4J's backend, naming the fix
     * @throws IllegalArgumentException as {@link FineTuner#fit(LabeledData, LabeledData)}, or when a trained
     *     layer keeps running statistics (batch normalisation), which data-parallel steps cannot sum
     */
    public FineTuneResult fit(FineTuner tuner, LabeledData train, LabeledData validation) {
        requireNonNull(tuner, "tuner");
        ClassPathCheck.run(spark, tasks);
        try (SparkExchange exchange = new SparkExchange(spark, tasks)) {
            FineTuneResult result = tuner.fit(train, validation, exchange);
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
         * The tasks each step's global mini-batch is split into (default: Spark's default parallelism);
         * a task whose share is empty contributes zero examples.
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
