package dev.attune.spark;

import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.Predictions;
import dev.attune.spi.GradientExchange;
import dev.attune.spi.ModelHandle;
import dev.attune.spi.TrainableModel;
import dev.attune.spi.TrainedTensor;
import dev.attune.spi.TrainingPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Local SGD (model averaging): each task takes {@code every} optimizer steps of its own on its shard of
 * the data (mini-batches of {@code batchSize / tasks} rows, a fresh optimizer state each round), then the
 * driver averages the trained tensors. It exchanges trained values once per {@code every} steps instead
 * of gradients at every step, at the price of a result that is not the single-machine run's: compare its
 * validation figures with the synchronous run's ({@link SparkFineTuner#fit}).
 *
 * <p>The fine-tuner prepares the model (its seed, new head, freezing and adapter) as for a run and hands
 * it over; the run's loop is this class's own: no early stopping, checkpoints or training controls.
 */
final class LocalSgd {
    private final JavaSparkContext spark;
    private final int tasks;
    private final int every;

    /** What a local-SGD run gives: the model after each epoch's validation figures, and what it moved. */
    record Result(Network model, List<Double> validationLoss, List<Double> validationAccuracy, long rounds,
                  double valueBytesPerRound, double stepMillis) {
    }

    /** The prepared model and plan, handed over by the fine-tuner. */
    private static final class Captured extends RuntimeException {
        private final transient TrainableModel model;
        private final transient ModelHandle base;
        private final transient TrainingPlan plan;

        Captured(TrainableModel model, ModelHandle base, TrainingPlan plan) {
            super(null, null, false, false);
            this.model = model;
            this.base = base;
            this.plan = plan;
        }
    }

    LocalSgd(JavaSparkContext spark, int tasks, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("local SGD averages every " + every + " steps; give at least 1 (1 averages"
                    + " after every step)");
        }
        this.spark = spark;
        this.tasks = tasks;
        this.every = every;
    }

    Result fit(FineTuner tuner, LabeledData train, LabeledData validation) {
        Captured c;
        try {
            tuner.fit(train, validation, (GradientExchange) (model, base, plan) -> {
                throw new Captured(model, base, plan);
            });
            throw new IllegalStateException("the fine-tuner did not hand over its model");
        } catch (Captured captured) {
            c = captured;
        }
        int epochs = Integer.parseInt(tuner.config().get("epochs"));
        int batch = Math.min(Integer.parseInt(tuner.config().get("batchSize")), train.size());
        long seed = Long.parseLong(tuner.config().get("seed"));
        PlanSpec spec = PlanSpec.of(c.plan, c.base);
        List<TrainedTensor> tensors = c.model.gradientTensors();
        String runKey = java.util.UUID.randomUUID().toString();
        Broadcast<byte[]> base = spark.broadcast(ModelBytes.of(c.base::write));
        int local = Math.max(1, batch / tasks);
        int[] order = java.util.stream.IntStream.range(0, train.size()).toArray();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Double> losses = new ArrayList<>();
        List<Double> accuracies = new ArrayList<>();
        long rounds = 0;
        double valueBytes = 0;
        long nanos = 0;
        try {
            for (int e = 1; e <= epochs; e++) {
                shuffle(order, rng);
                // Task t's shard is every tasks-th row of the shuffled order; a round takes `every` local batches.
                int perTask = train.size() / tasks;
                int stepsPerEpoch = Math.max(1, perTask / local);
                for (int s0 = 0; s0 < stepsPerEpoch; s0 += every) {
                    long t0 = System.nanoTime();
                    int k = Math.min(every, stepsPerEpoch - s0);
                    List<Round> work = new ArrayList<>();
                    for (int t = 0; t < tasks; t++) {
                        int[] rows = new int[k * local];
                        for (int i = 0; i < rows.length; i++) {
                            rows[i] = order[((s0 * local + i) * tasks + t) % order.length];
                        }
                        LabeledData part = train.select(rows);
                        work.add(new Round(part.features(), oneHot(part.labels(), train.numClasses()), k, local));
                    }
                    INDArray[] values = values(tensors);
                    List<INDArray[]> after = spark.parallelize(work, tasks).map(task(runKey, base, spec, values)).collect();
                    for (int i = 0; i < tensors.size(); i++) {
                        INDArray sum = after.get(0)[i].dup();
                        for (int t = 1; t < after.size(); t++) {
                            sum.addi(after.get(t)[i]);
                        }
                        tensors.get(i).value().assign(sum.divi(after.size()).reshape(tensors.get(i).value().shape()));
                        valueBytes += 2.0 * tasks * values[i].length() * values[i].dataType().width();
                    }
                    rounds++;
                    nanos += System.nanoTime() - t0;
                }
                if (validation != null) {
                    INDArray vx = validation.features();
                    INDArray probs = c.model.predictEncoded(c.model.hasFrozenBottom() ? c.model.encode(vx) : vx);
                    Predictions p = Predictions.of(validation.labels(), probs);
                    losses.add(p.logLoss());
                    int hits = 0;
                    for (int i = 0; i < p.size(); i++) {
                        hits += p.actual(i) == p.predicted(i) ? 1 : 0;
                    }
                    accuracies.add(hits / (double) p.size());
                }
            }
        } finally {
            base.destroy();
            ExecutorModels.release(runKey);
        }
        return new Result(Network.of(c.model.snapshot()), losses, accuracies, rounds,
                rounds == 0 ? 0 : valueBytes / rounds, rounds == 0 ? 0 : nanos / 1e6 / rounds / every);
    }

    /** A task's rows for one round: {@code steps} local mini-batches of {@code batch} rows, in order. */
    record Round(INDArray features, INDArray labels, int steps, int batch) implements java.io.Serializable {
    }

    private static Function<Round, INDArray[]> task(String runKey, Broadcast<byte[]> base, PlanSpec spec,
                                                    INDArray[] values) {
        return round -> ExecutorModels.localSteps(runKey, base, spec, values, round);
    }

    private static INDArray[] values(List<TrainedTensor> tensors) {
        INDArray[] v = new INDArray[tensors.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = tensors.get(i).value().dup();
        }
        return v;
    }

    private static INDArray oneHot(int[] labels, int classes) {
        INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            y.putScalar(i, labels[i], 1);
        }
        return y;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
