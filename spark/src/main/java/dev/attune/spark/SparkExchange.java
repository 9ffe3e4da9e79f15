package dev.attune.spark;

import dev.attune.spi.GradientExchange;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainingPlan;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One run's exchange: the base model's file is broadcast once (each executor fetches it once and
 * prepares its models from it) and the trainer's model becomes a {@link DistributedModel} over the
 * training rows the executors hold ({@link ResidentRows}).
 */
final class SparkExchange implements GradientExchange, AutoCloseable {
    private final JavaSparkContext spark;
    private final ResidentRows rows;
    private final String runKey = java.util.UUID.randomUUID().toString();
    private final StepMeter meter = new StepMeter();
    private Broadcast<byte[]> base;
    private long baseBytes;
    private long trainedValues;

    SparkExchange(JavaSparkContext spark, ResidentRows rows) {
        this.spark = spark;
        this.rows = rows;
    }

    @Override
    public TrainableModel distribute(TrainableModel prepared, ModelHandle baseModel, TrainingPlan plan) {
        PlanSpec spec = PlanSpec.of(plan, baseModel);
        byte[] bytes = ModelBytes.of(baseModel::write);
        baseBytes = bytes.length;
        base = spark.broadcast(bytes);
        DistributedModel model = new DistributedModel(prepared, rows, runKey, base, spec, meter);
        trainedValues = model.gradientTensors().stream().mapToLong(t -> t.value().length()).sum();
        return model;
    }

    SparkRunStats stats() {
        return meter.stats(rows.partitions(), trainedValues, baseBytes);
    }

    @Override
    public void close() {
        if (base != null) {
            base.destroy();
        }
        ExecutorModels.release(runKey);
    }
}
