package dev.attune.spark;

import static java.util.Objects.requireNonNull;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.search.Point;
import dev.attune.search.SearchSpace;
import dev.attune.search.Strategy;
import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A hyperparameter search's trials spread over Spark's executors, one trial per task, sharing nothing:
 * the points are {@link Strategy#points}'s (grid or random, as {@code Search} draws them from the same
 * seed), the base model and the data are broadcast once, and each task builds its trial's fine-tuner
 * with the caller's {@link Trial} (which travels to the executors, so it must capture only serializable
 * values) and fits it alone. A trial gives the weights it gives on one machine.
 *
 * <pre>{@code
 * List<SparkSearch.Outcome> trials = SparkSearch.run(spark, base, space, Strategy.grid(), 42,
 *         (b, point) -> FineTuner.builder(b).optimizer(Optimizer.adam(point.getDouble("lr")))
 *                 .metrics(Metrics.accuracy()).epochs(5).seed(point.seed()),
 *         "accuracy", train, validation);
 * }</pre>
 */
public final class SparkSearch {
    private SparkSearch() {
    }

    /** A trial's fine-tuner from the base model and its point; runs on an executor. */
    @FunctionalInterface
    public interface Trial extends Serializable {
        /** The trial's set-up (a new builder each call). */
        FineTuner.Builder build(Network base, Point point);
    }

    /**
     * One trial's outcome.
     *
     * @param index the trial's number, from 0
     * @param point its point
     * @param score the objective metric at its best epoch (NaN for a failed trial)
     * @param bestEpoch its best epoch (0 for a failed trial)
     * @param modelFingerprint its model's fingerprint (empty for a failed trial)
     * @param seconds its training time on the executor
     * @param failure why it failed (a diverging loss), or empty
     */
    public record Outcome(int index, Point point, double score, int bestEpoch, String modelFingerprint, double seconds,
                          String failure) implements Serializable {
    }

    /**
     * Runs every trial of {@code strategy} over {@code space}, one per Spark task.
     *
     * @param metric the objective: the name of a metric the trials compute on the validation set
     * @return the outcomes in trial order
     * @throws IllegalArgumentException for a strategy whose trials wait for one another (successive halving,
     *     Hyperband)
     */
    public static List<Outcome> run(JavaSparkContext spark, Network base, SearchSpace space, Strategy strategy,
                                    long seed, Trial trial, String metric, LabeledData train, LabeledData validation) {
        requireNonNull(trial, "trial");
        requireNonNull(metric, "metric");
        requireNonNull(validation, "validation");
        List<Point> points = strategy.points(space, seed);
        ClassPathCheck.run(spark, Math.min(points.size(), Math.max(1, spark.defaultParallelism())));
        Broadcast<byte[]> model = spark.broadcast(ModelBytes.of(base::save));
        Broadcast<LabeledData[]> data = spark.broadcast(new LabeledData[] {train, validation});
        try {
            return spark.parallelize(IntStream.range(0, points.size()).boxed().toList(), points.size())
                    .map(i -> runTrial(i, points.get(i), model, data, trial, metric)).collect().stream()
                    .sorted(Comparator.comparingInt(Outcome::index)).toList();
        } finally {
            model.destroy();
            data.destroy();
        }
    }

    /** The best outcome: the highest score ({@code maximize}) or the lowest; failed trials last. */
    public static Outcome best(List<Outcome> outcomes, boolean maximize) {
        Comparator<Outcome> byScore = Comparator.comparingDouble(Outcome::score);
        return outcomes.stream().filter(o -> !Double.isNaN(o.score()))
                .max(maximize ? byScore : byScore.reversed())
                .orElseThrow(() -> new IllegalStateException("every trial failed: " + outcomes));
    }

    private static Outcome runTrial(int index, Point point, Broadcast<byte[]> model, Broadcast<LabeledData[]> data,
                                    Trial trial, String metric) {
        long t0 = System.nanoTime();
        Network base = ModelBytes.load(model.value());
        LabeledData[] d = data.value();
        try {
            FineTuneResult r = trial.build(base, point).build().fit(d[0], d[1]);
            return new Outcome(index, point, r.best().metric(metric), r.bestEpoch(), r.model().fingerprint(),
                    (System.nanoTime() - t0) / 1e9, "");
        } catch (IllegalStateException diverged) {
            return new Outcome(index, point, Double.NaN, 0, "", (System.nanoTime() - t0) / 1e9, diverged.getMessage());
        }
    }
}
