package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.FineTuneResult;
import dev.attune.FineTuner;
import dev.attune.Fixtures;
import dev.attune.LabeledData;
import dev.attune.Network;
import dev.attune.TrainingListener;
import dev.attune.adapters.lora.Lora;
import dev.attune.search.Param;
import dev.attune.search.SearchSpace;
import dev.attune.search.Strategy;
import dev.attune.spi.Optimizer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real standalone cluster (a master and two workers in child JVMs): an executor killed mid-run
 * loses no run and changes no weight (its tasks run again elsewhere and give the same gradient sums),
 * a search's trials run one per task on the executors and give the weights each gives alone, and
 * executors without Attune on their class path fail the run at once with the fix named.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StandaloneClusterTest {
    @TempDir
    static Path dir;
    private static StandaloneCluster cluster;

    private final LabeledData train = Fixtures.blobs(192, 8, 3, 1);
    private final LabeledData validation = Fixtures.blobs(45, 8, 3, 2);

    @BeforeAll
    static void startCluster() {
        LocalSpark.stop();
        cluster = new StandaloneCluster(dir, 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static JavaSparkContext context(String name, boolean attuneOnExecutors) {
        SparkConf conf = new SparkConf().setMaster(cluster.url()).setAppName(name)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executor.cores", "1")
                .set("spark.executor.memory", "768m")
                .set("spark.executor.extraJavaOptions", System.getProperty("spark.add.opens", ""))
                .set("spark.task.maxFailures", "4");
        if (attuneOnExecutors) {
            conf.set("spark.executor.extraClassPath", cluster.attuneClassPath());
        }
        return new JavaSparkContext(conf);
    }

    private static void awaitExecutors(JavaSparkContext jsc, int count) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        // The driver counts among the executor infos.
        while (jsc.sc().statusTracker().getExecutorInfos().length < count + 1) {
            assertThat(System.nanoTime()).as("%d executors registered within 90 s", count).isLessThan(end);
            Thread.sleep(200);
        }
    }

    private FineTuner tuner(TrainingListener listener) {
        FineTuner.Builder b = FineTuner.builder(Fixtures.mlp(4, 5)).adapter(Lora.rank(4).alpha(8).targets("dense*"))
                .replaceHead(3).optimizer(Optimizer.adam(1e-2)).epochs(2).batchSize(32).seed(9)
                .metrics(Fixtures.ACCURACY);
        return (listener == null ? b : b.listener(listener)).build();
    }

    @Test
    void aKilledExecutorLosesNoRunAndChangesNoWeight() throws InterruptedException {
        JavaSparkContext jsc = context("attune-executor-loss", true);
        try {
            awaitExecutors(jsc, 2);
            SparkFineTuner spark = SparkFineTuner.on(jsc).tasks(2).build();
            FineTuneResult undisturbed = spark.fit(tuner(null), train, validation);

            AtomicLong killed = new AtomicLong(-1);
            TrainingListener killer = new TrainingListener() {
                @Override
                public void onBatchEnd(BatchEnd event) {
                    if (event.epoch() == 1 && event.batch() == 3) {
                        ProcessHandle executor = cluster.executorOf(0).orElseThrow();
                        executor.destroyForcibly();
                        killed.set(executor.pid());
                    }
                }
            };
            FineTuneResult disturbed = spark.fit(tuner(killer), train, validation);

            assertThat(killed.get()).as("an executor was killed mid-run").isPositive();
            assertThat(ProcessHandle.of(killed.get()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(disturbed.model().fingerprint()).as("the same weights bit for bit")
                    .isEqualTo(undisturbed.model().fingerprint());
            assertThat(disturbed.adapters().orElseThrow().fingerprint())
                    .isEqualTo(undisturbed.adapters().orElseThrow().fingerprint());
            assertThat(disturbed.history()).hasSize(2);
        } finally {
            jsc.stop();
        }
    }

    @Test
    void aSearchRunsItsTrialsOnTheExecutorsWithTheWeightsEachGivesAlone() throws InterruptedException {
        JavaSparkContext jsc = context("attune-search", true);
        try {
            awaitExecutors(jsc, 2);
            Network base = Network.of(Fixtures.mlp(3, 5));
            SearchSpace space = SearchSpace.of(Param.choice("lr", 1e-3, 1e-2), Param.choice("batch", 16, 32));
            SparkSearch.Trial trial = (b, point) -> FineTuner.builder(b).optimizer(Optimizer.adam(point.getDouble("lr")))
                    .batchSize(point.getInt("batch")).epochs(2).seed(point.seed()).metrics(Fixtures.ACCURACY);
            List<SparkSearch.Outcome> outcomes = SparkSearch.run(jsc, base, space, Strategy.grid(), 7, trial,
                    "accuracy", train, validation);

            assertThat(outcomes).extracting(SparkSearch.Outcome::index).containsExactly(0, 1, 2, 3);
            for (SparkSearch.Outcome o : outcomes) {
                FineTuneResult alone = trial.build(base, o.point()).build().fit(train, validation);
                assertThat(o.modelFingerprint()).as("trial %d on the cluster and alone", o.index())
                        .isEqualTo(alone.model().fingerprint());
            }
        } finally {
            jsc.stop();
        }
    }

    @Test
    void executorsWithoutAttuneFailAtOnceNamingTheFix() throws InterruptedException {
        JavaSparkContext jsc = context("attune-missing-on-executors", false);
        try {
            awaitExecutors(jsc, 1);
            SparkFineTuner spark = SparkFineTuner.on(jsc).tasks(2).build();
            assertThatThrownBy(() -> spark.fit(tuner(null), train, validation))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Spark's executors cannot load Attune (")
                    .hasMessageContaining("failed 4 times")
                    .hasMessageContaining("put attune-spark and its dependencies")
                    .hasMessageContaining("spark.executor.extraClassPath");
        } finally {
            jsc.stop();
        }
    }
}
