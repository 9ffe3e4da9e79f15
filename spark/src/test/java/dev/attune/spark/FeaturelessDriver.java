package dev.attune.spark;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.spi.Optimizer;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A driver program for {@link DriverHoldsNoFeaturesTest}, run in a JVM of its own with little memory: it
 * fine-tunes on a Dataset that the executors of a standalone cluster make and hold ({@link #rows}), and
 * prints the run's provenance fingerprint of the training data and its step count.
 *
 * <p>Arguments: the master's URL, the executors' class path for Attune, the row count, the width.
 */
public final class FeaturelessDriver {
    static final int PARTITIONS = 16;

    private FeaturelessDriver() {
    }

    /** {@code n} rows from {@code first} of {@code width} features, made by Spark where the partitions are. */
    static Dataset<Row> rows(SparkSession spark, long first, long n, int width, int partitions) {
        return spark.range(first, first + n, 1, partitions).selectExpr(
                "transform(sequence(0, " + (width - 1) + "), j -> cast(pmod(id * 1000003 + j * 7919, 2147483647) as double)"
                        + " / 2147483647.0) as x",
                "cast(id % 3 as int) as label");
    }

    /** Feature {@code j} of row {@code id} of {@link #rows}, as the executors compute it and hold it (a float). */
    static float value(long id, int j) {
        return (float) ((double) Math.floorMod(id * 1000003L + j * 7919L, 2147483647L) / 2147483647.0);
    }

    static MultiLayerNetwork mlp(int width) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4).list()
                .layer(new DenseLayer.Builder().name("dense0").nIn(width).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    public static void main(String[] args) {
        String master = args[0];
        long n = Long.parseLong(args[2]);
        int width = Integer.parseInt(args[3]);
        SparkSession spark = SparkSession.builder().config(new SparkConf().setMaster(master)
                .setAppName("attune-featureless-driver")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                // Spark asks a driver for 450 MiB of heap; this one has less on purpose.
                .set("spark.testing.memory", String.valueOf(512L << 20))
                .set("spark.executor.cores", "1")
                .set("spark.executor.memory", "900m")
                .set("spark.executor.extraJavaOptions", System.getProperty("spark.add.opens", ""))
                .set("spark.executor.extraClassPath", args[1])).getOrCreate();
        try {
            Dataset<Row> train = rows(spark, 0, n, width, PARTITIONS);
            FineTuner tuner = FineTuner.builder(mlp(width)).optimizer(Optimizer.adam(1e-2)).epochs(1)
                    .batchSize((int) (n / 4)).seed(3).build();
            SparkFineTuner tuned = SparkFineTuner.on(spark).build();
            FineTuneResult r = tuned.fit(tuner, train, rows(spark, n, 60, width, 1), "label", "x");
            System.out.println("trainData=" + r.provenance().trainData());
            System.out.println("steps=" + tuned.lastRunStats().steps());
            System.out.println("validationLoss=" + r.history().get(0).validationLoss());
        } finally {
            spark.stop();
        }
    }
}
