package dev.attune.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compiles and runs the README's drift example, and checks that the README still shows this code. */
class ReadmeDriftExampleTest {
    private static double[][] rows(int n, double incomeShift, long seed) {
        Random random = new Random(seed);
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new double[] {40 + 10 * random.nextGaussian(), 3000 + incomeShift + 500 * random.nextGaussian(),
                random.nextDouble()};
        }
        return rows;
    }

    private static double[][] probabilities(double[][] rows) {
        double[][] p = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double bad = 1 / (1 + Math.exp((rows[i][1] - 3000) / 500));
            p[i] = new double[] {1 - bad, bad};
        }
        return p;
    }

    @Test
    void theReadmeDriftExampleRuns(@TempDir Path runDir) {
        double[][] validationRows = rows(2000, 0, 1);
        double[][] validationProbabilities = probabilities(validationRows);
        double[][] liveRows = rows(500, 800, 2);
        double[][] liveProbabilities = probabilities(liveRows);

        // README example: begin
        List<String> names = List.of("age", "income", "score");
        DriftReference reference = DriftReference.builder()
                .features(names, validationRows)                    // double[rows][3], or LabeledData.features()
                .predictions(validationProbabilities)               // the model's probabilities on those rows
                .build();
        reference.write(runDir.resolve("drift-reference.json"));   // JSON, schema attune-drift-reference/1

        DriftMonitor monitor = DriftMonitor.builder(DriftReference.read(runDir.resolve("drift-reference.json")))
                .window(500)                                        // the most recent 500 rows
                .build();                                           // PSI 0.1 / 0.25, KS p-value 0.05 / 0.01
        monitor.observe(DriftBatch.features(names, liveRows).withProbabilities(liveProbabilities)); // any thread
        DriftReport report = monitor.report();
        System.out.println(report.level() + " " + report.featuresAt(DriftLevel.WARN)); // ALERT [income]
        System.out.println(report.toText());                        // every measure, every threshold crossed
        // README example: end

        assertThat(report.level()).isEqualTo(DriftLevel.ALERT);
        assertThat(report.featuresAt(DriftLevel.WARN)).containsExactly("income");
        assertThat(report.predictions().orElseThrow().level()).isEqualTo(DriftLevel.ALERT);
    }

    @Test
    void theReadmeShowsThisCode() throws IOException {
        dev.attune.ReadmeExamples.assertReadmeShowsExampleOf(ReadmeDriftExampleTest.class);
    }
}
