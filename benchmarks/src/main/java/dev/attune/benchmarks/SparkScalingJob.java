package dev.attune.benchmarks;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.adapters.lora.Lora;
import dev.attune.data.BundledData;
import dev.attune.data.Split;
import dev.attune.data.Splits;
import dev.attune.evaluation.Metrics;
import dev.attune.spark.LocalSgdResult;
import dev.attune.spark.SparkFineTuner;
import dev.attune.spark.SparkRunStats;
import dev.attune.spi.Optimizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The quickstart's LoRA (r = 16 on dense0) and full fine-tuning on Spark ({@code local[2]}): on one
 * machine with {@code FineTuner.fit}, then with each step's gradients computed by 1 and by 2 tasks, and
 * LoRA with local SGD (averaging every 4 steps). For each: test accuracy, examples per second, the bytes
 * exchanged per step and the time Spark adds to a step. Writes {@code target/attune/spark-scaling/results.json}.
 */
public final class SparkScalingJob {
    static final int K = 200;
    static final long SEED = 1;
    static final int EPOCHS = 5;
    static final int BATCH = 32;
    static final int LOCAL_SGD_EVERY = 4;

    private SparkScalingJob() {
    }

    /** One run's figures. */
    record Run(String mode, String where, int tasks, double accuracy, double examplesPerSecond, double seconds,
               long trainedValues, double exchangedBytesPerStep, double batchBytesPerStep, double stepMillis,
               double computeMillis, double overheadMillis, double weightDifference) {
    }

    /** The weights of the last one-machine run of each mode, to compare the Spark runs with. */
    private static final Map<String, org.nd4j.linalg.api.ndarray.INDArray> ONE_MACHINE = new LinkedHashMap<>();

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "target/attune/spark-scaling");
        PrintStream console = System.out;
        Map<String, Object> loadBefore = RunEnvironment.loadAverage();
        console.println("Attune on Spark: the quickstart's LoRA and full fine-tuning, " + BaseModels.threadSettings());
        Network base = Quickstart.pretrainedBase(Path.of("target/attune/quickstart/base-fashion-cnn.zip"), console);
        LabeledData pool = BundledData.MNIST.train();
        LabeledData test = BundledData.MNIST.test();
        Split labelled = Splits.kPerClass(pool, K, SEED);
        LabeledData train = labelled.train();
        LabeledData validation = Splits.kPerClass(labelled.validation(), Quickstart.VALIDATION_PER_CLASS, SEED).train();

        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("attune-spark-scaling")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        List<Run> runs = new ArrayList<>();
        double syncLora = Double.NaN;
        LocalSgdResult localSgd;
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            for (String mode : List.of("lora-r16", "full")) {
                runs.add(local(mode, base, train, validation, test, console));
                for (int tasks : new int[] {1, 2}) {
                    Run r = onSpark(mode, tasks, spark, base, train, validation, test, console);
                    runs.add(r);
                    if (mode.equals("lora-r16") && tasks == 2) {
                        syncLora = r.accuracy();
                    }
                }
            }
            long t0 = System.nanoTime();
            localSgd = SparkFineTuner.on(spark).tasks(2).build().fitLocalSgd(tuner("lora-r16", base), train, validation,
                    LOCAL_SGD_EVERY);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double acc = localSgd.model().predict(test).score(Metrics.accuracy());
            console.printf(Locale.ROOT, "  %-9s local SGD every %d steps, 2 tasks: test accuracy %.4f (synchronous: %.4f), %.1f s,"
                    + " %.0f bytes exchanged per round%n", "lora-r16", LOCAL_SGD_EVERY, acc, syncLora, seconds,
                    localSgd.exchangedBytesPerRound());
            runs.add(new Run("lora-r16", "spark local SGD every " + LOCAL_SGD_EVERY, 2, acc,
                    EPOCHS * (double) train.size() / seconds, seconds, -1,
                    localSgd.exchangedBytesPerRound() / LOCAL_SGD_EVERY, Double.NaN, localSgd.stepMillis(), Double.NaN,
                    Double.NaN, Double.NaN));
        }
        console.println();
        console.println(table(runs));

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("job", "spark-scaling");
        json.put("data", "MNIST digits, k = " + K + " per class (" + train.size() + " training, " + validation.size()
                + " validation), " + test.size() + " test; the quickstart's Fashion-MNIST CNN as base");
        json.put("protocol", Map.of("epochs", EPOCHS, "batchSize", BATCH, "seed", SEED, "spark", "local[2], Spark "
                + org.apache.spark.package$.MODULE$.SPARK_VERSION(), "localSgdEvery", LOCAL_SGD_EVERY,
                "modes", "lora-r16: LoRA r=16 alpha 32 on dense0 + new head, adam 5e-3; full: every layer + new head, adam 1e-3"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", r.mode());
            m.put("where", r.where());
            m.put("tasks", r.tasks());
            m.put("testAccuracy", r.accuracy());
            m.put("examplesPerSecond", r.examplesPerSecond());
            m.put("seconds", r.seconds());
            m.put("trainedValues", r.trainedValues());
            m.put("exchangedBytesPerStep", r.exchangedBytesPerStep());
            m.put("batchBytesPerStep", r.batchBytesPerStep());
            m.put("stepMillis", r.stepMillis());
            m.put("computeMillis", r.computeMillis());
            m.put("sparkOverheadMillisPerStep", r.overheadMillis());
            m.put("largestWeightDifferenceToOneMachine", r.weightDifference());
            rows.add(m);
        }
        json.put("runs", rows);
        json.put("environment", RunEnvironment.environment(loadBefore, RunEnvironment.loadAverage()));
        Path file = out.resolve("results.json");
        RunEnvironment.write(file, json);
        console.println("results: " + file);
    }

    static FineTuner tuner(String mode, Network base) {
        FineTuner.Builder b = mode.equals("full")
                ? FineTuner.builder(base).replaceHead(10).optimizer(Optimizer.adam(1e-3))
                : FineTuner.builder(base).replaceHead(10).adapter(Lora.rank(16).alpha(32).targets("dense0"))
                        .optimizer(Optimizer.adam(5e-3));
        return b.epochs(EPOCHS).batchSize(BATCH).seed(SEED).metrics(Metrics.accuracy()).build();
    }

    private static Run local(String mode, Network base, LabeledData train, LabeledData validation, LabeledData test,
                             PrintStream console) {
        FineTuneResult r = tuner(mode, base).fit(train, validation);
        double seconds = r.wallTime().toNanos() / 1e9;
        double acc = r.predict(test).score(Metrics.accuracy());
        int steps = EPOCHS * ((train.size() + BATCH - 1) / BATCH);
        console.printf(Locale.ROOT, "  %-9s one machine:  test accuracy %.4f, %.0f examples/s, %.1f ms/step%n", mode, acc,
                EPOCHS * train.size() / seconds, seconds * 1000 / steps);
        ONE_MACHINE.put(mode, r.model().handle().params().dup());
        return new Run(mode, "FineTuner.fit", 0, acc, EPOCHS * train.size() / seconds, seconds, r.trainableParams(), 0, 0,
                seconds * 1000 / steps, Double.NaN, Double.NaN, 0);
    }

    private static Run onSpark(String mode, int tasks, JavaSparkContext spark, Network base, LabeledData train,
                               LabeledData validation, LabeledData test, PrintStream console) {
        SparkFineTuner sft = SparkFineTuner.on(spark).tasks(tasks).build();
        FineTuneResult r = sft.fit(tuner(mode, base), train, validation);
        SparkRunStats s = sft.lastRunStats();
        double seconds = r.wallTime().toNanos() / 1e9;
        double acc = r.predict(test).score(Metrics.accuracy());
        double diff = r.model().handle().params().sub(ONE_MACHINE.get(mode)).amaxNumber().doubleValue();
        console.printf(Locale.ROOT, "  %-9s Spark, %d task%s: test accuracy %.4f, %.0f examples/s, %.1f ms/step (compute %.1f,"
                        + " Spark %.1f), %.0f bytes exchanged per step, largest weight difference to one machine %.2e%n",
                mode, tasks, tasks == 1 ? " " : "s", acc, EPOCHS * train.size() / seconds, s.stepMillis(), s.computeMillis(),
                s.overheadMillis(), s.exchangedBytesPerStep(), diff);
        return new Run(mode, "spark", tasks, acc, EPOCHS * train.size() / seconds, seconds, s.trainedValues(),
                s.exchangedBytesPerStep(), s.batchBytesPerStep(), s.stepMillis(), s.computeMillis(), s.overheadMillis(), diff);
    }

    static String table(List<Run> runs) {
        StringBuilder b = new StringBuilder(
                "| mode | where | test accuracy | examples/s | trained values | bytes exchanged per step | ms per step | of which Spark | largest weight difference to one machine |\n"
                        + "|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %.0f | %s | %s | %.1f | %s | %s |%n", r.mode(),
                    r.where().equals("spark") ? "Spark, " + r.tasks() + " task" + (r.tasks() == 1 ? "" : "s") : r.where(),
                    r.accuracy(), r.examplesPerSecond(), r.trainedValues() < 0 ? "" : String.valueOf(r.trainedValues()),
                    r.where().equals("FineTuner.fit") ? "-" : String.format(Locale.ROOT, "%.0f", r.exchangedBytesPerStep()),
                    r.stepMillis(), Double.isNaN(r.overheadMillis()) ? "-" : String.format(Locale.ROOT, "%.1f",
                            r.overheadMillis()), r.where().equals("spark") ? String.format(Locale.ROOT, "%.1e",
                            r.weightDifference()) : "-"));
        }
        return b.toString();
    }
}
