package dev.attune.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.LabeledData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The driver never holds the training features of a Dataset: a driver JVM whose heap is below the
 * features' size trains on a Dataset that the executors of a standalone cluster make and hold
 * ({@link FeaturelessDriver}), and its provenance names the same data as a {@code LabeledData} of the same
 * rows. Rows Spark collects land on the driver's heap, so a driver that collected them would fail here.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DriverHoldsNoFeaturesTest {
    /** 200,000 rows of 256 floats: 195 MiB of features. */
    private static final long ROWS = 200_000;
    private static final int WIDTH = 256;
    private static final long FEATURE_BYTES = ROWS * WIDTH * 4;
    /** The driver's heap: less than the features and Spark's own needs together. */
    private static final long HEAP = 256L << 20;

    @TempDir
    static Path dir;
    private static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new StandaloneCluster(dir, 2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aDriverWithLessMemoryThanTheFeaturesTrainsOnThem() throws IOException, InterruptedException {
        // One copy of the features and Spark's own few tens of MiB would not fit.
        assertThat(HEAP).isLessThan(FEATURE_BYTES + (64L << 20));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + HEAP);
        cmd.add("-Dspark.add.opens=" + System.getProperty("spark.add.opens", ""));
        for (String flag : System.getProperty("spark.add.opens", "").split(" ")) {
            if (!flag.isBlank()) {
                cmd.add(flag);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FeaturelessDriver.class.getName());
        cmd.addAll(List.of(cluster.url(), cluster.attuneClassPath(), String.valueOf(ROWS), String.valueOf(WIDTH)));
        Path log = dir.resolve("driver.log");
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = driver.waitFor(240, TimeUnit.SECONDS);
        if (!ended) {
            driver.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(ended).as("the driver ended within 240 s; its log:%n%s", tail(out)).isTrue();
        assertThat(driver.exitValue()).as("the driver's exit code; its log:%n%s", tail(out)).isZero();
        assertThat(out).contains("steps=4");

        // The same rows made here, where memory is plentiful, as one LabeledData.
        float[] x = new float[(int) (ROWS * WIDTH)];
        int[] y = new int[(int) ROWS];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < WIDTH; j++) {
                x[i * WIDTH + j] = FeaturelessDriver.value(i, j);
            }
            y[i] = i % 3;
        }
        LabeledData same = LabeledData.of(Nd4j.createFromArray(x).reshape('c', ROWS, WIDTH), y, 3);
        assertThat(same.size()).isEqualTo((int) ROWS);
        assertThat(out).contains("trainData=" + same.fingerprint());
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }
}
