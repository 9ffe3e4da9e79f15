package dev.attune.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** One {@code local[2]} Spark session for the tests of this module's JVM (Spark allows one context per JVM). */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().config(new SparkConf()
                            .setMaster("local[2]")
                            .setAppName("attune-spark-tests")
                            .set("spark.ui.enabled", "false")
                            .set("spark.driver.host", "127.0.0.1")
                            .set("spark.driver.bindAddress", "127.0.0.1")
                            .set("spark.sql.shuffle.partitions", "2"))
                    .getOrCreate();
        }
        return session;
    }

    /** Stops the session (a test that needs a context of its own in this JVM stops it first). */
    static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }
}
