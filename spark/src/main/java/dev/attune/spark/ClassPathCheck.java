package dev.attune.spark;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Before a run: one small job whose tasks load Attune and start ND4J's backend, so that executors
 * without them fail at once with the fix named, not at the first step with a class-loading trace.
 */
final class ClassPathCheck {
    private static final String FIX = "put attune-spark and its dependencies (attune-core, attune-adapters, ND4J with its"
            + " native backend nd4j-native and its platform jars) on the executors' class path: spark-submit --jars or"
            + " --packages, spark.jars, or spark.executor.extraClassPath on every worker";

    private ClassPathCheck() {
    }

    static void run(JavaSparkContext spark, int tasks) {
        List<String> problems;
        try {
            problems = spark.parallelize(java.util.stream.IntStream.range(0, tasks).boxed().toList(), tasks)
                    .map(i -> probe()).filter(p -> !p.isEmpty()).collect();
        } catch (Exception e) { // SparkException, thrown by Scala code unchecked
            String cause = rootMessage(e);
            // A lambda whose class the executor lacks arrives as a SerializedLambda it cannot resolve.
            if (cause.contains("ClassNotFoundException") || cause.contains("NoClassDefFoundError")
                    || cause.contains("SerializedLambda")) {
                throw new IllegalStateException("Spark's executors cannot load Attune (" + cause + "); " + FIX, e);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("the executors' class-path check failed: "
                    + cause, e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Spark's executors cannot run Attune: " + problems.get(0) + "; " + FIX);
        }
    }

    /** Empty when this JVM loads Attune and ND4J's backend; what failed otherwise. */
    static String probe() {
        try {
            Class.forName("dev.attune.FineTuner");
            Class.forName("dev.attune.adapters.lora.Lora");
            org.nd4j.linalg.factory.Nd4j.create(1).addi(1);
            return "";
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** The first line of the first message in the cause chain (Spark's holds the executor's whole trace). */
    private static String rootMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                String line = t.getMessage().lines().findFirst().orElse("");
                return line.length() > 400 ? line.substring(0, 400) + "..." : line;
            }
        }
        return e.getClass().getName();
    }
}
